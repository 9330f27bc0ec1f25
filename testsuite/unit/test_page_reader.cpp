#include "suites.h"
#include "test_files.h"

#include "../sim/image_encoder.h"
#include "wsd/event_fd.h"
#include "wsd/page_geometry.h"
#include "wsd/page_reader.h"
#include "wsd/scan_settings.h"
#include "wsd/threshold.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;

// A page as wsd-sim sends it: the test pattern with paper texture.
Bytes encodedPage(const char *format, const char *colorEntry, int dpi = 100)
{
    wsdsim::PageSpec spec;
    spec.source = "Platen";
    spec.colorEntry = colorEntry;
    spec.format = format;
    spec.xResolution = spec.yResolution = dpi;
    spec.width = 2500;   // 1/1000 inch: 250 x 300 pixels at 100 dpi
    spec.height = 3000;
    spec.texture = true;
    const std::string bytes = wsdsim::encodePage(spec).bytes;
    return Bytes(bytes.begin(), bytes.end());
}

// What the decoder alone makes of the image, line by line.
struct Reference : wsd::LineSink {
    wsd::ImageFrame frame;
    Bytes line, pixels;
    bool onFrame(const wsd::ImageFrame &f) override
    {
        frame = f;
        line.resize(f.bytesPerLine);
        return true;
    }
    std::uint8_t *lineBuffer() override { return line.data(); }
    bool commitLine() override
    {
        pixels.insert(pixels.end(), line.begin(), line.end());
        return true;
    }
};

Reference decodeAlone(const Bytes &image)
{
    Reference ref;
    auto decoder = wsd::makeSniffingDecoder(ref, wsd::ImageLimits());
    ck_assert(decoder->feed(image.data(), image.size()));
    ck_assert(decoder->finish());
    return ref;
}

// The worker's side: the image in pieces of an odd size, then the end.
struct Writer {
    wsd::PagePipe &pipe;
    wsd::EventFd cancel;
    std::atomic<bool> stopped{false};
    std::thread thread;

    Writer(wsd::PagePipe &p, const Bytes &image, wsd::ImageDelivery delivery, SANE_Status end = SANE_STATUS_EOF)
        : pipe(p)
    {
        thread = std::thread([this, &image, delivery, end] {
            pipe.beginImage(1, delivery, cancel.fd());
            for (std::size_t at = 0; at < image.size();) {
                const std::size_t n = std::min<std::size_t>(1009, image.size() - at);
                if (!pipe.write(1, image.data() + at, n, cancel.fd())) {
                    stopped = true;
                    return;
                }
                at += n;
            }
            pipe.end(1, end);
        });
    }
    void join()
    {
        if (thread.joinable())
            thread.join();
    }
    ~Writer() { join(); }
};

struct Read {
    SANE_Status end = SANE_STATUS_GOOD;
    wsd::FrameFormat frame;
    Bytes pixels;
};

// sane_start, then sane_read with a buffer of bufferSize until it ends.
Read readPage(wsd::PagePipe &pipe, const Bytes &image, const wsd::ImageDelivery &delivery, int bufferSize,
              std::optional<int> thresholdPercent = {})
{
    wsd::EventFd readerCancel;
    wsd::PageReader reader(pipe, readerCancel.fd(), [] { return false; }, [] {});
    pipe.reset(1);
    Writer writer(pipe, image, delivery);
    Read out;
    out.end = reader.start(out.frame, wsd::ImageLimits(), thresholdPercent);
    if (out.end != SANE_STATUS_GOOD)
        return out;
    Bytes buffer(static_cast<std::size_t>(bufferSize));
    int length = 0;
    while ((out.end = reader.read(buffer.data(), bufferSize, &length, true)) == SANE_STATUS_GOOD) {
        ck_assert_int_gt(length, 0);
        out.pixels.insert(out.pixels.end(), buffer.begin(), buffer.begin() + length);
    }
    return out;
}

wsd::ImageDelivery turned(bool upsideDown)
{
    wsd::ImageDelivery d;
    d.upsideDown = upsideDown;
    return d;
}

