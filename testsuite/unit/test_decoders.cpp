#include "suites.h"

#include "test_files.h"
#include "wsd/image_decoder.h"

#include <jpeglib.h>
#include <malloc.h>
#include <png.h>
#include <tiffio.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

// Records what a decoder delivers. Like sane_read's PageReader, it may give
// another line buffer on every call, freshly filled with a marker: a decoder
// that writes part of a line before a lineBuffer() call, or not all of it,
// shows in the pixels.
struct CollectSink : wsd::LineSink {
    wsd::ImageFrame frame;
    int frames = 0;
    Bytes buffers[2];
    int current = 0;
    Bytes pixels;  // every committed line, concatenated
    int lines = 0;
    bool refuseFrame = false;

    bool onFrame(const wsd::ImageFrame &f) override
    {
        frame = f;
        ++frames;
        buffers[0].assign(f.bytesPerLine, 0xA5);
        buffers[1].assign(f.bytesPerLine, 0xA5);
        return !refuseFrame;
    }
    uint8_t *lineBuffer() override
    {
        current ^= 1;
        std::fill(buffers[current].begin(), buffers[current].end(), 0xA5);
        return buffers[current].data();
    }
    bool commitLine() override
    {
        pixels.insert(pixels.end(), buffers[current].begin(), buffers[current].end());
        ++lines;
        lineSinceRoom = true;
        return true;
    }
    // Holding: full after every line, as sane_read's reader is when the
    // frontend's buffer is small.
    bool holding = false;
    bool lineSinceRoom = false;
    bool full() const override { return holding && lineSinceRoom; }
};

// Held: random pieces to a sink that is full after every line.
enum class Split { Whole, OneByte, Random, Held };

struct Decoded {
    bool fed = true;
    bool finished = false;
    std::string error;
    CollectSink sink;
};

Decoded decode(const Bytes &data, Split split, unsigned seed = 7)
{
    Decoded out;
    std::unique_ptr<wsd::ImageDecoder> decoder = wsd::makeSniffingDecoder(out.sink, wsd::ImageLimits());
    std::mt19937 rng(seed);
    std::uniform_int_distribution<size_t> pieceSize(1, 600);
    size_t pos = 0;
    out.sink.holding = split == Split::Held;
    // Makes room while the decoder holds lines back; false on an error.
    auto drain = [&](bool dataEnded) {
        bool ok = true;
        while (ok && decoder->held()) {
            out.sink.lineSinceRoom = false;
            ok = dataEnded ? decoder->finish() : decoder->feed(nullptr, 0);
        }
        return ok;
    };
    while (out.fed && pos < data.size()) {
        size_t n = split == Split::Whole ? data.size() : split == Split::OneByte ? 1 : pieceSize(rng);
        n = std::min(n, data.size() - pos);
        out.fed = decoder->feed(data.data() + pos, n) && drain(false);
        pos += n;
    }
    out.finished = out.fed && decoder->finish() && drain(true);
    out.error = decoder->error();
    return out;
}

// Runs every way of splitting and hands each result to check.
template <typename Check>
void decodeEveryWay(const Bytes &data, Check check)
{
    for (Split split : {Split::Whole, Split::OneByte, Split::Random, Split::Held}) {
        Decoded d = decode(data, split);
        ck_assert_msg(d.finished, "split %d: %s", static_cast<int>(split), d.error.c_str());
        ck_assert_int_eq(d.sink.frames, 1);
        ck_assert_int_eq(d.sink.lines, d.sink.frame.height);
        check(d);
    }
}

// A colourful, smooth test picture (JPEG stays close to it).
uint8_t sourceSample(int x, int y, int c)
{
    switch (c) {
    case 0:
        return static_cast<uint8_t>(x * 255 / 36);
    case 1:
        return static_cast<uint8_t>(y * 255 / 22);
    default:
        return static_cast<uint8_t>(255 - (x + y) * 255 / 58);
    }
}

const int W = 37;  // not a multiple of 8 or 4: exercises padding
const int H = 23;

// ---- JPEG ----------------------------------------------------------------

Bytes encodeJpeg(int components, J_COLOR_SPACE space, bool progressive, int density = 300)
{
    jpeg_compress_struct c;
    jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char *buffer = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&c, &buffer, &size);
    c.image_width = W;
    c.image_height = H;
    c.input_components = components;
    c.in_color_space = space;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 98, TRUE);
    c.density_unit = 1;
    c.X_density = static_cast<UINT16>(density);
    c.Y_density = static_cast<UINT16>(density);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    std::vector<JSAMPLE> row(W * components);
    while (c.next_scanline < H) {
        int y = c.next_scanline;
        for (int x = 0; x < W; ++x)
            for (int k = 0; k < components; ++k)
                row[x * components + k] = components == 4 && k == 3 ? 255 : sourceSample(x, y, k);
        JSAMPROW r = row.data();
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    Bytes out(buffer, buffer + size);
    jpeg_destroy_compress(&c);
    std::free(buffer);
    return out;
}

void checkClose(const Bytes &pixels, int channels, int tolerance)
{
    ck_assert_uint_eq(pixels.size(), size_t(W) * H * channels);
    long totalError = 0;
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            for (int c = 0; c < channels; ++c) {
                int got = pixels[(size_t(y) * W + x) * channels + c];
                int diff = std::abs(got - sourceSample(x, y, c));
                ck_assert_msg(diff <= tolerance, "pixel %d,%d,%d: %d vs %d", x, y, c, got, sourceSample(x, y, c));
                totalError += diff;
            }
    ck_assert_msg(totalError <= long(pixels.size()) * 3, "mean error too large: %ld", totalError);
}

}  // namespace

