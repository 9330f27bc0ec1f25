// The simulator's test pattern and image encoder, checked through the codec
// libraries (libjpeg, libpng, libtiff; BMP and PNM by hand) so that encoder
// and checker agree with independent decoders, not only with each other.
#include "suites.h"

#include "../sim/image_decoder.h"
#include "../sim/image_encoder.h"
#include "../sim/pattern_checker.h"
#include "../sim/test_pattern.h"
#include "../sim/tiff_memory_file.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using namespace wsdsim;

namespace {

PageSpec spec(const std::string &format, const std::string &colour, int dpi = 100)
{
    PageSpec s;
    s.sheet = 3;
    s.source = "ADF";
    s.format = format;
    s.colorEntry = colour;
    s.xResolution = s.yResolution = dpi;
    return s;
}

// What the checker is told about a scan; the sheet and side only when the
// region holds their blocks.
CheckRequest requestFor(const PageSpec &s, bool identityVisible = true)
{
    CheckRequest r;
    r.kind = *parseScanKind(s.colorEntry);
    r.xResolution = s.xResolution;
    r.yResolution = s.yResolution;
    r.xOffset = s.xOffset;
    r.yOffset = s.yOffset;
    r.width = s.width;
    r.height = s.height;
    if (identityVisible) {
        r.sheet = s.sheet;
        r.back = s.back;
    }
    return r;
}

std::string reportText(const CheckReport &report)
{
    std::string text;
    for (const std::string &line : report.lines)
        text += line + "\n";
    return text;
}

void assertPatternReadsBack(const DecodedImage &image, const PageSpec &s, bool identityVisible = true)
{
    CheckReport report = checkPattern(image, requestFor(s, identityVisible));
    ck_assert_msg(report.ok, "%s %s: %s", s.format.c_str(), s.colorEntry.c_str(), reportText(report).c_str());
    if (identityVisible) {
        ck_assert_int_eq(*report.sheetCode, s.sheet);
        ck_assert(*report.back == s.back);
    }
}

// What a lossless decode must hold, derived from the pattern's own rows.
std::vector<uint8_t> expectedSamples(const PageSpec &s)
{
    TestPattern pattern(s);
    int channels = channelsOf(pattern.mode());
    std::vector<uint8_t> samples;
    std::vector<uint8_t> row(pattern.rowBytes());
    for (int y = 0; y < pattern.lines(); ++y) {
        pattern.renderRow(y, row.data());
        for (int x = 0; x < pattern.pixelsPerLine(); ++x) {
            for (int c = 0; c < channels; ++c) {
                switch (pattern.mode()) {
                case ColourMode::BlackAndWhite1:
                    samples.push_back((row[x / 8] >> (7 - x % 8)) & 1 ? 0 : 255);
                    break;
                case ColourMode::Grayscale16:
                case ColourMode::RGB48:
                    samples.push_back(row[2 * (x * channels + c)]);
                    break;
                default:
                    samples.push_back(row[x * channels + c]);
                }
            }
        }
    }
    return samples;
}

struct Combination {
    const char *format;
    const char *colour;
    const char *contentType;
    int bitDepth;
    bool lossless;
};

const Combination kCombinations[] = {
    {"jfif", "RGB24", "image/jpeg", 8, false},
    {"jfif", "Grayscale8", "image/jpeg", 8, false},
    {"exif", "RGB24", "image/jpeg", 8, false},
    {"png", "BlackAndWhite1", "image/png", 1, true},
    {"png", "Grayscale8", "image/png", 8, true},
    {"png", "Grayscale16", "image/png", 16, true},
    {"png", "RGB24", "image/png", 8, true},
    {"png", "RGB48", "image/png", 16, true},
    {"tiff-single-uncompressed", "BlackAndWhite1", "image/tiff", 1, true},
    {"tiff-single-uncompressed", "Grayscale8", "image/tiff", 8, true},
    {"tiff-single-uncompressed", "Grayscale16", "image/tiff", 16, true},
    {"tiff-single-uncompressed", "RGB24", "image/tiff", 8, true},
    {"tiff-single-uncompressed", "RGB48", "image/tiff", 16, true},
    {"tiff-single-g4", "BlackAndWhite1", "image/tiff", 1, true},
    {"dib", "BlackAndWhite1", "image/bmp", 1, true},
    {"dib", "Grayscale8", "image/bmp", 8, true},
    {"dib", "RGB24", "image/bmp", 8, true},
};
constexpr int kCombinationCount = sizeof kCombinations / sizeof kCombinations[0];

}  // namespace

