#include "image_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include <jpeglib.h>
#include <png.h>

#include "test_pattern.h"
#include "tiff_memory_file.h"

namespace wsdsim {

namespace {

enum class Format { Jfif, Exif, Png, TiffUncompressed, TiffG4, Dib };

std::optional<Format> parseFormat(const std::string &format)
{
    if (format == "jfif") return Format::Jfif;
    if (format == "exif") return Format::Exif;
    if (format == "png") return Format::Png;
    if (format == "tiff-single-uncompressed") return Format::TiffUncompressed;
    if (format == "tiff-single-g4") return Format::TiffG4;
    if (format == "dib") return Format::Dib;
    return std::nullopt;
}

std::optional<ColourMode> tryColourMode(const std::string &colorEntry)
{
    try {
        return parseColourEntry(colorEntry);
    } catch (const std::invalid_argument &) {
        return std::nullopt;
    }
}

bool supports(Format format, ColourMode mode)
{
    switch (format) {
    case Format::Jfif: return mode == ColourMode::RGB24 || mode == ColourMode::Grayscale8;
    // Windows' WIA driver expects Exif JPEG in colour only.
    case Format::Exif: return mode == ColourMode::RGB24;
    case Format::Png:
    case Format::TiffUncompressed: return true;
    case Format::TiffG4: return mode == ColourMode::BlackAndWhite1;
    case Format::Dib:
        return mode == ColourMode::BlackAndWhite1 || mode == ColourMode::Grayscale8 || mode == ColourMode::RGB24;
    }
    return false;
}

// ---- JPEG ------------------------------------------------------------------

// libjpeg reports errors through error_exit, which must not return: turn them
// into exceptions (libjpeg-turbo is built with unwind tables on Debian).
[[noreturn]] void jpegErrorExit(j_common_ptr cinfo)
{
    char message[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, message);
    throw std::runtime_error(std::string("JPEG encoder: ") + message);
}

// Appends compressed data straight to the output string, 64 KiB at a time.
struct StringDestination {
    jpeg_destination_mgr manager;   // first member: libjpeg sees only this
    std::string *out;
    std::vector<JOCTET> buffer;
};

void destinationInit(j_compress_ptr cinfo)
{
    auto *dest = reinterpret_cast<StringDestination *>(cinfo->dest);
    dest->manager.next_output_byte = dest->buffer.data();
    dest->manager.free_in_buffer = dest->buffer.size();
}

boolean destinationEmpty(j_compress_ptr cinfo)
{
    auto *dest = reinterpret_cast<StringDestination *>(cinfo->dest);
    dest->out->append(reinterpret_cast<const char *>(dest->buffer.data()), dest->buffer.size());
    dest->manager.next_output_byte = dest->buffer.data();
    dest->manager.free_in_buffer = dest->buffer.size();
    return TRUE;
}

void destinationTerm(j_compress_ptr cinfo)
{
    auto *dest = reinterpret_cast<StringDestination *>(cinfo->dest);
    dest->out->append(reinterpret_cast<const char *>(dest->buffer.data()),
                      dest->buffer.size() - dest->manager.free_in_buffer);
}

struct JpegCompressor {
    jpeg_compress_struct cinfo{};
    jpeg_error_mgr error{};
    JpegCompressor()
    {
        cinfo.err = jpeg_std_error(&error);
        error.error_exit = jpegErrorExit;
        jpeg_create_compress(&cinfo);
    }
    ~JpegCompressor() { jpeg_destroy_compress(&cinfo); }
    JpegCompressor(const JpegCompressor &) = delete;
    JpegCompressor &operator=(const JpegCompressor &) = delete;
};

void put16be(std::string &s, unsigned v) { s += char(v >> 8); s += char(v & 0xFF); }
void put32be(std::string &s, unsigned long v) { put16be(s, (v >> 16) & 0xFFFF); put16be(s, v & 0xFFFF); }

// The APP1 Exif payload: a big-endian TIFF header with IFD0 holding the
// resolution (as rationals) and the orientation, which is what Windows reads.
std::string exifPayload(int xres, int yres)
{
    std::string s("Exif\0\0", 6);
    std::string tiff("MM\0\x2a", 4);
    put32be(tiff, 8);                // IFD0 right after the header
    const unsigned entries = 4;
    put16be(tiff, entries);
    unsigned long dataOffset = 8 + 2 + entries * 12 + 4;   // rationals follow the IFD
    auto entry = [&](unsigned tag, unsigned type, unsigned long count, unsigned long value, bool shortValue) {
        put16be(tiff, tag);
        put16be(tiff, type);
        put32be(tiff, count);
        if (shortValue) {
            put16be(tiff, value);
            put16be(tiff, 0);
        } else {
            put32be(tiff, value);
        }
    };
    entry(0x0112, 3, 1, 1, true);                 // Orientation: top-left
    entry(0x011A, 5, 1, dataOffset, false);       // XResolution
    entry(0x011B, 5, 1, dataOffset + 8, false);   // YResolution
    entry(0x0128, 3, 1, 2, true);                 // ResolutionUnit: inch
    put32be(tiff, 0);                             // no next IFD
    put32be(tiff, static_cast<unsigned long>(xres));
    put32be(tiff, 1);
    put32be(tiff, static_cast<unsigned long>(yres));
    put32be(tiff, 1);
    return s + tiff;
}

void encodeJpeg(const TestPattern &pattern, const PageSpec &spec, bool exif, std::string &out)
{
    JpegCompressor jpeg;
    StringDestination dest;
    dest.manager.init_destination = destinationInit;
    dest.manager.empty_output_buffer = destinationEmpty;
    dest.manager.term_destination = destinationTerm;
    dest.out = &out;
    dest.buffer.resize(64 * 1024);
    jpeg.cinfo.dest = &dest.manager;

    bool colour = pattern.mode() == ColourMode::RGB24;
    jpeg.cinfo.image_width = static_cast<JDIMENSION>(pattern.pixelsPerLine());
    jpeg.cinfo.image_height = static_cast<JDIMENSION>(pattern.lines());
    jpeg.cinfo.input_components = colour ? 3 : 1;
    jpeg.cinfo.in_color_space = colour ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&jpeg.cinfo);
    jpeg_set_quality(&jpeg.cinfo, std::clamp(spec.jpegQuality, 1, 100), TRUE);
    jpeg.cinfo.dct_method = JDCT_ISLOW;
    if (exif) {
        jpeg.cinfo.write_JFIF_header = FALSE;
    } else {
        jpeg.cinfo.write_JFIF_header = TRUE;
        jpeg.cinfo.density_unit = 1;   // dots per inch
        jpeg.cinfo.X_density = static_cast<UINT16>(spec.xResolution);
        jpeg.cinfo.Y_density = static_cast<UINT16>(spec.yResolution);
    }
    jpeg_start_compress(&jpeg.cinfo, TRUE);
    if (exif) {
        std::string app1 = exifPayload(spec.xResolution, spec.yResolution);
        jpeg_write_marker(&jpeg.cinfo, JPEG_APP0 + 1, reinterpret_cast<const JOCTET *>(app1.data()),
                          static_cast<unsigned>(app1.size()));
    }
    std::vector<uint8_t> row(pattern.rowBytes());
    JSAMPROW rows[1] = {row.data()};
    for (int y = 0; y < pattern.lines(); ++y) {
        pattern.renderRow(y, row.data());
        jpeg_write_scanlines(&jpeg.cinfo, rows, 1);
    }
    jpeg_finish_compress(&jpeg.cinfo);
}

// ---- PNG -------------------------------------------------------------------

[[noreturn]] void pngError(png_structp, png_const_charp message)
{
    throw std::runtime_error(std::string("PNG encoder: ") + message);
}

void pngWrite(png_structp png, png_bytep data, png_size_t length)
{
    static_cast<std::string *>(png_get_io_ptr(png))->append(reinterpret_cast<const char *>(data), length);
}

void pngFlush(png_structp) {}

struct PngWriter {
    png_structp png = nullptr;
    png_infop info = nullptr;
    PngWriter()
    {
        png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, pngError, nullptr);
        if (!png)
            throw std::runtime_error("PNG encoder: out of memory");
        info = png_create_info_struct(png);
        if (!info) {
            png_destroy_write_struct(&png, nullptr);
            throw std::runtime_error("PNG encoder: out of memory");
        }
    }
    ~PngWriter() { png_destroy_write_struct(&png, &info); }
    PngWriter(const PngWriter &) = delete;
    PngWriter &operator=(const PngWriter &) = delete;
};