START_TEST(jpeg_rgb_gray_cmyk_progressive)
{
    Bytes rgb = encodeJpeg(3, JCS_RGB, false);
    ck_assert(wsd::sniffImageFormat(rgb.data(), rgb.size()) == wsd::ImageFormat::Jpeg);
    decodeEveryWay(rgb, [](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.width, W);
        ck_assert_int_eq(d.sink.frame.height, H);
        ck_assert_int_eq(d.sink.frame.channels, 3);
        ck_assert_int_eq(d.sink.frame.depth, 8);
        ck_assert_uint_eq(d.sink.frame.bytesPerLine, W * 3);
        ck_assert_int_eq(d.sink.frame.xDpi, 300);
        checkClose(d.sink.pixels, 3, 48);
    });
    decodeEveryWay(encodeJpeg(1, JCS_GRAYSCALE, false, 600), [](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.channels, 1);
        ck_assert_uint_eq(d.sink.frame.bytesPerLine, W);
        ck_assert_int_eq(d.sink.frame.yDpi, 600);
        checkClose(d.sink.pixels, 1, 24);
    });
    decodeEveryWay(encodeJpeg(3, JCS_RGB, true), [](const Decoded &d) { checkClose(d.sink.pixels, 3, 48); });
    // Adobe CMYK (inverted, 255 = no ink) with no black: R = C, G = M, B = Y.
    decodeEveryWay(encodeJpeg(4, JCS_CMYK, false), [](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.channels, 3);
        checkClose(d.sink.pixels, 3, 24);
    });
}
END_TEST

START_TEST(jpeg_lines_come_out_before_the_end)
{
    // The point of the streaming path: lines exist before the file is complete.
    Bytes big;
    {
        jpeg_compress_struct c;
        jpeg_error_mgr err;
        c.err = jpeg_std_error(&err);
        jpeg_create_compress(&c);
        unsigned char *buffer = nullptr;
        unsigned long size = 0;
        jpeg_mem_dest(&c, &buffer, &size);
        c.image_width = 64;
        c.image_height = 256;
        c.input_components = 1;
        c.in_color_space = JCS_GRAYSCALE;
        jpeg_set_defaults(&c);
        jpeg_start_compress(&c, TRUE);
        std::vector<JSAMPLE> row(64);
        while (c.next_scanline < 256) {
            for (int x = 0; x < 64; ++x)
                row[x] = static_cast<JSAMPLE>((x * 7 + c.next_scanline * 13) & 0xFF);
            JSAMPROW r = row.data();
            jpeg_write_scanlines(&c, &r, 1);
        }
        jpeg_finish_compress(&c);
        big.assign(buffer, buffer + size);
        jpeg_destroy_compress(&c);
        std::free(buffer);
    }
    CollectSink sink;
    auto decoder = wsd::makeSniffingDecoder(sink, wsd::ImageLimits());
    ck_assert(decoder->feed(big.data(), big.size() / 2));
    ck_assert_int_gt(sink.lines, 64);
    ck_assert_int_lt(sink.lines, 256);
    // Truncated: the decoder says how far it got.
    ck_assert(!decoder->finish());
    std::string expected = "JPEG: data ended after " + std::to_string(sink.lines) + " of 256 lines";
    ck_assert_str_eq(decoder->error().c_str(), expected.c_str());

    CollectSink whole;
    auto second = wsd::makeSniffingDecoder(whole, wsd::ImageLimits());
    ck_assert(second->feed(big.data(), big.size()));
    ck_assert(second->finish());
    ck_assert_int_eq(whole.lines, 256);
}
END_TEST

START_TEST(jpeg_garbage_is_an_error)
{
    Bytes bad = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00};
    Decoded d = decode(bad, Split::OneByte);
    ck_assert(!d.finished);
    ck_assert_msg(d.error.compare(0, 6, "JPEG: ") == 0, "%s", d.error.c_str());
    ck_assert_int_eq(d.sink.lines, 0);
}
END_TEST

// ---- PNG -----------------------------------------------------------------

namespace {

void pngWrite(png_structp png, png_bytep data, png_size_t length)
{
    auto *out = static_cast<Bytes *>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + length);
}
void pngFlush(png_structp) {}

