// TIFF through libtiff. libtiff wants random access (the directory may sit
// at the end of the file), so the file is buffered, bounded, and decoded at
// finish() line by line, once its size passed the limits, with whatever compression libtiff supports (G4,
// PackBits, LZW, JPEG, Deflate, none). Only the first page is read.
#include "wsd/image_decoder.h"

#include "wsd/log.h"
#include "wsd/shared_library.h"

#include <tiffio.h>

#include <cstdarg>
#include <cstring>
#include <vector>

namespace wsd {
namespace {

struct MemoryFile {
    const std::vector<uint8_t> *bytes;
    toff_t position = 0;
};

tmsize_t readProc(thandle_t handle, void *buffer, tmsize_t size)
{
    auto *file = static_cast<MemoryFile *>(handle);
    if (size < 0 || file->position >= file->bytes->size())
        return 0;
    std::size_t n = std::min<std::size_t>(size, file->bytes->size() - file->position);
    std::memcpy(buffer, file->bytes->data() + file->position, n);
    file->position += n;
    return static_cast<tmsize_t>(n);
}

tmsize_t writeProc(thandle_t, void *, tmsize_t) { return -1; }

toff_t seekProc(thandle_t handle, toff_t offset, int whence)
{
    auto *file = static_cast<MemoryFile *>(handle);
    toff_t base = whence == SEEK_CUR ? file->position : whence == SEEK_END ? file->bytes->size() : 0;
    file->position = base + offset;
    return file->position;
}

int closeProc(thandle_t) { return 0; }
toff_t sizeProc(thandle_t handle) { return static_cast<MemoryFile *>(handle)->bytes->size(); }

int onError(TIFF *, void *user, const char *module, const char *format, va_list args)
{
    auto *message = static_cast<std::string *>(user);
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    if (message->empty())
        *message = std::string("TIFF: ") + (module ? module : "") + (module ? ": " : "") + text;
    return 1;
}

int onWarning(TIFF *, void *, const char *module, const char *format, va_list args)
{
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    WSD_DETAIL("libtiff: %s: %s", module ? module : "", text);
    return 1;
}

// libtiff is opened when the first TIFF image arrives: most devices send
// JPEG, and libtiff with the codecs it links (WebP, LERC, JBIG, libdeflate)
// is ~420 kB resident in every frontend that merely loads the backend.
struct TiffLibrary {
    SharedLibrary library{WSD_TIFF_SONAME};
    decltype(&TIFFClientOpenExt) clientOpenExt = nullptr;
    decltype(&TIFFClose) close = nullptr;
    decltype(&TIFFGetField) getField = nullptr;
    decltype(&TIFFGetFieldDefaulted) getFieldDefaulted = nullptr;
    decltype(&TIFFIsTiled) isTiled = nullptr;
    decltype(&TIFFOpenOptionsAlloc) optionsAlloc = nullptr;
    decltype(&TIFFOpenOptionsFree) optionsFree = nullptr;
    decltype(&TIFFOpenOptionsSetErrorHandlerExtR) setErrorHandler = nullptr;
    decltype(&TIFFOpenOptionsSetMaxSingleMemAlloc) setMaxSingleMemAlloc = nullptr;
    decltype(&TIFFOpenOptionsSetWarningHandlerExtR) setWarningHandler = nullptr;
    decltype(&TIFFReadScanline) readScanline = nullptr;
    decltype(&TIFFScanlineSize) scanlineSize = nullptr;
    decltype(&TIFFSetField) setField = nullptr;
    bool complete = false;

