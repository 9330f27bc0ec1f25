#include "image_decoder.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <jpeglib.h>
#include <png.h>

#include "tiff_memory_file.h"

namespace wsdsim {

namespace {

// Bounds on what a checker will read and allocate for an untrusted file:
// A4 or Letter at 1200 dpi is 140 Mpixel; its uncompressed colour file 420 MB.
constexpr uint64_t kMaxPixels = 160ULL * 1000 * 1000;
constexpr std::streamoff kMaxFileBytes = 1024LL * 1024 * 1024;

void allocate(DecodedImage &image, uint64_t width, uint64_t height, int channels)
{
    if (width == 0 || height == 0 || width * height > kMaxPixels)
        throw std::runtime_error("image size " + std::to_string(width) + "x" + std::to_string(height) +
                                 " is empty or too large");
    image.width = static_cast<int>(width);
    image.height = static_cast<int>(height);
    image.channels = channels;
    image.samples.assign(width * height * static_cast<uint64_t>(channels), 0);
}

// ---- PNM -------------------------------------------------------------------

// Header tokens are separated by whitespace; '#' starts a comment to end of line.
unsigned long pnmToken(const std::string &bytes, size_t &pos)
{
    for (;;) {
        while (pos < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[pos])))
            ++pos;
        if (pos < bytes.size() && bytes[pos] == '#') {
            while (pos < bytes.size() && bytes[pos] != '\n')
                ++pos;
            continue;
        }
        break;
    }
    size_t start = pos;
    unsigned long value = 0;
    while (pos < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[pos])) && pos - start < 9)
        value = value * 10 + static_cast<unsigned long>(bytes[pos++] - '0');
    if (pos == start)
        throw std::runtime_error("PNM: bad header");
    return value;
}

DecodedImage decodePnm(const std::string &bytes)
{
    DecodedImage image;
    image.fileType = "pnm";
    char kind = bytes[1];
    size_t pos = 2;
    unsigned long width = pnmToken(bytes, pos);
    unsigned long height = pnmToken(bytes, pos);
    unsigned long maxval = kind == '4' ? 1 : pnmToken(bytes, pos);
    if (maxval == 0 || maxval > 65535)
        throw std::runtime_error("PNM: bad maxval");
    ++pos;   // the single whitespace byte before the raster
    int channels = kind == '6' ? 3 : 1;
    allocate(image, width, height, channels);
    image.bitDepth = kind == '4' ? 1 : maxval > 255 ? 16 : 8;
    uint64_t rowBytes = kind == '4' ? (width + 7) / 8 : width * channels * (maxval > 255 ? 2 : 1);
    if (pos > bytes.size() || bytes.size() - pos < rowBytes * height)
        throw std::runtime_error("PNM: raster is truncated");
    const auto *raster = reinterpret_cast<const uint8_t *>(bytes.data() + pos);
    for (uint64_t y = 0; y < height; ++y) {
        const uint8_t *row = raster + y * rowBytes;
        uint8_t *out = &image.samples[y * width * channels];
        for (uint64_t i = 0; i < width * channels; ++i) {
            if (kind == '4') {
                out[i] = (row[i / 8] >> (7 - i % 8)) & 1 ? 0 : 255;   // PBM: 1 = black
            } else {
                unsigned v = maxval > 255 ? (row[2 * i] << 8 | row[2 * i + 1]) : row[i];
                out[i] = static_cast<uint8_t>(maxval == 255 ? v : (v * 255 + maxval / 2) / maxval);
            }
        }
    }
    return image;
}

// ---- PNG -------------------------------------------------------------------

[[noreturn]] void pngError(png_structp, png_const_charp message)
{
    throw std::runtime_error(std::string("PNG: ") + message);
}
void pngWarning(png_structp, png_const_charp) {}

struct PngSource {
    const std::string *bytes;
    size_t position;
};