// rows: raw PNG rows (big-endian 16-bit samples, packed low depths).
Bytes encodePng(int colorType, int bitDepth, const std::vector<Bytes> &rows, bool interlace = false,
                const std::vector<png_color> &palette = {})
{
    Bytes out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_set_write_fn(png, &out, pngWrite, pngFlush);
    png_set_IHDR(png, info, W, static_cast<png_uint_32>(rows.size()), bitDepth, colorType,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (!palette.empty())
        png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
    png_set_pHYs(png, info, 11811, 11811, PNG_RESOLUTION_METER);  // 300 dpi
    std::vector<png_bytep> pointers;
    for (const Bytes &r : rows)
        pointers.push_back(const_cast<png_bytep>(r.data()));
    png_set_rows(png, info, pointers.data());
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

uint16_t host16(const uint8_t *p)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

}  // namespace

START_TEST(png_depths_and_colour_types)
{
    // 8-bit RGB, also interlaced.
    std::vector<Bytes> rgb(H, Bytes(W * 3));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W * 3; ++x)
            rgb[y][x] = sourceSample(x / 3, y, x % 3);
    for (bool interlace : {false, true}) {
        Bytes png = encodePng(PNG_COLOR_TYPE_RGB, 8, rgb, interlace);
        ck_assert(wsd::sniffImageFormat(png.data(), png.size()) == wsd::ImageFormat::Png);
        decodeEveryWay(png, [&](const Decoded &d) {
            ck_assert_int_eq(d.sink.frame.channels, 3);
            ck_assert_int_eq(d.sink.frame.depth, 8);
            ck_assert_int_eq(d.sink.frame.xDpi, 300);
            for (int y = 0; y < H; ++y)
                ck_assert(std::memcmp(d.sink.pixels.data() + y * W * 3, rgb[y].data(), W * 3) == 0);
        });
    }
    // RGBA: alpha stripped.
    std::vector<Bytes> rgba(H, Bytes(W * 4));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            for (int c = 0; c < 4; ++c)
                rgba[y][x * 4 + c] = c == 3 ? uint8_t(x) : sourceSample(x, y, c);
    decodeEveryWay(encodePng(PNG_COLOR_TYPE_RGBA, 8, rgba), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.channels, 3);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                for (int c = 0; c < 3; ++c)
                    ck_assert_uint_eq(d.sink.pixels[(y * W + x) * 3 + c], sourceSample(x, y, c));
    });
    // 16-bit gray: host byte order.
    std::vector<Bytes> gray16(H, Bytes(W * 2));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            unsigned v = (x * 1733 + y * 977) & 0xFFFF;
            gray16[y][2 * x] = uint8_t(v >> 8);
            gray16[y][2 * x + 1] = uint8_t(v);
        }
    decodeEveryWay(encodePng(PNG_COLOR_TYPE_GRAY, 16, gray16), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.depth, 16);
        ck_assert_int_eq(d.sink.frame.channels, 1);
        ck_assert_uint_eq(d.sink.frame.bytesPerLine, W * 2);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                ck_assert_uint_eq(host16(&d.sink.pixels[(y * W + x) * 2]), (x * 1733 + y * 977) & 0xFFFF);
    });
    // 16-bit RGB.
    std::vector<Bytes> rgb16(H, Bytes(W * 6));
    for (int y = 0; y < H; ++y)
        for (int i = 0; i < W * 3; ++i) {
            unsigned v = (i * 4099 + y * 31) & 0xFFFF;
            rgb16[y][2 * i] = uint8_t(v >> 8);
            rgb16[y][2 * i + 1] = uint8_t(v);
        }
    decodeEveryWay(encodePng(PNG_COLOR_TYPE_RGB, 16, rgb16), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.depth, 16);
        ck_assert_int_eq(d.sink.frame.channels, 3);
        for (int y = 0; y < H; ++y)
            for (int i = 0; i < W * 3; ++i)
                ck_assert_uint_eq(host16(&d.sink.pixels[(y * W * 3 + i) * 2]), (i * 4099 + y * 31) & 0xFFFF);
    });
    // 1-bit gray: PNG 0 = black becomes SANE 1 = black; padding bits zero.
    std::vector<Bytes> mono(H, Bytes((W + 7) / 8));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            if ((x + y) % 3 == 0)
                mono[y][x / 8] |= uint8_t(0x80 >> (x % 8));  // white in PNG
    decodeEveryWay(encodePng(PNG_COLOR_TYPE_GRAY, 1, mono), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.depth, 1);
        ck_assert_uint_eq(d.sink.frame.bytesPerLine, (W + 7) / 8);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                bool black = d.sink.pixels[y * ((W + 7) / 8) + x / 8] & (0x80 >> (x % 8));
                ck_assert_int_eq(black, (x + y) % 3 != 0);
            }
    });
    // 4-bit gray: scaled to 8 bits.
    std::vector<Bytes> gray4(H, Bytes((W + 1) / 2));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            gray4[y][x / 2] |= uint8_t(((x + y) & 15) << (x % 2 ? 0 : 4));
    decodeEveryWay(encodePng(PNG_COLOR_TYPE_GRAY, 4, gray4), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.depth, 8);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                ck_assert_uint_eq(d.sink.pixels[y * W + x], ((x + y) & 15) * 17);
    });
    // Palettes: colour to RGB, gray to gray.
    std::vector<png_color> colours = {{255, 0, 0}, {0, 128, 0}, {0, 0, 255}, {10, 20, 30}};
    std::vector<png_color> grays = {{0, 0, 0}, {85, 85, 85}, {170, 170, 170}, {255, 255, 255}};
    std::vector<Bytes> indices(H, Bytes((W + 3) / 4));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            indices[y][x / 4] |= uint8_t(((x * y) & 3) << (6 - 2 * (x % 4)));
    decodeEveryWay(encodePng(PNG_COLOR_TYPE_PALETTE, 2, indices, false, colours), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.channels, 3);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                const png_color &c = colours[(x * y) & 3];
                const uint8_t *p = &d.sink.pixels[(y * W + x) * 3];
                ck_assert(p[0] == c.red && p[1] == c.green && p[2] == c.blue);
            }
    });
    decodeEveryWay(encodePng(PNG_COLOR_TYPE_PALETTE, 2, indices, true, grays), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.channels, 1);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                ck_assert_uint_eq(d.sink.pixels[y * W + x], grays[(x * y) & 3].red);
    });
}
END_TEST