Read readPage(wsd::PagePipe &pipe, const Bytes &image, bool upsideDown, int bufferSize,
              std::optional<int> thresholdPercent = {})
{
    return readPage(pipe, image, turned(upsideDown), bufferSize, thresholdPercent);
}

}  // namespace

START_TEST(lines_match_the_decoder_for_any_buffer_size)
{
    const char *formats[][2] = {
        {"jfif", "RGB24"}, {"png", "Grayscale8"}, {"dib", "RGB24"}, {"tiff-single-uncompressed", "RGB24"}};
    for (const auto &format : formats) {
        const Bytes image = encodedPage(format[0], format[1]);
        const Reference ref = decodeAlone(image);
        // Smaller than a line, not a multiple of one, several lines, all.
        const int bpl = static_cast<int>(ref.frame.bytesPerLine);
        for (int bufferSize : {1, 777, 3 * bpl + 5, 1 << 22}) {
            wsd::PagePipe pipe;
            Read read = readPage(pipe, image, false, bufferSize);
            ck_assert_msg(read.end == SANE_STATUS_EOF, "%s, buffer %d: status %d", format[0], bufferSize,
                          static_cast<int>(read.end));
            ck_assert_int_eq(read.frame.pixelsPerLine, ref.frame.width);
            ck_assert_int_eq(read.frame.lines, ref.frame.height);
            ck_assert_uint_eq(read.frame.bytesPerLine, ref.frame.bytesPerLine);
            ck_assert_msg(read.pixels == ref.pixels, "%s, buffer %d: the lines differ", format[0], bufferSize);
        }
    }
}
END_TEST

START_TEST(an_upside_down_page_is_turned)
{
    const Bytes image = encodedPage("jfif", "RGB24");
    const Reference ref = decodeAlone(image);
    const std::size_t bpl = ref.frame.bytesPerLine;
    Bytes turned;
    for (std::size_t y = static_cast<std::size_t>(ref.frame.height); y-- > 0;)
        for (std::size_t x = static_cast<std::size_t>(ref.frame.width); x-- > 0;)
            turned.insert(turned.end(), ref.pixels.begin() + y * bpl + x * 3, ref.pixels.begin() + y * bpl + x * 3 + 3);
    wsd::PagePipe pipe;
    Read read = readPage(pipe, image, true, 1000);
    ck_assert_int_eq(read.end, SANE_STATUS_EOF);
    ck_assert(read.pixels == turned);
}
END_TEST

START_TEST(threshold_line_is_sane_lineart)
{
    // 1 = black, most significant bit first, padding bits clear.
    const std::uint8_t gray[10] = {0, 127, 128, 255, 0, 0, 0, 0, 255, 10};
    std::uint8_t out[2] = {0xaa, 0xaa};
    wsd::thresholdLine(gray, 1, 10, 50, out);
    ck_assert_uint_eq(out[0], 0xcf);  // 1100 1111
    ck_assert_uint_eq(out[1], 0x40);  // 01 then padding
    wsd::thresholdLine(gray, 1, 10, 0, out);
    ck_assert_uint_eq(out[0] | out[1], 0);
    wsd::thresholdLine(gray, 1, 10, 100, out);
    ck_assert_uint_eq(out[0], 0xff);
    ck_assert_uint_eq(out[1], 0xc0);
    // Colour by luminance: pure red is dark, yellow is light.
    const std::uint8_t rgb[6] = {255, 0, 0, 255, 255, 0};
    wsd::thresholdLine(rgb, 3, 2, 50, out);
    ck_assert_uint_eq(out[0], 0x80);
    ck_assert_uint_eq(wsd::lineartBytesPerLine(17), 3);
}
END_TEST