    TiffLibrary()
    {
        complete = library.bind(clientOpenExt, "TIFFClientOpenExt") && library.bind(close, "TIFFClose") &&
                   library.bind(getField, "TIFFGetField") &&
                   library.bind(getFieldDefaulted, "TIFFGetFieldDefaulted") && library.bind(isTiled, "TIFFIsTiled") &&
                   library.bind(optionsAlloc, "TIFFOpenOptionsAlloc") &&
                   library.bind(optionsFree, "TIFFOpenOptionsFree") &&
                   library.bind(setErrorHandler, "TIFFOpenOptionsSetErrorHandlerExtR") &&
                   library.bind(setMaxSingleMemAlloc, "TIFFOpenOptionsSetMaxSingleMemAlloc") &&
                   library.bind(setWarningHandler, "TIFFOpenOptionsSetWarningHandlerExtR") &&
                   library.bind(readScanline, "TIFFReadScanline") &&
                   library.bind(scanlineSize, "TIFFScanlineSize") && library.bind(setField, "TIFFSetField");
    }
};

// Loaded once per process (thread-safe static), closed when the module is.
const TiffLibrary &tiffLibrary()
{
    static const TiffLibrary library;
    return library;
}

struct TiffCloser {
    void operator()(TIFF *tiff) const { tiffLibrary().close(tiff); }
};
struct OptionsFree {
    void operator()(TIFFOpenOptions *options) const { tiffLibrary().optionsFree(options); }
};

class TiffDecoder : public ImageDecoder {
public:
    TiffDecoder(LineSink &sink, const ImageLimits &limits) : sink_(sink), limits_(limits) {}

    bool feed(const uint8_t *data, std::size_t length) override
    {
        if (!error_.empty())
            return false;
        if (bytes_.size() + length > limits_.maxBufferedBytes())
            return failWith("TIFF: file larger than " + std::to_string(limits_.maxBufferedBytes()) +
                            " bytes, the most an image within the limits needs");
        bytes_.insert(bytes_.end(), data, data + length);
        return true;
    }

    // Called again while held(): the lines go on where they stopped.
    bool finish() override
    {
        if (!error_.empty())
            return false;
        held_ = false;
        const bool ok = (tiff_ || open()) && emitLines();
        if (!ok || !held_) {
            tiff_.reset();
            bytes_.clear();
            bytes_.shrink_to_fit();
        }
        return ok;
    }

private:
    enum class Layout { Bilevel, Gray, Rgb, Palette, Cmyk };

    // Reads the directory and announces the frame.
    bool open()
    {
        const TiffLibrary &lib = tiffLibrary();
        if (!lib.complete)
            return failWith("TIFF: " + lib.library.error());
        options_.reset(lib.optionsAlloc());
        lib.setErrorHandler(options_.get(), onError, &libError_);
        lib.setWarningHandler(options_.get(), onWarning, nullptr);
        // libtiff's own buffers (strip arrays, a strip's data) get no more
        // than the decoder may hold for the whole image.
        lib.setMaxSingleMemAlloc(options_.get(), static_cast<tmsize_t>(limits_.maxBufferedBytes()));
        file_ = MemoryFile{&bytes_};
        tiff_.reset(lib.clientOpenExt("scan", "rm", &file_, readProc, writeProc, seekProc, closeProc, sizeProc,
                                        nullptr, nullptr, options_.get()));
        TIFF *tiff = tiff_.get();
        if (!tiff)
            return failWith(libError_.empty() ? "TIFF: cannot read the file" : libError_);
        if (lib.isTiled(tiff))
            return failWith("TIFF: tiled images are not supported");

        uint32_t width = 0, height = 0;
        uint16_t bits = 1, samples = 1, photometric = PHOTOMETRIC_MINISWHITE, planar = PLANARCONFIG_CONTIG;
        uint16_t compression = COMPRESSION_NONE;
        lib.getField(tiff, TIFFTAG_IMAGEWIDTH, &width);
        lib.getField(tiff, TIFFTAG_IMAGELENGTH, &height);
        lib.getFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits);
        lib.getFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples);
        lib.getFieldDefaulted(tiff, TIFFTAG_PLANARCONFIG, &planar);
        lib.getFieldDefaulted(tiff, TIFFTAG_COMPRESSION, &compression);
        if (!lib.getField(tiff, TIFFTAG_PHOTOMETRIC, &photometric))
            photometric = samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISWHITE;
        if (width == 0 || height == 0)
            return failWith("TIFF: image without pixels");
        // Before any strip is read: decoding (G4 above all) costs time in
        // proportion to the size the directory claims.
        const std::string refusal = limits_.refusal(width, height);
        if (!refusal.empty())
            return failWith("TIFF: " + refusal);
        if (planar != PLANARCONFIG_CONTIG && samples > 1)
            return failWith("TIFF: separate colour planes are not supported");