void encodePng(const TestPattern &pattern, const PageSpec &spec, std::string &out)
{
    PngWriter writer;
    png_set_write_fn(writer.png, &out, pngWrite, pngFlush);
    ColourMode mode = pattern.mode();
    int colourType = channelsOf(mode) == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY;
    png_set_IHDR(writer.png, writer.info, static_cast<png_uint_32>(pattern.pixelsPerLine()),
                 static_cast<png_uint_32>(pattern.lines()), bitsPerSampleOf(mode), colourType,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_pHYs(writer.png, writer.info, static_cast<png_uint_32>(std::lround(spec.xResolution / 0.0254)),
                 static_cast<png_uint_32>(std::lround(spec.yResolution / 0.0254)), PNG_RESOLUTION_METER);
    // A simulated device must keep up with a fast client: favour speed. One
    // fixed filter avoids libpng trying all five on every row (4x faster).
    png_set_compression_level(writer.png, 3);
    png_set_filter(writer.png, 0, PNG_FILTER_SUB);
    png_write_info(writer.png, writer.info);
    // PNG's 1-bit gray has 0 = black; the pattern's packed rows have 1 = black.
    if (mode == ColourMode::BlackAndWhite1)
        png_set_invert_mono(writer.png);
    std::vector<uint8_t> row(pattern.rowBytes());
    for (int y = 0; y < pattern.lines(); ++y) {
        pattern.renderRow(y, row.data());
        png_write_row(writer.png, row.data());
    }
    png_write_end(writer.png, writer.info);
}

// ---- TIFF ------------------------------------------------------------------

void encodeTiff(const TestPattern &pattern, const PageSpec &spec, bool g4, std::string &out)
{
    TiffMemoryFile file(std::string(), "w");
    TIFF *tiff = file.tiff();
    ColourMode mode = pattern.mode();
    int channels = channelsOf(mode);
    int bits = bitsPerSampleOf(mode);
    TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(pattern.pixelsPerLine()));
    TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(pattern.lines()));
    TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, static_cast<uint16_t>(channels));
    TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, static_cast<uint16_t>(bits));
    TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tiff, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
    TIFFSetField(tiff, TIFFTAG_XRESOLUTION, static_cast<float>(spec.xResolution));
    TIFFSetField(tiff, TIFFTAG_YRESOLUTION, static_cast<float>(spec.yResolution));
    TIFFSetField(tiff, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    // Bilevel as devices send it: 1 = black (MinIsWhite), which is also the
    // pattern's packed row layout.
    uint16_t photometric = channels == 3 ? PHOTOMETRIC_RGB
                           : mode == ColourMode::BlackAndWhite1 ? PHOTOMETRIC_MINISWHITE
                                                                 : PHOTOMETRIC_MINISBLACK;
    TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, photometric);
    if (g4) {
        TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
        TIFFSetField(tiff, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
        TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, static_cast<uint32_t>(pattern.lines()));
    } else {
        TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
        TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tiff, 0));
    }
    std::vector<uint8_t> row(pattern.rowBytes());
    for (int y = 0; y < pattern.lines(); ++y) {
        pattern.renderRow(y, row.data());
        // libtiff takes 16-bit samples in host order; the pattern's are big-endian.
        if (bits == 16) {
            for (size_t i = 0; i + 1 < row.size(); i += 2) {
                uint16_t v = static_cast<uint16_t>(row[i] << 8 | row[i + 1]);
                std::memcpy(&row[i], &v, 2);
            }
        }
        if (TIFFWriteScanline(tiff, row.data(), static_cast<uint32_t>(y), 0) < 0)
            throw std::runtime_error("TIFF encoder: writing a row failed: " + file.firstError());
    }
    out = file.finish();
}