// Each format x colour mode, front and back, at an odd width (so row padding
// and bit packing matter): the libraries decode it to the right size, the
// sheet number and side read back, and lossless formats match exactly.
START_TEST(every_format_and_colour_mode_reads_back)
{
    const Combination &c = kCombinations[_i / 2];
    PageSpec s = spec(c.format, c.colour);
    s.back = _i % 2 == 1;
    s.width = 8263;   // 826.3 px at 100 dpi: 826 pixels, not a multiple of 8 or 4
    ck_assert(canEncode(c.format, c.colour));
    EncodedImage encoded = encodePage(s);
    ck_assert_str_eq(encoded.contentType.c_str(), c.contentType);
    ck_assert_int_eq(encoded.pixelsPerLine, 826);
    ck_assert_int_eq(encoded.lines, 1100);

    DecodedImage image = decodeImage(encoded.bytes);
    ck_assert_int_eq(image.width, 826);
    ck_assert_int_eq(image.height, 1100);
    ck_assert_int_eq(image.channels, channelsOf(parseColourEntry(c.colour)));
    ck_assert_int_eq(image.bitDepth, c.bitDepth);
    if (std::string(c.format) != "exif") {   // Exif carries it in APP1, not JFIF
        ck_assert_double_eq_tol(image.xResolution, 100, 0.01);
        ck_assert_double_eq_tol(image.yResolution, 100, 0.01);
    }
    assertPatternReadsBack(image, s);
    if (c.lossless)
        ck_assert(image.samples == expectedSamples(s));
}
END_TEST

START_TEST(bytes_per_line_is_the_raw_stride_or_zero_when_compressed)
{
    PageSpec s = spec("jfif", "RGB24");
    s.width = 8263;
    ck_assert_int_eq(encodePage(s).bytesPerLine, 0);
    s.format = "png";
    ck_assert_int_eq(encodePage(s).bytesPerLine, 0);
    s.format = "tiff-single-uncompressed";
    ck_assert_int_eq(encodePage(s).bytesPerLine, 826 * 3);
    s.colorEntry = "BlackAndWhite1";
    ck_assert_int_eq(encodePage(s).bytesPerLine, 104);   // 826 bits
    s.format = "tiff-single-g4";
    ck_assert_int_eq(encodePage(s).bytesPerLine, 0);
    s.format = "dib";
    ck_assert_int_eq(encodePage(s).bytesPerLine, 104);   // padded to 4 bytes
    s.colorEntry = "RGB24";
    ck_assert_int_eq(encodePage(s).bytesPerLine, 2480);  // 2478 padded to 4
}
END_TEST

START_TEST(impossible_combinations_are_refused)
{
    const char *refused[][2] = {
        {"jfif", "BlackAndWhite1"}, {"jfif", "RGB48"},          {"exif", "Grayscale8"},
        {"tiff-single-g4", "RGB24"}, {"tiff-single-g4", "Grayscale8"}, {"dib", "Grayscale16"},
        {"pdf", "RGB24"},            {"png", "RGBa32"},              {"jfif", ""},
    };
    for (const auto &r : refused) {
        ck_assert_msg(!canEncode(r[0], r[1]), "%s %s", r[0], r[1]);
        bool threw = false;
        try {
            encodePage(spec(r[0], r[1]));
        } catch (const std::invalid_argument &) {
            threw = true;
        }
        ck_assert_msg(threw, "%s %s did not throw", r[0], r[1]);
    }
}
END_TEST