        if (photometric == PHOTOMETRIC_YCBCR && compression == COMPRESSION_JPEG) {
            lib.setField(tiff, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
            photometric = PHOTOMETRIC_RGB;
        }

        Layout layout;
        ImageFrame frame;
        frame.width = static_cast<int>(width);
        frame.height = static_cast<int>(height);
        if ((photometric == PHOTOMETRIC_MINISWHITE || photometric == PHOTOMETRIC_MINISBLACK) && bits == 1) {
            layout = Layout::Bilevel;
            frame.depth = 1;
            frame.channels = 1;
        } else if ((photometric == PHOTOMETRIC_MINISWHITE || photometric == PHOTOMETRIC_MINISBLACK) &&
                   (bits == 2 || bits == 4 || bits == 8 || bits == 16)) {
            layout = Layout::Gray;
            frame.depth = bits == 16 ? 16 : 8;
            frame.channels = 1;
        } else if (photometric == PHOTOMETRIC_RGB && samples >= 3 && (bits == 8 || bits == 16)) {
            layout = Layout::Rgb;
            frame.depth = bits;
            frame.channels = 3;
        } else if (photometric == PHOTOMETRIC_PALETTE && (bits == 1 || bits == 2 || bits == 4 || bits == 8)) {
            layout = Layout::Palette;
            frame.depth = 8;
            frame.channels = 3;
            if (!lib.getField(tiff, TIFFTAG_COLORMAP, &red_, &green_, &blue_))
                return failWith("TIFF: palette image without a colour map");
        } else if (photometric == PHOTOMETRIC_SEPARATED && samples >= 4 && bits == 8) {
            layout = Layout::Cmyk;
            frame.depth = 8;
            frame.channels = 3;
        } else {
            return failWith("TIFF: unsupported pixel layout (photometric " + std::to_string(photometric) + ", " +
                            std::to_string(samples) + "x" + std::to_string(bits) + " bits)");
        }
        frame.bytesPerLine = frame.depth == 1 ? (std::size_t(width) + 7) / 8
                                              : std::size_t(width) * frame.channels * (frame.depth / 8);
        float xRes = 0, yRes = 0;
        uint16_t unit = RESUNIT_INCH;
        lib.getFieldDefaulted(tiff, TIFFTAG_RESOLUTIONUNIT, &unit);
        if (lib.getField(tiff, TIFFTAG_XRESOLUTION, &xRes) && lib.getField(tiff, TIFFTAG_YRESOLUTION, &yRes) &&
            unit != RESUNIT_NONE) {
            double scale = unit == RESUNIT_CENTIMETER ? 2.54 : 1.0;
            // Untrusted floats: keep only plausible resolutions.
            if (xRes * scale >= 1 && xRes * scale <= 100000 && yRes * scale >= 1 && yRes * scale <= 100000) {
                frame.xDpi = static_cast<int>(xRes * scale + 0.5);
                frame.yDpi = static_cast<int>(yRes * scale + 0.5);
            }
        }
        if (!sink_.onFrame(frame))
            return failWith("TIFF: line sink refused the frame");
        layout_ = layout;
        photometric_ = photometric;
        bits_ = bits;
        samples_ = samples;
        width_ = width;
        height_ = height;
        scanline_.resize(lib.scanlineSize(tiff));
        return true;
    }

    // The lines from the next one on, while the sink has room.
    bool emitLines()
    {
        for (; nextLine_ < height_; ++nextLine_) {
            if (sink_.full()) {
                held_ = true;
                return true;
            }
            if (tiffLibrary().readScanline(tiff_.get(), scanline_.data(), nextLine_, 0) < 0)
                return failWith((libError_.empty() ? "TIFF: cannot decode" : libError_) + " (line " +
                                std::to_string(nextLine_) + " of " + std::to_string(height_) + ")");
            uint8_t *line = sink_.lineBuffer();
            if (!line)
                return failWith("TIFF: line sink aborted");
            convert(layout_, photometric_, bits_, samples_, width_, scanline_.data(), line);
            if (!sink_.commitLine())
                return failWith("TIFF: line sink aborted");
            ++lines_;
        }
        return true;
    }