void pngRead(png_structp png, png_bytep to, png_size_t length)
{
    auto *source = static_cast<PngSource *>(png_get_io_ptr(png));
    if (source->bytes->size() - source->position < length)
        png_error(png, "file is truncated");
    std::memcpy(to, source->bytes->data() + source->position, length);
    source->position += length;
}

struct PngReader {
    png_structp png;
    png_infop info = nullptr;
    PngReader() : png(png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, pngError, pngWarning))
    {
        if (!png)
            throw std::runtime_error("PNG: out of memory");
        info = png_create_info_struct(png);
        if (!info) {
            png_destroy_read_struct(&png, nullptr, nullptr);
            throw std::runtime_error("PNG: out of memory");
        }
    }
    ~PngReader() { png_destroy_read_struct(&png, &info, nullptr); }
    PngReader(const PngReader &) = delete;
    PngReader &operator=(const PngReader &) = delete;
};

DecodedImage decodePng(const std::string &bytes)
{
    DecodedImage image;
    image.fileType = "png";
    PngReader reader;
    PngSource source{&bytes, 0};
    png_set_read_fn(reader.png, &source, pngRead);
    png_set_user_limits(reader.png, 1U << 20, 1U << 20);
    png_read_info(reader.png, reader.info);
    png_uint_32 width = png_get_image_width(reader.png, reader.info);
    png_uint_32 height = png_get_image_height(reader.png, reader.info);
    int colourType = png_get_color_type(reader.png, reader.info);
    image.bitDepth = png_get_bit_depth(reader.png, reader.info);
    png_uint_32 xppm = png_get_x_pixels_per_meter(reader.png, reader.info);
    png_uint_32 yppm = png_get_y_pixels_per_meter(reader.png, reader.info);
    image.xResolution = xppm * 0.0254;
    image.yResolution = yppm * 0.0254;
    // Everything becomes 8-bit gray or RGB: palettes expand, alpha goes.
    if (colourType == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(reader.png);
    if (colourType == PNG_COLOR_TYPE_GRAY && image.bitDepth < 8)
        png_set_expand_gray_1_2_4_to_8(reader.png);
    if (image.bitDepth == 16)
        png_set_strip_16(reader.png);
    if (colourType & PNG_COLOR_MASK_ALPHA)
        png_set_strip_alpha(reader.png);
    png_read_update_info(reader.png, reader.info);
    int channels = png_get_channels(reader.png, reader.info);
    if (channels != 1 && channels != 3)
        throw std::runtime_error("PNG: unexpected channel count");
    allocate(image, width, height, channels);
    for (png_uint_32 y = 0; y < height; ++y)
        png_read_row(reader.png, &image.samples[static_cast<size_t>(y) * width * channels], nullptr);
    return image;
}

// ---- JPEG ------------------------------------------------------------------

[[noreturn]] void jpegErrorExit(j_common_ptr cinfo)
{
    char message[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, message);
    throw std::runtime_error(std::string("JPEG: ") + message);
}
// libjpeg only warns about corrupt or truncated data and fills the rest
// with gray; a checker must refuse such a file instead.
void jpegWarningIsError(j_common_ptr cinfo, int level)
{
    if (level < 0)
        jpegErrorExit(cinfo);
}

struct JpegDecompressor {
    jpeg_decompress_struct cinfo{};
    jpeg_error_mgr error{};
    JpegDecompressor()
    {
        cinfo.err = jpeg_std_error(&error);
        error.error_exit = jpegErrorExit;
        error.emit_message = jpegWarningIsError;
        jpeg_create_decompress(&cinfo);
    }
    ~JpegDecompressor() { jpeg_destroy_decompress(&cinfo); }
    JpegDecompressor(const JpegDecompressor &) = delete;
    JpegDecompressor &operator=(const JpegDecompressor &) = delete;
};

DecodedImage decodeJpeg(const std::string &bytes)
{
    DecodedImage image;
    image.fileType = "jpeg";
    image.bitDepth = 8;
    JpegDecompressor jpeg;
    jpeg_mem_src(&jpeg.cinfo, reinterpret_cast<const unsigned char *>(bytes.data()),
                 static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&jpeg.cinfo, TRUE);
    int channels = jpeg.cinfo.num_components == 1 ? 1 : 3;
    jpeg.cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    if (jpeg.cinfo.saw_JFIF_marker && jpeg.cinfo.density_unit == 1) {
        image.xResolution = jpeg.cinfo.X_density;
        image.yResolution = jpeg.cinfo.Y_density;
    }
    allocate(image, jpeg.cinfo.image_width, jpeg.cinfo.image_height, channels);
    jpeg_start_decompress(&jpeg.cinfo);
    while (jpeg.cinfo.output_scanline < jpeg.cinfo.output_height) {
        JSAMPROW row = &image.samples[static_cast<size_t>(jpeg.cinfo.output_scanline) * image.width * channels];
        jpeg_read_scanlines(&jpeg.cinfo, &row, 1);
    }
    jpeg_finish_decompress(&jpeg.cinfo);
    return image;
}

// ---- TIFF ------------------------------------------------------------------

DecodedImage decodeTiff(const std::string &bytes)
{
    DecodedImage image;
    image.fileType = "tiff";
    TiffMemoryFile file(bytes, "r");
    TIFF *tiff = file.tiff();
    uint32_t width = 0, height = 0;
    uint16_t samplesPerPixel = 1, bitsPerSample = 1, unit = RESUNIT_INCH;
    float xres = 0, yres = 0;
    TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samplesPerPixel);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bitsPerSample);
    image.bitDepth = bitsPerSample;
    if (TIFFGetField(tiff, TIFFTAG_XRESOLUTION, &xres) && TIFFGetField(tiff, TIFFTAG_YRESOLUTION, &yres)) {
        TIFFGetFieldDefaulted(tiff, TIFFTAG_RESOLUTIONUNIT, &unit);
        double toInch = unit == RESUNIT_CENTIMETER ? 2.54 : 1.0;
        image.xResolution = xres * toInch;
        image.yResolution = yres * toInch;
    }
    int channels = samplesPerPixel >= 3 ? 3 : 1;
    allocate(image, width, height, channels);
    // libtiff's RGBA interface decodes every photometric, depth and
    // compression (G4 included) the same way; gray comes back as R = G = B.
    std::vector<uint32_t> rgba(static_cast<size_t>(width) * height);
    if (!TIFFReadRGBAImageOriented(tiff, width, height, rgba.data(), ORIENTATION_TOPLEFT, 1))
        throw std::runtime_error("TIFF: cannot decode the image: " + file.firstError());
    for (size_t i = 0; i < rgba.size(); ++i) {
        if (channels == 1) {
            image.samples[i] = static_cast<uint8_t>(TIFFGetR(rgba[i]));
        } else {
            image.samples[3 * i] = static_cast<uint8_t>(TIFFGetR(rgba[i]));
            image.samples[3 * i + 1] = static_cast<uint8_t>(TIFFGetG(rgba[i]));
            image.samples[3 * i + 2] = static_cast<uint8_t>(TIFFGetB(rgba[i]));
        }
    }
    return image;
}