START_TEST(jpeg_markers_are_jfif_or_exif_as_asked)
{
    std::string jfif = encodePage(spec("jfif", "RGB24", 150)).bytes;
    // SOI, then APP0 "JFIF" with density unit 1 (dpi) and 150 x 150.
    ck_assert_int_eq(static_cast<uint8_t>(jfif[3]), 0xE0);
    ck_assert_int_eq(jfif.compare(6, 5, std::string("JFIF\0", 5)), 0);
    ck_assert_int_eq(jfif[13], 1);
    ck_assert_int_eq(static_cast<uint8_t>(jfif[14]) << 8 | static_cast<uint8_t>(jfif[15]), 150);
    ck_assert_int_eq(static_cast<uint8_t>(jfif[16]) << 8 | static_cast<uint8_t>(jfif[17]), 150);

    std::string exif = encodePage(spec("exif", "RGB24", 150)).bytes;
    ck_assert_int_eq(static_cast<uint8_t>(exif[3]), 0xE1);
    ck_assert_int_eq(exif.compare(6, 6, std::string("Exif\0\0", 6)), 0);
    ck_assert(exif.find("JFIF") == std::string::npos);
    // The Exif block is a big-endian TIFF structure whose IFD0 gives the
    // resolution (libtiff will not open an IFD without image dimensions, so
    // it is walked by hand here).
    std::string tiff = exif.substr(12);
    auto be16 = [&tiff](size_t at) { return static_cast<uint8_t>(tiff[at]) << 8 | static_cast<uint8_t>(tiff[at + 1]); };
    auto be32 = [&](size_t at) { return static_cast<uint32_t>(be16(at)) << 16 | static_cast<uint32_t>(be16(at + 2)); };
    ck_assert_int_eq(tiff.compare(0, 4, std::string("MM\0*", 4)), 0);
    size_t ifd = be32(4);
    int found = 0;
    for (int i = 0; i < be16(ifd); ++i) {
        size_t entry = ifd + 2 + 12 * static_cast<size_t>(i);
        int tag = be16(entry);
        if (tag == 0x011A || tag == 0x011B) {   // X/YResolution: RATIONAL at an offset
            ck_assert_int_eq(be16(entry + 2), 5);
            size_t at = be32(entry + 8);
            ck_assert_uint_eq(be32(at) / be32(at + 4), 150);
            ++found;
        } else if (tag == 0x0128) {   // ResolutionUnit: inch
            ck_assert_int_eq(be16(entry + 8), 2);
            ++found;
        }
    }
    ck_assert_int_eq(found, 3);
}
END_TEST

START_TEST(tiff_g4_is_bilevel_min_is_white_as_devices_send)
{
    std::string bytes = encodePage(spec("tiff-single-g4", "BlackAndWhite1")).bytes;
    TiffMemoryFile tiff(bytes, "r");
    uint16_t compression = 0, photometric = 0, bits = 0;
    TIFFGetField(tiff.tiff(), TIFFTAG_COMPRESSION, &compression);
    TIFFGetField(tiff.tiff(), TIFFTAG_PHOTOMETRIC, &photometric);
    TIFFGetField(tiff.tiff(), TIFFTAG_BITSPERSAMPLE, &bits);
    ck_assert_int_eq(compression, COMPRESSION_CCITTFAX4);
    ck_assert_int_eq(photometric, PHOTOMETRIC_MINISWHITE);
    ck_assert_int_eq(bits, 1);
}
END_TEST

START_TEST(dib_is_a_bottom_up_bmp_with_palette)
{
    PageSpec s = spec("dib", "Grayscale8");
    s.width = 8263;
    std::string bmp = encodePage(s).bytes;
    auto le32 = [&bmp](size_t at) {
        uint32_t v;
        std::memcpy(&v, &bmp[at], 4);   // the test machines are little-endian like BMP
        return v;
    };
    ck_assert_int_eq(bmp[0], 'B');
    ck_assert_int_eq(bmp[1], 'M');
    ck_assert_uint_eq(le32(2), bmp.size());
    ck_assert_uint_eq(le32(10), 14 + 40 + 256 * 4);
    ck_assert_uint_eq(le32(14), 40);
    ck_assert_int_eq(static_cast<int32_t>(le32(22)), 1100);   // positive: bottom-up
    ck_assert_uint_eq(le32(46), 256);
    // The last row in the file is the page's top row: white paper above the
    // bars at 100 dpi (row 0 is 5/1000 in from the top edge).
    size_t lastRow = le32(10) + 828 * 1099;
    ck_assert_int_eq(static_cast<uint8_t>(bmp[lastRow]), 255);
}
END_TEST

// A region scan shows exactly the part of the full page under it.
START_TEST(region_is_the_same_part_of_the_page)
{
    PageSpec full = spec("png", "RGB24", 300);
    PageSpec region = full;
    region.xOffset = 1000;   // 300 pixels at 300 dpi
    region.yOffset = 2000;   // 600 rows
    region.width = 3000;
    region.height = 4000;
    TestPattern page(full), part(region);
    ck_assert_int_eq(part.pixelsPerLine(), 900);
    ck_assert_int_eq(part.lines(), 1200);
    std::vector<uint8_t> pageRow(page.rowBytes()), partRow(part.rowBytes());
    for (int y = 0; y < part.lines(); ++y) {
        page.renderRow(y + 600, pageRow.data());
        part.renderRow(y, partRow.data());
        ck_assert(std::memcmp(partRow.data(), pageRow.data() + 3 * 300, partRow.size()) == 0);
    }
    assertPatternReadsBack(decodeImage(encodePage(region).bytes), region, false);
}
END_TEST