START_TEST(png_truncated_and_streaming)
{
    std::mt19937 rng(99);
    std::vector<Bytes> gray(200, Bytes(W));
    for (int y = 0; y < 200; ++y)
        for (int x = 0; x < W; ++x)
            gray[y][x] = uint8_t(rng());
    Bytes png = encodePng(PNG_COLOR_TYPE_GRAY, 8, gray);
    CollectSink sink;
    auto decoder = wsd::makeSniffingDecoder(sink, wsd::ImageLimits());
    ck_assert(decoder->feed(png.data(), png.size() / 2));
    ck_assert_int_gt(sink.lines, 50);
    ck_assert(!decoder->finish());
    std::string expected = "PNG: data ended after " + std::to_string(sink.lines) + " of 200 lines";
    ck_assert_str_eq(decoder->error().c_str(), expected.c_str());
    for (int y = 0; y < sink.lines; ++y)
        ck_assert(std::memcmp(sink.pixels.data() + y * W, gray[y].data(), W) == 0);
}
END_TEST

// ---- TIFF ----------------------------------------------------------------

namespace {

struct TiffSpec {
    uint16_t compression;
    uint16_t photometric;
    uint16_t bits;
    uint16_t samples;
};

// Writes through a temporary file: libtiff's writer needs a seekable file.
Bytes encodeTiff(const TiffSpec &spec, const std::vector<Bytes> &rows, const uint16_t *colormap = nullptr,
                 float resolution = 200.0f)
{
    char path[] = "/tmp/wsd-test-tiff-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    TIFF *tiff = TIFFOpen(path, "w");
    TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, W);
    TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(rows.size()));
    TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, spec.bits);
    TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, spec.samples);
    TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, spec.photometric);
    TIFFSetField(tiff, TIFFTAG_COMPRESSION, spec.compression);
    TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, 5);
    TIFFSetField(tiff, TIFFTAG_XRESOLUTION, resolution);
    TIFFSetField(tiff, TIFFTAG_YRESOLUTION, resolution);
    TIFFSetField(tiff, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    if (colormap)
        TIFFSetField(tiff, TIFFTAG_COLORMAP, colormap, colormap + 256, colormap + 512);
    for (size_t y = 0; y < rows.size(); ++y)
        ck_assert_int_eq(TIFFWriteScanline(tiff, const_cast<uint8_t *>(rows[y].data()), uint32_t(y), 0), 1);
    TIFFClose(tiff);
    Bytes out;
    FILE *f = std::fopen(path, "rb");
    int ch;
    while ((ch = std::fgetc(f)) != EOF)
        out.push_back(uint8_t(ch));
    std::fclose(f);
    unlink(path);
    return out;
}

}  // namespace

START_TEST(tiff_bilevel_gray_rgb_palette)
{
    const size_t packed = (W + 7) / 8;
    std::vector<Bytes> bits(H, Bytes(packed));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            if ((x * x + y) % 5 == 0)
                bits[y][x / 8] |= uint8_t(0x80 >> (x % 8));
    // MinIsWhite G4 and uncompressed: a set bit is black, as in SANE.
    for (uint16_t compression : {COMPRESSION_CCITTFAX4, COMPRESSION_NONE, COMPRESSION_PACKBITS}) {
        Bytes tiff = encodeTiff({compression, PHOTOMETRIC_MINISWHITE, 1, 1}, bits);
        ck_assert(wsd::sniffImageFormat(tiff.data(), tiff.size()) == wsd::ImageFormat::Tiff);
        decodeEveryWay(tiff, [&](const Decoded &d) {
            ck_assert_int_eq(d.sink.frame.depth, 1);
            ck_assert_int_eq(d.sink.frame.xDpi, 200);
            for (int y = 0; y < H; ++y)
                ck_assert(std::memcmp(d.sink.pixels.data() + y * packed, bits[y].data(), packed) == 0);
        });
    }
    // MinIsBlack: a set bit is white, so SANE's bits are inverted (padding stays 0).
    decodeEveryWay(encodeTiff({COMPRESSION_LZW, PHOTOMETRIC_MINISBLACK, 1, 1}, bits), [&](const Decoded &d) {
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                bool got = d.sink.pixels[y * packed + x / 8] & (0x80 >> (x % 8));
                ck_assert_int_eq(got, (x * x + y) % 5 != 0);
            }
        ck_assert_uint_eq(d.sink.pixels[packed - 1] & ((1u << (8 * packed - W)) - 1), 0);
    });
    // 8-bit gray, LZW; MinIsWhite gray is inverted.
    std::vector<Bytes> gray(H, Bytes(W));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            gray[y][x] = sourceSample(x, y, 0);
    decodeEveryWay(encodeTiff({COMPRESSION_LZW, PHOTOMETRIC_MINISBLACK, 8, 1}, gray), [&](const Decoded &d) {
        for (int y = 0; y < H; ++y)
            ck_assert(std::memcmp(d.sink.pixels.data() + y * W, gray[y].data(), W) == 0);
    });
    decodeEveryWay(encodeTiff({COMPRESSION_PACKBITS, PHOTOMETRIC_MINISWHITE, 8, 1}, gray), [&](const Decoded &d) {
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                ck_assert_uint_eq(d.sink.pixels[y * W + x], 255 - gray[y][x]);
    });
    // 16-bit gray: host order.
    std::vector<Bytes> gray16(H, Bytes(W * 2));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            uint16_t v = uint16_t(x * 1500 + y * 7);
            std::memcpy(&gray16[y][2 * x], &v, 2);
        }
    decodeEveryWay(encodeTiff({COMPRESSION_NONE, PHOTOMETRIC_MINISBLACK, 16, 1}, gray16), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.depth, 16);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                ck_assert_uint_eq(host16(&d.sink.pixels[(y * W + x) * 2]), uint16_t(x * 1500 + y * 7));
    });
    // 8-bit RGB, LZW.
    std::vector<Bytes> rgb(H, Bytes(W * 3));
    for (int y = 0; y < H; ++y)
        for (int i = 0; i < W * 3; ++i)
            rgb[y][i] = sourceSample(i / 3, y, i % 3);
    decodeEveryWay(encodeTiff({COMPRESSION_LZW, PHOTOMETRIC_RGB, 8, 3}, rgb), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.channels, 3);
        for (int y = 0; y < H; ++y)
            ck_assert(std::memcmp(d.sink.pixels.data() + y * W * 3, rgb[y].data(), W * 3) == 0);
    });
    // 8-bit palette to RGB.
    std::vector<uint16_t> colormap(768);
    for (int i = 0; i < 256; ++i) {
        colormap[i] = uint16_t(i * 257);
        colormap[256 + i] = uint16_t((255 - i) * 257);
        colormap[512 + i] = uint16_t((i * 3 & 255) * 257);
    }
    decodeEveryWay(encodeTiff({COMPRESSION_NONE, PHOTOMETRIC_PALETTE, 8, 1}, gray, colormap.data()),
                   [&](const Decoded &d) {
                       for (int y = 0; y < H; ++y)
                           for (int x = 0; x < W; ++x) {
                               unsigned i = gray[y][x];
                               const uint8_t *p = &d.sink.pixels[(y * W + x) * 3];
                               ck_assert(p[0] == i && p[1] == 255 - i && p[2] == (i * 3 & 255));
                           }
                   });
}
END_TEST