START_TEST(a_gray_page_is_thresholded_to_lineart)
{
    for (const char *colorEntry : {"Grayscale8", "RGB24"}) {
        const Bytes image = encodedPage("png", colorEntry);
        const Reference ref = decodeAlone(image);
        const int width = ref.frame.width;
        const std::size_t bpl = wsd::lineartBytesPerLine(width);
        Bytes want(bpl * static_cast<std::size_t>(ref.frame.height));
        for (int y = 0; y < ref.frame.height; ++y)
            wsd::thresholdLine(ref.pixels.data() + static_cast<std::size_t>(y) * ref.frame.bytesPerLine,
                               ref.frame.channels, width, 40, want.data() + static_cast<std::size_t>(y) * bpl);
        // Some pixels of each colour: the pattern has dark bars on paper.
        ck_assert(std::count(want.begin(), want.end(), 0) > 0);
        ck_assert(std::count(want.begin(), want.end(), 0xff) > 0);
        for (int bufferSize : {1, 7, 1 << 20}) {
            wsd::PagePipe pipe;
            Read read = readPage(pipe, image, false, bufferSize, 40);
            ck_assert_int_eq(read.end, SANE_STATUS_EOF);
            ck_assert_int_eq(read.frame.format, SANE_FRAME_GRAY);
            ck_assert_int_eq(read.frame.depth, 1);
            ck_assert_int_eq(read.frame.pixelsPerLine, width);
            ck_assert_uint_eq(read.frame.bytesPerLine, bpl);
            ck_assert_msg(read.pixels == want, "%s, buffer %d: the lineart differs", colorEntry, bufferSize);
        }
        // Turned upright too: the last line first, its bits reversed.
        wsd::PagePipe pipe;
        Read turned = readPage(pipe, image, true, 4096, 40);
        ck_assert_int_eq(turned.end, SANE_STATUS_EOF);
        ck_assert_uint_eq(turned.pixels.size(), want.size());
        const auto bit = [&](const Bytes &b, int x, int y) {
            return (b[static_cast<std::size_t>(y) * bpl + static_cast<std::size_t>(x / 8)] >> (7 - x % 8)) & 1;
        };
        for (int y = 0; y < ref.frame.height; y += 7)
            for (int x = 0; x < width; x += 3)
                ck_assert_int_eq(bit(turned.pixels, x, y), bit(want, width - 1 - x, ref.frame.height - 1 - y));
    }
}
END_TEST

namespace {

// A page the reader refuses: how it ended, whether the worker's writes
// failed (the transfer stopped), and how often the worker was told to
// cancel the job.
struct Refused {
    SANE_Status end = SANE_STATUS_GOOD;
    bool writerStopped = false;
    int refusals = 0;
};

Refused readRefusedPage(const Bytes &image, const wsd::ImageLimits &limits)
{
    wsd::PagePipe pipe;
    wsd::EventFd readerCancel;
    Refused out;
    wsd::PageReader reader(pipe, readerCancel.fd(), [] { return false; }, [&] { ++out.refusals; });
    pipe.reset(1);
    Writer writer(pipe, image, turned(false));
    wsd::FrameFormat frame;
    out.end = reader.start(frame, limits);
    Bytes buffer(65536);
    int length = 0;
    while (out.end == SANE_STATUS_GOOD)
        out.end = reader.read(buffer.data(), static_cast<int>(buffer.size()), &length, true);
    writer.join();
    out.writerStopped = writer.stopped;
    return out;
}

}  // namespace

START_TEST(an_invalid_image_stops_the_transfer)
{
    // A valid start, then garbage: the decoder fails mid-page, sane_read
    // says IO_ERROR and the worker's writes fail (it stops the transfer).
    Bytes image = encodedPage("png", "RGB24");
    image.resize(image.size() + wsd::PagePipe::Capacity * 4);
    std::fill(image.begin() + 2000, image.end(), 0x5A);  // a chunk's CRC fails
    const Refused refused = readRefusedPage(image, wsd::ImageLimits());
    ck_assert_int_eq(refused.end, SANE_STATUS_IO_ERROR);
    ck_assert(refused.writerStopped);
    ck_assert_int_eq(refused.refusals, 1);
}
END_TEST