// The grid lines reveal a region offset the client got wrong.
START_TEST(checker_detects_a_wrong_offset)
{
    PageSpec s = spec("png", "Grayscale8", 150);
    s.xOffset = 300;
    s.yOffset = 250;
    s.width = 5000;
    s.height = 8000;
    DecodedImage image = decodeImage(encodePage(s).bytes);
    CheckRequest right = requestFor(s, false);
    ck_assert_msg(checkPattern(image, right).ok, "%s", reportText(checkPattern(image, right)).c_str());
    CheckRequest shifted = right;
    shifted.xOffset += 100;
    CheckReport report = checkPattern(image, shifted);
    ck_assert(!report.ok);
    ck_assert(reportText(report).find("FAIL vertical grid lines") != std::string::npos);
}
END_TEST

START_TEST(checker_reads_sheet_numbers_and_sides)
{
    for (int sheet : {1, 2, 7, 128, 255, 300}) {
        for (bool back : {false, true}) {
            PageSpec s = spec("jfif", "Grayscale8", 75);
            s.sheet = sheet;
            s.back = back;
            CheckReport report = checkPattern(decodeImage(encodePage(s).bytes), requestFor(s));
            ck_assert_msg(report.ok, "%s", reportText(report).c_str());
            ck_assert_int_eq(*report.sheetCode, sheet % 256);
            ck_assert(*report.back == back);
        }
    }
    PageSpec s = spec("png", "RGB24", 75);
    CheckRequest wrong = requestFor(s);
    wrong.sheet = 4;
    wrong.back = true;
    CheckReport report = checkPattern(decodeImage(encodePage(s).bytes), wrong);
    ck_assert(!report.ok);
    ck_assert(reportText(report).find("FAIL sheet number: reads 3, expected 4") != std::string::npos);
    ck_assert(reportText(report).find("FAIL side: reads front, expected back") != std::string::npos);
}
END_TEST

// A mirrored front must not pass for a back (nor a mirrored back for a front).
START_TEST(mirrored_image_reads_as_neither_side)
{
    PageSpec s = spec("png", "Grayscale8", 100);
    s.width = 8000;   // symmetric around the features' centre
    s.xOffset = 200;
    DecodedImage image = decodeImage(encodePage(s).bytes);
    for (int y = 0; y < image.height; ++y)
        std::reverse(image.samples.begin() + static_cast<long>(y) * image.width,
                     image.samples.begin() + static_cast<long>(y + 1) * image.width);
    CheckRequest request = requestFor(s);
    request.back.reset();
    CheckReport report = checkPattern(image, request);
    ck_assert(!report.ok);
    ck_assert(!report.back.has_value());
}
END_TEST

START_TEST(lineart_is_the_thresholded_luma)
{
    PageSpec s = spec("png", "BlackAndWhite1", 100);
    DecodedImage image = decodeImage(encodePage(s).bytes);
    TestPattern pattern(s);
    // Bars: white, yellow, cyan, green stay white; magenta, red, blue, black go black.
    for (int bar = 0; bar < layout::kBarCount; ++bar) {
        PageRect r = layout::colourBar(bar);
        int x = static_cast<int>((r.x0 + r.x1) / 2 / 10), y = static_cast<int>((r.y0 + r.y1) / 2 / 10);
        ck_assert_int_eq(image.at(x, y, 0), bar < 4 ? 255 : 0);
    }
}
END_TEST

// The benchmark page: texture brings an A4 600 dpi RGB24 JPEG at quality 85
// to 5-8 MB like a real scan. A quarter of the page keeps make check quick.
START_TEST(texture_gives_a_realistic_jpeg_size)
{
    PageSpec s = spec("jfif", "RGB24", 600);
    s.texture = true;
    s.width = 8268 / 2;
    s.height = 11693 / 2;
    EncodedImage image = encodePage(s);
    ck_assert_msg(image.bytes.size() > 5000000 / 4 && image.bytes.size() < 8000000 / 4, "quarter page: %zu bytes",
                  image.bytes.size());
    // Deterministic, and different for another sheet.
    ck_assert(encodePage(s).bytes == image.bytes);
    PageSpec other = s;
    other.sheet = 4;
    ck_assert(encodePage(other).bytes != image.bytes);
}
END_TEST

START_TEST(textured_pages_still_read_back)
{
    for (const char *colour : {"RGB24", "Grayscale8"}) {
        PageSpec s = spec("jfif", colour, 150);
        s.texture = true;
        s.back = true;
        assertPatternReadsBack(decodeImage(encodePage(s).bytes), s);
    }
    PageSpec s = spec("tiff-single-g4", "BlackAndWhite1", 200);
    s.texture = true;
    assertPatternReadsBack(decodeImage(encodePage(s).bytes), s);
}
END_TEST