START_TEST(tiff_truncated_is_an_error)
{
    std::vector<Bytes> gray(H, Bytes(W, 7));
    Bytes tiff = encodeTiff({COMPRESSION_NONE, PHOTOMETRIC_MINISBLACK, 8, 1}, gray);
    tiff.resize(tiff.size() / 2);
    Decoded d = decode(tiff, Split::Random);
    ck_assert(!d.finished);
    ck_assert_msg(d.error.compare(0, 6, "TIFF: ") == 0, "%s", d.error.c_str());

    // Found by fuzzing: an absurd resolution is ignored, not converted.
    Decoded odd = decode(encodeTiff({COMPRESSION_NONE, PHOTOMETRIC_MINISBLACK, 8, 1}, gray, nullptr, 4.2e9f), Split::Whole);
    ck_assert_msg(odd.finished, "%s", odd.error.c_str());
    ck_assert_int_eq(odd.sink.frame.xDpi, 0);
    ck_assert_int_eq(odd.sink.lines, H);
}
END_TEST

// ---- DIB -----------------------------------------------------------------

namespace {

void put16(Bytes &b, unsigned v)
{
    b.push_back(uint8_t(v));
    b.push_back(uint8_t(v >> 8));
}
void put32(Bytes &b, uint32_t v)
{
    put16(b, v & 0xFFFF);
    put16(b, v >> 16);
}

// A BMP with a BITMAPINFOHEADER. rows are top to bottom, already in the
// file's pixel format without padding; topDown writes a negative height.
Bytes makeBmp(int bitCount, const std::vector<Bytes> &rows, bool topDown, const std::vector<uint32_t> &palette,
              bool fileHeader = true, uint32_t compression = 0, const std::vector<uint32_t> &masks = {})
{
    const size_t stride = (size_t(bitCount) * W + 31) / 32 * 4;
    const uint32_t headersSize = (fileHeader ? 14 : 0) + 40 + uint32_t(masks.size() * 4) + uint32_t(palette.size() * 4);
    Bytes b;
    if (fileHeader) {
        b.push_back('B');
        b.push_back('M');
        put32(b, headersSize + uint32_t(stride * rows.size()));
        put32(b, 0);
        put32(b, headersSize);
    }
    put32(b, 40);
    put32(b, W);
    put32(b, topDown ? uint32_t(-int32_t(rows.size())) : uint32_t(rows.size()));
    put16(b, 1);
    put16(b, bitCount);
    put32(b, compression);
    put32(b, uint32_t(stride * rows.size()));
    put32(b, 11811);
    put32(b, 11811);
    put32(b, uint32_t(palette.size()));
    put32(b, 0);
    for (uint32_t m : masks)
        put32(b, m);
    for (uint32_t c : palette)
        put32(b, c);  // 0x00RRGGBB little endian: B, G, R, 0
    for (size_t i = 0; i < rows.size(); ++i) {
        const Bytes &row = rows[topDown ? i : rows.size() - 1 - i];
        b.insert(b.end(), row.begin(), row.end());
        b.insert(b.end(), stride - row.size(), 0xEE);  // padding must be ignored
    }
    return b;
}

}  // namespace