START_TEST(an_image_bomb_is_refused_at_sane_start)
{
    // The progressive JPEG of the fuzz corpus claims 40000x40000 pixels; the
    // scan allows 2000x3000. Once whole (the worker's transfer is over) and
    // once followed by more than the pipe holds (the transfer still runs).
    const std::string seed = readTestFile(std::string(WSD_SOURCE_DIR) +
                                          "/testsuite/fuzz/corpus/image_jpeg/bomb-progressive-40000.jpg.seed");
    const Bytes whole(seed.begin() + 4, seed.end());
    Bytes followed = whole;
    followed.resize(whole.size() + wsd::PagePipe::Capacity * 4, 0);
    for (const Bytes *image : std::initializer_list<const Bytes *>{&whole, &followed}) {
        const Refused refused = readRefusedPage(*image, wsd::ImageLimits{2000, 3000, "a test scan"});
        ck_assert_int_eq(refused.end, SANE_STATUS_IO_ERROR);
        ck_assert_int_eq(refused.refusals, 1);  // the worker cancels the job
        ck_assert(refused.writerStopped == (image == &followed));
    }
}
END_TEST

START_TEST(cancel_and_non_blocking_reads)
{
    wsd::PagePipe pipe;
    wsd::EventFd readerCancel;
    std::atomic<bool> cancelled{false};
    wsd::PageReader reader(pipe, readerCancel.fd(), [&] { return cancelled.load(); }, [] {});
    pipe.reset(1);
    const Bytes image = encodedPage("jfif", "RGB24", 300);
    // The first piece of a larger image: the frame and some lines.
    ck_assert_uint_gt(image.size(), 2 * wsd::PagePipe::FirstPieceBytes);
    ck_assert(pipe.write(1, image.data(), wsd::PagePipe::FirstPieceBytes, -1));
    wsd::FrameFormat frame;
    ck_assert_int_eq(reader.start(frame, wsd::ImageLimits()), SANE_STATUS_GOOD);
    // Not blocking: the lines decoded so far, then nothing (no hang).
    Bytes buffer(4096);
    int length = -1;
    long total = 0;
    SANE_Status status;
    while ((status = reader.read(buffer.data(), 4096, &length, false)) == SANE_STATUS_GOOD && length > 0)
        total += length;
    ck_assert_int_eq(status, SANE_STATUS_GOOD);
    ck_assert_int_gt(total, 0);
    ck_assert_int_lt(total, static_cast<long>(frame.bytesPerLine) * frame.lines);
    // sane_cancel: sane_read returns CANCELLED at once, also while waiting.
    std::thread canceller([&] {
        cancelled = true;
        readerCancel.signal();
    });
    ck_assert_int_eq(reader.read(buffer.data(), 4096, &length, true), SANE_STATUS_CANCELLED);
    canceller.join();
    ck_assert_int_eq(length, 0);
}
END_TEST

// 1/1000 inch for a region in whole inches and tenths.
wsd::ScanSettings askedRegion(int dpi, int xOffset, int yOffset, int width, int height)
{
    wsd::ScanSettings s;
    s.xResolution = s.yResolution = dpi;
    s.xOffset = xOffset;
    s.yOffset = yOffset;
    s.width = width;
    s.height = height;
    return s;
}

START_TEST(an_image_of_the_size_asked_for_is_kept)
{
    const wsd::ScanSettings asked = askedRegion(300, 1000, 500, 2000, 3000);
    ck_assert(wsd::planPageMapping(600, 900, asked, 0, 0).identity());
    ck_assert(wsd::planPageMapping(600, 900, asked, 300, 300).identity());
    // Rounding to the device's grid is no other region.
    ck_assert(wsd::planPageMapping(602, 898, asked, 0, 0).identity());
    // Smaller: passed on whole, never padded.
    const wsd::PageMapping smaller = wsd::planPageMapping(500, 700, asked, 0, 0);
    ck_assert(smaller.identity());
    ck_assert_int_eq(smaller.x.outputLength, 500);
    ck_assert_int_eq(smaller.y.outputLength, 700);
}
END_TEST