    void convert(Layout layout, uint16_t photometric, uint16_t bits, uint16_t samples, uint32_t width,
                 const uint8_t *in, uint8_t *out) const
    {
        const bool minIsWhite = photometric == PHOTOMETRIC_MINISWHITE;
        switch (layout) {
        case Layout::Bilevel: {
            // SANE lineart: 1 = black, as in MinIsWhite.
            std::size_t n = (std::size_t(width) + 7) / 8;
            if (minIsWhite) {
                std::memcpy(out, in, n);
            } else {
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = static_cast<uint8_t>(~in[i]);
            }
            if (width % 8)
                out[n - 1] &= static_cast<uint8_t>(0xFF << (8 - width % 8));
            break;
        }
        case Layout::Gray:
            if (bits == 16) {
                const auto *in16 = reinterpret_cast<const uint16_t *>(in);
                auto *out16 = reinterpret_cast<uint16_t *>(out);
                for (uint32_t x = 0; x < width; ++x)
                    out16[x] = minIsWhite ? uint16_t(65535 - in16[x * samples]) : in16[x * samples];
            } else {
                for (uint32_t x = 0; x < width; ++x) {
                    unsigned v = sample(in, x * samples, bits);
                    out[x] = static_cast<uint8_t>(minIsWhite ? 255 - v : v);
                }
            }
            break;
        case Layout::Rgb:
            if (bits == 16) {
                const auto *in16 = reinterpret_cast<const uint16_t *>(in);
                auto *out16 = reinterpret_cast<uint16_t *>(out);
                for (uint32_t x = 0; x < width; ++x)
                    std::memcpy(out16 + 3 * x, in16 + std::size_t(samples) * x, 6);
            } else if (samples == 3) {
                std::memcpy(out, in, std::size_t(width) * 3);
            } else {
                for (uint32_t x = 0; x < width; ++x)
                    std::memcpy(out + 3 * x, in + std::size_t(samples) * x, 3);
            }
            break;
        case Layout::Palette:
            for (uint32_t x = 0; x < width; ++x) {
                unsigned index = rawSample(in, x, bits);
                out[3 * x] = static_cast<uint8_t>(red_[index] >> 8);
                out[3 * x + 1] = static_cast<uint8_t>(green_[index] >> 8);
                out[3 * x + 2] = static_cast<uint8_t>(blue_[index] >> 8);
            }
            break;
        case Layout::Cmyk:
            for (uint32_t x = 0; x < width; ++x) {
                const uint8_t *p = in + std::size_t(samples) * x;
                unsigned white = 255 - p[3];
                out[3 * x] = static_cast<uint8_t>((255 - p[0]) * white / 255);
                out[3 * x + 1] = static_cast<uint8_t>((255 - p[1]) * white / 255);
                out[3 * x + 2] = static_cast<uint8_t>((255 - p[2]) * white / 255);
            }
            break;
        }
    }

    // Sample index i of a packed row, MSB first.
    static unsigned rawSample(const uint8_t *row, std::size_t i, unsigned bits)
    {
        if (bits == 8)
            return row[i];
        std::size_t bit = i * bits;
        return (row[bit / 8] >> (8 - bits - bit % 8)) & ((1u << bits) - 1);
    }

    // Scaled to 0..255.
    static unsigned sample(const uint8_t *row, std::size_t i, unsigned bits)
    {
        return rawSample(row, i, bits) * 255 / ((1u << bits) - 1);
    }

    LineSink &sink_;
    const ImageLimits limits_;
    std::vector<uint8_t> bytes_;
    // Open from the first finish() to the last line.
    std::string libError_;
    std::unique_ptr<TIFFOpenOptions, OptionsFree> options_;
    MemoryFile file_{&bytes_};
    std::unique_ptr<TIFF, TiffCloser> tiff_;
    Layout layout_ = Layout::Gray;
    uint16_t photometric_ = 0, bits_ = 0, samples_ = 0;
    uint32_t width_ = 0, height_ = 0, nextLine_ = 0;
    std::vector<uint8_t> scanline_;
    uint16_t *red_ = nullptr;
    uint16_t *green_ = nullptr;
    uint16_t *blue_ = nullptr;
};

}  // namespace

std::unique_ptr<ImageDecoder> makeTiffDecoder(LineSink &sink, const ImageLimits &limits)
{
    return std::make_unique<TiffDecoder>(sink, limits);
}

}  // namespace wsd