START_TEST(dib_formats_and_orientations)
{
    std::vector<Bytes> bgr(H, Bytes(W * 3));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            for (int c = 0; c < 3; ++c)
                bgr[y][x * 3 + (2 - c)] = sourceSample(x, y, c);
    auto checkRgb = [](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.channels, 3);
        ck_assert_int_eq(d.sink.frame.width, W);
        ck_assert_int_eq(d.sink.frame.height, H);
        ck_assert_int_eq(d.sink.frame.xDpi, 300);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                for (int c = 0; c < 3; ++c)
                    ck_assert_uint_eq(d.sink.pixels[(y * W + x) * 3 + c], sourceSample(x, y, c));
    };
    for (bool topDown : {false, true}) {
        Bytes bmp = makeBmp(24, bgr, topDown, {});
        ck_assert(wsd::sniffImageFormat(bmp.data(), bmp.size()) == wsd::ImageFormat::Dib);
        decodeEveryWay(bmp, checkRgb);
    }
    // A bare DIB (no file header) is recognised too.
    Bytes bare = makeBmp(24, bgr, true, {}, false);
    ck_assert(wsd::sniffImageFormat(bare.data(), bare.size()) == wsd::ImageFormat::Dib);
    decodeEveryWay(bare, checkRgb);

    // 32-bit, plain and with bit fields.
    std::vector<Bytes> bgrx(H, Bytes(W * 4));
    std::vector<Bytes> rgbx(H, Bytes(W * 4));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            for (int c = 0; c < 3; ++c) {
                bgrx[y][x * 4 + (2 - c)] = sourceSample(x, y, c);
                rgbx[y][x * 4 + 1 + c] = sourceSample(x, y, c);  // masks R=0xFF00, G=0xFF0000, B=0xFF000000
            }
        }
    decodeEveryWay(makeBmp(32, bgrx, false, {}), checkRgb);
    decodeEveryWay(makeBmp(32, rgbx, true, {}, true, 3, {0xFF00, 0xFF0000, 0xFF000000}), checkRgb);

    // 8-bit gray palette: gray output.
    std::vector<uint32_t> grayPalette(256);
    for (uint32_t i = 0; i < 256; ++i)
        grayPalette[i] = i << 16 | i << 8 | i;
    std::vector<Bytes> index8(H, Bytes(W));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            index8[y][x] = sourceSample(x, y, 1);
    decodeEveryWay(makeBmp(8, index8, false, grayPalette), [&](const Decoded &d) {
        ck_assert_int_eq(d.sink.frame.channels, 1);
        for (int y = 0; y < H; ++y)
            ck_assert(std::memcmp(d.sink.pixels.data() + y * W, index8[y].data(), W) == 0);
    });
    // 8-bit colour palette: RGB output.
    std::vector<uint32_t> colourPalette(256);
    for (uint32_t i = 0; i < 256; ++i)
        colourPalette[i] = i << 16 | (255 - i) << 8 | (i * 7 & 255);
    decodeEveryWay(makeBmp(8, index8, true, colourPalette), [&](const Decoded &d) {
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                unsigned i = index8[y][x];
                const uint8_t *p = &d.sink.pixels[(y * W + x) * 3];
                ck_assert(p[0] == i && p[1] == 255 - i && p[2] == (i * 7 & 255));
            }
    });
    // 1-bit: lineart, with 1 = black whichever way the palette runs.
    const size_t packed = (W + 7) / 8;
    std::vector<Bytes> bits(H, Bytes(packed));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            if ((x + 2 * y) % 7 == 0)
                bits[y][x / 8] |= uint8_t(0x80 >> (x % 8));
    for (bool blackFirst : {true, false}) {
        std::vector<uint32_t> palette = blackFirst ? std::vector<uint32_t>{0x000000, 0xFFFFFF}
                                                   : std::vector<uint32_t>{0xFFFFFF, 0x000000};
        decodeEveryWay(makeBmp(1, bits, false, palette), [&](const Decoded &d) {
            ck_assert_int_eq(d.sink.frame.depth, 1);
            ck_assert_uint_eq(d.sink.frame.bytesPerLine, packed);
            for (int y = 0; y < H; ++y)
                for (int x = 0; x < W; ++x) {
                    bool setInFile = (x + 2 * y) % 7 == 0;
                    bool black = d.sink.pixels[y * packed + x / 8] & (0x80 >> (x % 8));
                    // blackFirst: index 0 is black, so a set bit (index 1) is white.
                    ck_assert_int_eq(black, (blackFirst ? !setInFile : setInFile));
                }
            ck_assert_uint_eq(d.sink.pixels[packed - 1] & ((1u << (8 * packed - W)) - 1), 0);
        });
    }
}
END_TEST