START_TEST(the_whole_area_is_cropped_to_the_region)
{
    // Letter at 300 dpi when 2 x 3 inches at (1, 0.5) inch were asked for.
    const wsd::PageMapping m = wsd::planPageMapping(2550, 3300, askedRegion(300, 1000, 500, 2000, 3000), 0, 0);
    ck_assert(!m.identity());
    ck_assert_int_eq(m.x.first, 300);
    ck_assert_int_eq(m.y.first, 150);
    ck_assert_int_eq(m.x.outputLength, 600);
    ck_assert_int_eq(m.y.outputLength, 900);
    ck_assert_int_eq(m.x.source(0), 300);
    ck_assert_int_eq(m.x.source(599), 899);
    // Larger than the region but with no room for the offset: as far in as it goes.
    const wsd::PageMapping tight = wsd::planPageMapping(700, 900, askedRegion(300, 1000, 0, 2000, 3000), 0, 0);
    ck_assert_int_eq(tight.x.first, 100);
    ck_assert_int_eq(tight.x.outputLength, 600);
    // A streamed image (height unknown): cut across, not along.
    const wsd::PageMapping streamed = wsd::planPageMapping(2550, -1, askedRegion(300, 1000, 500, 2000, 3000), 0, 0);
    ck_assert_int_eq(streamed.x.first, 300);
    ck_assert(streamed.y.identity());
    ck_assert_int_eq(streamed.y.outputLength, -1);
}
END_TEST

START_TEST(another_final_resolution_is_scaled_to_the_one_asked_for)
{
    // 600 dpi asked, DocumentFinalParameters says 300, the image agrees.
    const wsd::PageMapping up = wsd::planPageMapping(600, 900, askedRegion(600, 0, 0, 2000, 3000), 300, 300);
    ck_assert_int_eq(up.x.outputLength, 1200);
    ck_assert_int_eq(up.y.outputLength, 1800);
    ck_assert_int_eq(up.x.source(0), 0);
    ck_assert_int_eq(up.x.source(1), 0);
    ck_assert_int_eq(up.x.source(2), 1);
    ck_assert_int_eq(up.x.source(1199), 599);
    // Scanned finer than asked: every other pixel.
    const wsd::PageMapping down = wsd::planPageMapping(1200, 1800, askedRegion(300, 0, 0, 2000, 3000), 600, 600);
    ck_assert_int_eq(down.x.outputLength, 600);
    ck_assert_int_eq(down.x.source(0), 1);
    ck_assert_int_eq(down.x.source(599), 1199);
    // DocumentFinalParameters says 300, the image has the size asked for: the image decides.
    ck_assert(wsd::planPageMapping(1200, 1800, askedRegion(600, 0, 0, 2000, 3000), 300, 300).identity());
    // The whole area at a lower resolution: the region at its offset, scaled.
    const wsd::PageMapping both = wsd::planPageMapping(1275, 1650, askedRegion(300, 1000, 500, 2000, 3000), 150, 150);
    ck_assert_int_eq(both.x.first, 150);
    ck_assert_int_eq(both.y.first, 75);
    ck_assert_int_eq(both.x.outputLength, 600);
    ck_assert_int_eq(both.y.outputLength, 900);
    // A resolution no device scans at instead (a hostile answer) is not believed.
    ck_assert(wsd::planPageMapping(600, 900, askedRegion(600, 0, 0, 1000, 1500), 1, 1).identity());
    // No final height: the width's is taken.
    ck_assert_int_eq(wsd::planPageMapping(600, 900, askedRegion(600, 0, 0, 2000, 3000), 300, 0).y.outputLength, 1800);
}
END_TEST

START_TEST(map_line_picks_whole_pixels)
{
    wsd::AxisMapping x;
    x.first = 2;
    x.sourceLength = 3;
    x.outputLength = 6;
    x.sourceDpi = 1;
    x.outputDpi = 2;
    const std::uint8_t rgb[] = {0, 0, 0, 1, 1, 1, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42};
    std::uint8_t out[18] = {};
    wsd::mapLine(rgb, out, x, 8, 3);
    const std::uint8_t wantRgb[] = {10, 11, 12, 10, 11, 12, 20, 21, 22, 20, 21, 22, 30, 31, 32, 30, 31, 32};
    ck_assert(std::equal(out, out + 18, wantRgb));
    // Lineart: bits 2, 3, 4 of 1011 1000, each twice, padding clear.
    const std::uint8_t bits[] = {0xb8};
    std::uint8_t outBits[1] = {0xff};
    wsd::mapLine(bits, outBits, x, 1, 1);
    ck_assert_uint_eq(outBits[0], 0xfc);  // 1111 11 then padding
}
END_TEST