// ---- DIB (BMP file) --------------------------------------------------------

void put16le(std::string &s, size_t at, unsigned v) { s[at] = char(v & 0xFF); s[at + 1] = char(v >> 8); }
void put32le(std::string &s, size_t at, unsigned long v)
{
    put16le(s, at, v & 0xFFFF);
    put16le(s, at + 2, (v >> 16) & 0xFFFF);
}

size_t dibStride(const TestPattern &pattern)
{
    int bits = pattern.mode() == ColourMode::BlackAndWhite1 ? 1 : pattern.mode() == ColourMode::Grayscale8 ? 8 : 24;
    return (static_cast<size_t>(pattern.pixelsPerLine()) * bits + 31) / 32 * 4;
}

void encodeDib(const TestPattern &pattern, const PageSpec &spec, std::string &out)
{
    ColourMode mode = pattern.mode();
    int bits = mode == ColourMode::BlackAndWhite1 ? 1 : mode == ColourMode::Grayscale8 ? 8 : 24;
    unsigned paletteEntries = bits == 24 ? 0 : 1U << bits;
    size_t stride = dibStride(pattern);
    size_t headers = 14 + 40 + 4 * paletteEntries;
    size_t imageBytes = stride * static_cast<size_t>(pattern.lines());
    out.assign(headers + imageBytes, '\0');
    // BITMAPFILEHEADER
    out[0] = 'B';
    out[1] = 'M';
    put32le(out, 2, headers + imageBytes);
    put32le(out, 10, headers);
    // BITMAPINFOHEADER; a positive height means bottom-up rows.
    put32le(out, 14, 40);
    put32le(out, 18, static_cast<unsigned long>(pattern.pixelsPerLine()));
    put32le(out, 22, static_cast<unsigned long>(pattern.lines()));
    put16le(out, 26, 1);
    put16le(out, 28, static_cast<unsigned>(bits));
    put32le(out, 30, 0);   // BI_RGB, uncompressed
    put32le(out, 34, imageBytes);
    put32le(out, 38, static_cast<unsigned long>(std::lround(spec.xResolution / 0.0254)));
    put32le(out, 42, static_cast<unsigned long>(std::lround(spec.yResolution / 0.0254)));
    put32le(out, 46, paletteEntries);
    put32le(out, 50, 0);
    // Gray palette (B, G, R, 0): index 0 black. For 1 bit, index 1 is white,
    // so the pattern's 1 = black bits are inverted below.
    for (unsigned i = 0; i < paletteEntries; ++i) {
        auto v = static_cast<char>(paletteEntries == 2 ? i * 255 : i);
        size_t at = 54 + 4 * i;
        out[at] = out[at + 1] = out[at + 2] = v;
    }
    std::vector<uint8_t> row(pattern.rowBytes());
    for (int y = 0; y < pattern.lines(); ++y) {
        auto *dst = reinterpret_cast<uint8_t *>(&out[headers + stride * static_cast<size_t>(pattern.lines() - 1 - y)]);
        if (bits == 24) {
            pattern.renderRow(y, dst);
            for (int x = 0; x < pattern.pixelsPerLine(); ++x)
                std::swap(dst[3 * x], dst[3 * x + 2]);   // RGB to BGR
        } else {
            pattern.renderRow(y, row.data());
            for (size_t i = 0; i < row.size(); ++i)
                dst[i] = bits == 1 ? static_cast<uint8_t>(~row[i]) : row[i];
            if (bits == 1 && pattern.pixelsPerLine() % 8)   // keep the padding bits zero
                dst[row.size() - 1] &= static_cast<uint8_t>(0xFF00 >> (pattern.pixelsPerLine() % 8));
        }
    }
}

}  // namespace