START_TEST(dib_streams_top_down_and_reports_truncation)
{
    std::vector<Bytes> bgr(H, Bytes(W * 3, 0x40));
    Bytes topDown = makeBmp(24, bgr, true, {});
    size_t stride = (24 * W + 31) / 32 * 4;
    CollectSink sink;
    auto decoder = wsd::makeSniffingDecoder(sink, wsd::ImageLimits());
    ck_assert(decoder->feed(topDown.data(), 54 + stride * 10 + 5));
    ck_assert_int_eq(sink.lines, 10);
    ck_assert(!decoder->finish());
    ck_assert_str_eq(decoder->error().c_str(), "DIB: data ended after 10 of 23 lines");

    // Found by fuzzing: a 1-bit DIB with a one-entry palette (indices past
    // it take the last entry).
    std::vector<Bytes> bits(H, Bytes((W + 7) / 8, 0x5A));
    Decoded single = decode(makeBmp(1, bits, true, {0x808080}), Split::OneByte);
    ck_assert_msg(single.finished, "%s", single.error.c_str());
    ck_assert_int_eq(single.sink.frame.depth, 8);
    ck_assert_int_eq(single.sink.frame.channels, 1);
    ck_assert(std::all_of(single.sink.pixels.begin(), single.sink.pixels.end(), [](uint8_t v) { return v == 0x80; }));

    Bytes bottomUp = makeBmp(24, bgr, false, {});
    CollectSink sink2;
    auto buffered = wsd::makeSniffingDecoder(sink2, wsd::ImageLimits());
    ck_assert(buffered->feed(bottomUp.data(), bottomUp.size() - 1));
    ck_assert_int_eq(sink2.lines, 0);  // the top line is the file's last
    ck_assert(buffered->feed(bottomUp.data() + bottomUp.size() - 1, 1));
    ck_assert_int_eq(sink2.lines, H);
    ck_assert(buffered->finish());
}
END_TEST

START_TEST(unknown_format_and_refused_frame)
{
    Bytes text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
    Decoded d = decode(text, Split::OneByte);
    ck_assert(!d.fed);
    ck_assert_str_eq(d.error.c_str(), "unknown image format");

    Decoded empty = decode({}, Split::Whole);
    ck_assert(!empty.finished);
    ck_assert_str_eq(empty.error.c_str(), "no image data");

    std::vector<Bytes> bgr(H, Bytes(W * 3, 1));
    Bytes bmp = makeBmp(24, bgr, true, {});
    CollectSink sink;
    sink.refuseFrame = true;
    auto decoder = wsd::makeSniffingDecoder(sink, wsd::ImageLimits());
    ck_assert(!decoder->feed(bmp.data(), bmp.size()));
    ck_assert_str_eq(decoder->error().c_str(), "DIB: line sink refused the frame");
    ck_assert_int_eq(sink.lines, 0);
}
END_TEST

// ---- Image bombs -----------------------------------------------------------

namespace {

// The limits the backend sets for 50x50 pixels at 300 dpi from a device
// whose platen is A4 (2480x3507 pixels there): 5088x7142.
wsd::ImageLimits smallScanOnA4()
{
    wsd::ScanSettings ticket;
    ticket.xResolution = ticket.yResolution = 300;
    ticket.width = ticket.height = 167;  // 1/1000 inch: 50 pixels
    wsd::ScannerCapabilities device;
    device.platen.emplace();
    device.platen->maxSize = {8268, 11693};
    return wsd::imageLimitsForScan(ticket, device);
}

// Bytes the heap holds now (malloc'd and mmap'd): a decoder that sized a
// buffer for a bomb's claim shows here even before it touches the pages.
// (Zero under the sanitizers, whose allocator glibc does not see.)
std::size_t heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

// A bomb from the fuzz corpus (testsuite/fuzz/make-image-bombs.py), without
// the four bytes that seed the fuzzer's chunking.
Bytes bomb(const std::string &name)
{
    const std::string seed =
        readTestFile(std::string(WSD_SOURCE_DIR) + "/testsuite/fuzz/corpus/image_sniffing/" + name + ".seed");
    ck_assert_uint_gt(seed.size(), 4);
    return Bytes(seed.begin() + 4, seed.end());
}

}  // namespace

START_TEST(image_bombs_are_refused_before_allocating)
{
    const struct {
        const char *file;
        const char *claimed;
    } bombs[] = {
        {"bomb-progressive-40000.jpg", "40000x40000"},
        {"bomb-baseline-40000.jpg", "40000x40000"},
        {"bomb-interlaced-18000.png", "18000x18000"},
        {"bomb-g4-65298x63739.tif", "65298x63739"},
        {"bomb-bottom-up-18000.bmp", "18000x18000"},
    };
    const wsd::ImageLimits limits = smallScanOnA4();
    ck_assert_int_eq(limits.maxWidth, 5088);
    ck_assert_int_eq(limits.maxHeight, 7142);
    for (const auto &b : bombs) {
        const Bytes data = bomb(b.file);
        const std::size_t heapBefore = heapInUse();
        CollectSink sink;
        auto decoder = wsd::makeSniffingDecoder(sink, limits);
        const bool decoded = decoder->feed(data.data(), data.size()) && decoder->finish();
        const std::size_t heapGrowth = heapInUse() - std::min(heapBefore, heapInUse());
        ck_assert_msg(!decoded, "%s was decoded", b.file);
        ck_assert_msg(sink.frames == 0 && sink.lines == 0, "%s reached the sink", b.file);
        // The message names the size claimed and the size allowed.
        const std::string &error = decoder->error();
        ck_assert_msg(error.find(b.claimed) != std::string::npos, "%s: %s", b.file, error.c_str());
        ck_assert_msg(error.find("5088x7142") != std::string::npos, "%s: %s", b.file, error.c_str());
        ck_assert_msg(heapGrowth < (std::size_t(16) << 20), "%s: the heap grew by %zu bytes", b.file, heapGrowth);
    }
}
END_TEST