START_TEST(the_reader_delivers_the_region_asked_for)
{
    const Bytes image = encodedPage("png", "RGB24");  // 250 x 300 pixels at 100 dpi
    const Reference ref = decodeAlone(image);
    const std::size_t bpl = ref.frame.bytesPerLine;
    wsd::ImageDelivery cropped;
    cropped.asked = askedRegion(100, 500, 1000, 1000, 1500);
    wsd::PagePipe pipe;
    Read read = readPage(pipe, image, cropped, 333);
    ck_assert_int_eq(read.end, SANE_STATUS_EOF);
    ck_assert_int_eq(read.frame.pixelsPerLine, 100);
    ck_assert_int_eq(read.frame.lines, 150);
    ck_assert_uint_eq(read.frame.bytesPerLine, 300);
    ck_assert_uint_eq(read.pixels.size(), 300u * 150);
    for (std::size_t y = 0; y < 150; ++y)
        ck_assert(std::equal(read.pixels.begin() + y * 300, read.pixels.begin() + (y + 1) * 300,
                             ref.pixels.begin() + (y + 100) * bpl + 50 * 3));

    // Asked for 200 dpi, scanned at 100 as DocumentFinalParameters says.
    wsd::ImageDelivery scaled;
    scaled.asked = askedRegion(200, 0, 0, 2500, 3000);
    scaled.finalXDpi = scaled.finalYDpi = 100;
    wsd::PagePipe pipe2;
    Read big = readPage(pipe2, image, scaled, 4096);
    ck_assert_int_eq(big.end, SANE_STATUS_EOF);
    ck_assert_int_eq(big.frame.pixelsPerLine, 500);
    ck_assert_int_eq(big.frame.lines, 600);
    ck_assert_uint_eq(big.pixels.size(), 1500u * 600);
    for (std::size_t y = 0; y < 600; y += 7)
        for (std::size_t x = 0; x < 500; x += 5)
            for (std::size_t c = 0; c < 3; ++c)
                ck_assert_uint_eq(big.pixels[y * 1500 + x * 3 + c], ref.pixels[(y / 2) * bpl + (x / 2) * 3 + c]);

    // Lineart made here from a cropped page: the crop comes first.
    wsd::PagePipe pipe3;
    Read lineart = readPage(pipe3, image, cropped, 100, 40);
    ck_assert_int_eq(lineart.end, SANE_STATUS_EOF);
    ck_assert_int_eq(lineart.frame.depth, 1);
    ck_assert_int_eq(lineart.frame.pixelsPerLine, 100);
    ck_assert_uint_eq(lineart.pixels.size(), wsd::lineartBytesPerLine(100) * 150);
}
END_TEST

Suite *pageReaderSuite()
{
    Suite *s = suite_create("page_reader");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, lines_match_the_decoder_for_any_buffer_size);
    tcase_add_test(t, an_upside_down_page_is_turned);
    tcase_add_test(t, threshold_line_is_sane_lineart);
    tcase_add_test(t, a_gray_page_is_thresholded_to_lineart);
    tcase_add_test(t, an_invalid_image_stops_the_transfer);
    tcase_add_test(t, an_image_bomb_is_refused_at_sane_start);
    tcase_add_test(t, cancel_and_non_blocking_reads);
    tcase_add_test(t, an_image_of_the_size_asked_for_is_kept);
    tcase_add_test(t, the_whole_area_is_cropped_to_the_region);
    tcase_add_test(t, another_final_resolution_is_scaled_to_the_one_asked_for);
    tcase_add_test(t, map_line_picks_whole_pixels);
    tcase_add_test(t, the_reader_delivers_the_region_asked_for);
    suite_add_tcase(s, t);
    return s;
}