// scanimage writes PNM; P4, P5 (8 and 16-bit) and P6 decode to the pattern.
START_TEST(pnm_files_decode)
{
    PageSpec s = spec("png", "RGB24", 75);
    s.width = 8263;
    TestPattern rgb(s);
    std::string p6 = "P6\n# scanimage\n" + std::to_string(rgb.pixelsPerLine()) + " " + std::to_string(rgb.lines()) +
                     "\n255\n";
    std::string p5 = "P5\n" + std::to_string(rgb.pixelsPerLine()) + " " + std::to_string(rgb.lines()) + "\n65535\n";
    s.colorEntry = "BlackAndWhite1";
    TestPattern bilevel(s);
    std::string p4 = "P4\n" + std::to_string(rgb.pixelsPerLine()) + " " + std::to_string(rgb.lines()) + "\n";
    s.colorEntry = "Grayscale16";
    TestPattern gray16(s);
    std::vector<uint8_t> row(rgb.rowBytes());
    for (int y = 0; y < rgb.lines(); ++y) {
        rgb.renderRow(y, row.data());
        p6.append(row.begin(), row.end());
        gray16.renderRow(y, row.data());
        p5.append(row.begin(), row.begin() + static_cast<long>(gray16.rowBytes()));
        bilevel.renderRow(y, row.data());
        p4.append(row.begin(), row.begin() + static_cast<long>(bilevel.rowBytes()));
    }
    for (const auto &[file, colour] : {std::pair{p6, "RGB24"}, {p5, "Grayscale16"}, {p4, "BlackAndWhite1"}}) {
        s.colorEntry = colour;
        DecodedImage image = decodeImage(file);
        ck_assert_str_eq(image.fileType.c_str(), "pnm");
        ck_assert(image.samples == expectedSamples(s));
        assertPatternReadsBack(image, s);
    }
}
END_TEST

START_TEST(decoder_refuses_damaged_files)
{
    std::string png = encodePage(spec("png", "RGB24", 75)).bytes;
    std::string jpeg = encodePage(spec("jfif", "RGB24", 75)).bytes;
    std::string g4 = encodePage(spec("tiff-single-g4", "BlackAndWhite1", 75)).bytes;
    for (const std::string &bad : {png.substr(0, png.size() / 2), jpeg.substr(0, 200), jpeg.substr(0, jpeg.size() / 2),
                                   g4.substr(0, g4.size() / 2), std::string("P6\n99999 99999\n255\n"),
                                   std::string("P5\n10 10\n255\nabc"), std::string("BM"), std::string("hello")}) {
        bool threw = false;
        try {
            decodeImage(bad);
        } catch (const std::runtime_error &) {
            threw = true;
        }
        ck_assert(threw);
    }
}
END_TEST

Suite *patternSuite()
{
    Suite *s = suite_create("test pattern");
    TCase *formats = tcase_create("formats");
    tcase_set_timeout(formats, 60);
    tcase_add_loop_test(formats, every_format_and_colour_mode_reads_back, 0, 2 * kCombinationCount);
    tcase_add_test(formats, bytes_per_line_is_the_raw_stride_or_zero_when_compressed);
    tcase_add_test(formats, impossible_combinations_are_refused);
    tcase_add_test(formats, jpeg_markers_are_jfif_or_exif_as_asked);
    tcase_add_test(formats, tiff_g4_is_bilevel_min_is_white_as_devices_send);
    tcase_add_test(formats, dib_is_a_bottom_up_bmp_with_palette);
    tcase_add_test(formats, pnm_files_decode);
    tcase_add_test(formats, decoder_refuses_damaged_files);
    suite_add_tcase(s, formats);
    TCase *pattern = tcase_create("pattern");
    tcase_set_timeout(pattern, 120);
    tcase_add_test(pattern, region_is_the_same_part_of_the_page);
    tcase_add_test(pattern, checker_detects_a_wrong_offset);
    tcase_add_test(pattern, checker_reads_sheet_numbers_and_sides);
    tcase_add_test(pattern, mirrored_image_reads_as_neither_side);
    tcase_add_test(pattern, lineart_is_the_thresholded_luma);
    tcase_add_test(pattern, texture_gives_a_realistic_jpeg_size);
    tcase_add_test(pattern, textured_pages_still_read_back);
    suite_add_tcase(s, pattern);
    return s;
}