START_TEST(images_at_the_limits_decode_one_pixel_more_does_not)
{
    std::vector<Bytes> gray(H, Bytes(W, 0x80));
    std::vector<Bytes> bgr(H, Bytes(W * 3, 0x40));
    const Bytes images[] = {
        encodeJpeg(3, JCS_RGB, false),
        encodeJpeg(3, JCS_RGB, true),
        encodePng(PNG_COLOR_TYPE_GRAY, 8, gray),
        encodePng(PNG_COLOR_TYPE_GRAY, 8, gray, true),
        encodeTiff({COMPRESSION_NONE, PHOTOMETRIC_MINISBLACK, 8, 1}, gray),
        makeBmp(24, bgr, false, {}),
        makeBmp(24, bgr, true, {}),
    };
    const std::string size = std::to_string(W) + "x" + std::to_string(H);
    for (const Bytes &image : images) {
        const wsd::ImageLimits exact{W, H, "exactly this image"};
        CollectSink sink;
        auto decoder = wsd::makeSniffingDecoder(sink, exact);
        ck_assert_msg(decoder->feed(image.data(), image.size()) && decoder->finish(), "%s", decoder->error().c_str());
        ck_assert_int_eq(sink.lines, H);

        for (const wsd::ImageLimits &smaller : {wsd::ImageLimits{W - 1, H, "narrower"}, wsd::ImageLimits{W, H - 1, "shorter"}}) {
            CollectSink refused;
            auto tight = wsd::makeSniffingDecoder(refused, smaller);
            ck_assert(!(tight->feed(image.data(), image.size()) && tight->finish()));
            ck_assert_int_eq(refused.frames, 0);
            const std::string allowed = std::to_string(smaller.maxWidth) + "x" + std::to_string(smaller.maxHeight);
            ck_assert_msg(tight->error().find(size) != std::string::npos, "%s", tight->error().c_str());
            ck_assert_msg(tight->error().find(allowed) != std::string::npos, "%s", tight->error().c_str());
        }
    }
}
END_TEST

START_TEST(the_pixel_rule)
{
    wsd::ScanSettings ticket;
    ticket.xResolution = 300;
    ticket.yResolution = 600;
    ticket.width = 1000;  // 1 x 2 inches: 300x1200 pixels
    ticket.height = 2000;
    wsd::ScannerCapabilities device;
    device.platen.emplace();
    device.platen->maxSize = {8500, 11700};
    device.adfFront.emplace();
    device.adfFront->maxSize = {8500, 14000};
    // Twice the larger of asked and the device's largest area, plus 128.
    wsd::ImageLimits platen = wsd::imageLimitsForScan(ticket, device);
    ck_assert_int_eq(platen.maxWidth, 2550 * 2 + 128);
    ck_assert_int_eq(platen.maxHeight, 7020 * 2 + 128);
    ck_assert(platen.refusal(2550, 7020).empty());  // the whole platen: a device that ignored the region
    ck_assert(!platen.refusal(platen.maxWidth + 1, 10).empty());
    // A feeder takes longer pages.
    ticket.source = "ADF";
    ck_assert_int_eq(wsd::imageLimitsForScan(ticket, device).maxHeight, 8400 * 2 + 128);
    // A ticket larger than the device says it can do (a lenient device).
    ticket.source = "Platen";
    ticket.height = 20000;
    ck_assert_int_eq(wsd::imageLimitsForScan(ticket, device).maxHeight, 12000 * 2 + 128);
    // Never beyond the absolute bound; buffers never beyond theirs.
    ticket.xResolution = ticket.yResolution = 4800;
    wsd::ImageLimits huge = wsd::imageLimitsForScan(ticket, device);
    ck_assert_int_eq(huge.maxWidth, wsd::MaxImageDimension);
    ck_assert_uint_eq(huge.maxBufferedBytes(), wsd::MaxBufferedImageBytes);
    // Without a resolution there is nothing to compare with.
    ticket.xResolution = 0;
    ck_assert_int_eq(wsd::imageLimitsForScan(ticket, device).maxWidth, wsd::MaxImageDimension);
    // The buffer bound follows from the area: 8 bytes a pixel and 16 MiB.
    ck_assert_uint_eq((wsd::ImageLimits{1000, 1000, ""}.maxBufferedBytes()), 8000000u + (16u << 20));
}
END_TEST

Suite *decodersSuite()
{
    Suite *s = suite_create("decoders");
    TCase *tc = tcase_create("decoders");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, jpeg_rgb_gray_cmyk_progressive);
    tcase_add_test(tc, jpeg_lines_come_out_before_the_end);
    tcase_add_test(tc, jpeg_garbage_is_an_error);
    tcase_add_test(tc, png_depths_and_colour_types);
    tcase_add_test(tc, png_truncated_and_streaming);
    tcase_add_test(tc, tiff_bilevel_gray_rgb_palette);
    tcase_add_test(tc, tiff_truncated_is_an_error);
    tcase_add_test(tc, dib_formats_and_orientations);
    tcase_add_test(tc, dib_streams_top_down_and_reports_truncation);
    tcase_add_test(tc, unknown_format_and_refused_frame);
    tcase_add_test(tc, image_bombs_are_refused_before_allocating);
    tcase_add_test(tc, images_at_the_limits_decode_one_pixel_more_does_not);
    tcase_add_test(tc, the_pixel_rule);
    suite_add_tcase(s, tc);
    return s;
}