// ---- BMP (by hand: no library involved) --------------------------------------

uint32_t le32(const std::string &b, size_t at)
{
    return static_cast<uint32_t>(static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8 |
                                 static_cast<uint8_t>(b[at + 2]) << 16 |
                                 static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24);
}
uint16_t le16(const std::string &b, size_t at)
{
    return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8);
}

DecodedImage decodeBmp(const std::string &bytes)
{
    DecodedImage image;
    image.fileType = "bmp";
    if (bytes.size() < 54)
        throw std::runtime_error("BMP: truncated header");
    uint32_t dataOffset = le32(bytes, 10);
    uint32_t headerSize = le32(bytes, 14);
    auto width = static_cast<int32_t>(le32(bytes, 18));
    auto height = static_cast<int32_t>(le32(bytes, 22));
    uint16_t bits = le16(bytes, 28);
    uint32_t compression = le32(bytes, 30);
    if (headerSize < 40 || compression != 0 || (bits != 1 && bits != 8 && bits != 24) || width <= 0 || height == 0)
        throw std::runtime_error("BMP: only uncompressed 1, 8 and 24-bit images are read");
    image.bitDepth = bits == 24 ? 8 : bits;
    image.xResolution = le32(bytes, 38) * 0.0254;
    image.yResolution = le32(bytes, 42) * 0.0254;
    bool bottomUp = height > 0;
    uint64_t rows = bottomUp ? static_cast<uint64_t>(height) : static_cast<uint64_t>(-static_cast<int64_t>(height));
    // Palette entries are B, G, R, reserved; 1 and 8-bit images here are gray.
    uint32_t paletteSize = bits == 24 ? 0 : (le32(bytes, 46) ? le32(bytes, 46) : 1U << bits);
    size_t paletteAt = 14 + headerSize;
    if (paletteSize > 256 || paletteAt + 4ULL * paletteSize > bytes.size())
        throw std::runtime_error("BMP: bad palette");
    allocate(image, static_cast<uint64_t>(width), rows, bits == 24 ? 3 : 1);
    uint64_t stride = (static_cast<uint64_t>(width) * bits + 31) / 32 * 4;
    if (dataOffset > bytes.size() || bytes.size() - dataOffset < stride * rows)
        throw std::runtime_error("BMP: pixel data is truncated");
    for (uint64_t y = 0; y < rows; ++y) {
        uint64_t fileRow = bottomUp ? rows - 1 - y : y;
        const auto *src = reinterpret_cast<const uint8_t *>(bytes.data() + dataOffset + fileRow * stride);
        uint8_t *out = &image.samples[y * width * image.channels];
        for (int32_t x = 0; x < width; ++x) {
            if (bits == 24) {
                out[3 * x] = src[3 * x + 2];
                out[3 * x + 1] = src[3 * x + 1];
                out[3 * x + 2] = src[3 * x];
                continue;
            }
            unsigned index = bits == 8 ? src[x] : (src[x / 8] >> (7 - x % 8)) & 1;
            if (index >= paletteSize)
                throw std::runtime_error("BMP: pixel outside the palette");
            out[x] = static_cast<uint8_t>(bytes[paletteAt + 4 * index + 1]);   // green of a gray entry
        }
    }
    return image;
}

}  // namespace

DecodedImage decodeImage(const std::string &bytes)
{
    if (bytes.size() >= 3 && bytes[0] == 'P' && (bytes[1] == '4' || bytes[1] == '5' || bytes[1] == '6'))
        return decodePnm(bytes);
    if (bytes.size() >= 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0)
        return decodePng(bytes);
    if (bytes.size() >= 3 && static_cast<uint8_t>(bytes[0]) == 0xFF && static_cast<uint8_t>(bytes[1]) == 0xD8)
        return decodeJpeg(bytes);
    if (bytes.size() >= 4 && (bytes.compare(0, 4, "II*\0", 4) == 0 || bytes.compare(0, 4, "MM\0*", 4) == 0))
        return decodeTiff(bytes);
    if (bytes.size() >= 2 && bytes[0] == 'B' && bytes[1] == 'M')
        return decodeBmp(bytes);
    throw std::runtime_error("not a PNM, PNG, JPEG, TIFF or BMP file");
}

DecodedImage readImageFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    if (in.tellg() > kMaxFileBytes)
        throw std::runtime_error(path + " is larger than 1 GiB");
    in.seekg(0);
    std::ostringstream contents;
    contents << in.rdbuf();
    return decodeImage(contents.str());
}

}  // namespace wsdsim