bool canEncode(const std::string &format, const std::string &colorEntry)
{
    std::optional<Format> f = parseFormat(format);
    std::optional<ColourMode> mode = tryColourMode(colorEntry);
    return f && mode && supports(*f, *mode);
}

EncodedImage encodePage(const PageSpec &spec)
{
    std::optional<Format> format = parseFormat(spec.format);
    if (!format)
        throw std::invalid_argument("image encoder: unsupported format '" + spec.format + "'");
    TestPattern pattern(spec);
    if (!supports(*format, pattern.mode()))
        throw std::invalid_argument("image encoder: format '" + spec.format + "' cannot carry " + spec.colorEntry);

    EncodedImage image;
    image.pixelsPerLine = pattern.pixelsPerLine();
    image.lines = pattern.lines();
    image.bytesPerLine = 0;
    switch (*format) {
    case Format::Jfif:
    case Format::Exif:
        image.contentType = "image/jpeg";
        encodeJpeg(pattern, spec, *format == Format::Exif, image.bytes);
        break;
    case Format::Png:
        image.contentType = "image/png";
        encodePng(pattern, spec, image.bytes);
        break;
    case Format::TiffUncompressed:
        image.contentType = "image/tiff";
        image.bytesPerLine = static_cast<int>(pattern.rowBytes());
        encodeTiff(pattern, spec, false, image.bytes);
        break;
    case Format::TiffG4:
        image.contentType = "image/tiff";
        encodeTiff(pattern, spec, true, image.bytes);
        break;
    case Format::Dib:
        image.contentType = "image/bmp";
        image.bytesPerLine = static_cast<int>(dibStride(pattern));
        encodeDib(pattern, spec, image.bytes);
        break;
    }
    return image;
}

}  // namespace wsdsim
