// Incremental image decoders: bytes are pushed in as they arrive from the
// network, scanlines come out in SANE's conventions as soon as they can be
// decoded, written straight into the consumer's buffer.
#pragma once

#include "wsd/image_limits.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace wsd {

// SANE's conventions: RGB 8 or 16 bit interleaved, gray 8 or 16 bit, 16-bit
// samples in host byte order; depth 1 lines are MSB first with 1 = black,
// padded to whole bytes.
struct ImageFrame {
    int width = 0;
    int height = 0;  // -1: unknown
    int depth = 8;   // 1, 8 or 16
    int channels = 1;  // 1 or 3
    std::size_t bytesPerLine = 0;
    int xDpi = 0;  // 0: the image does not say
    int yDpi = 0;
};

class LineSink {
public:
    virtual ~LineSink() = default;
    // Before the first line; false aborts.
    virtual bool onFrame(const ImageFrame &frame) = 0;
    // Where the next line (bytesPerLine bytes) goes; nullptr aborts. Each
    // call may give another place (the consumer's buffer changes between
    // feeds): a decoder writes the whole line after its last lineBuffer()
    // call and before commitLine().
    virtual uint8_t *lineBuffer() = 0;
    // The line at lineBuffer() is complete; false aborts.
    virtual bool commitLine() = 0;
    // No room for more lines now: a decoder that can stop between lines
    // asks before each one, and holds the rest back (ImageDecoder::held()).
    virtual bool full() const { return false; }
};

class ImageDecoder {
public:
    virtual ~ImageDecoder() = default;
    // False when the data is invalid or the sink aborted; error() says why.
    virtual bool feed(const uint8_t *data, std::size_t length) = 0;
    // End of the image data: false when it is truncated or invalid (the
    // lines delivered so far stay delivered).
    virtual bool finish() = 0;
    const std::string &error() const { return error_; }
    int linesDelivered() const { return lines_; }
    // The decoder stopped at a full sink with lines still to give: when
    // there is room, feed() no new bytes (an empty feed) to go on, or call
    // finish() again if the data had ended. JPEG, PNG and TIFF hold; a DIB
    // yields no more lines than its input bytes allow.
    bool held() const { return held_; }

protected:
    bool failWith(std::string message);

    std::string error_;
    int lines_ = 0;
    bool held_ = false;
};

enum class ImageFormat { Unknown, Jpeg, Png, Tiff, Dib };

const char *imageFormatName(ImageFormat format);
// Needs up to 8 bytes; Unknown when they match no supported format.
ImageFormat sniffImageFormat(const uint8_t *data, std::size_t length);

// Every decoder refuses an image whose header claims more pixels than limits
// allow, before it allocates anything for it, and holds no more than
// limits.maxBufferedBytes() for a whole image.

// Buffers the first bytes until the format is known, then delegates.
std::unique_ptr<ImageDecoder> makeSniffingDecoder(LineSink &sink, const ImageLimits &limits);

// libjpeg-turbo trade-offs, chosen by testsuite/bench/decode-bench.
struct JpegSettings {
    bool fastDct = false;          // JDCT_IFAST instead of JDCT_ISLOW
    bool fancyUpsampling = true;   // smooth chroma upsampling
};

std::unique_ptr<ImageDecoder> makeJpegDecoder(LineSink &sink, const ImageLimits &limits,
                                              JpegSettings settings = JpegSettings());
std::unique_ptr<ImageDecoder> makePngDecoder(LineSink &sink, const ImageLimits &limits);
// TIFF needs random access: the file is buffered (bounded) and decoded at finish().
std::unique_ptr<ImageDecoder> makeTiffDecoder(LineSink &sink, const ImageLimits &limits);
std::unique_ptr<ImageDecoder> makeDibDecoder(LineSink &sink, const ImageLimits &limits);

}  // namespace wsd
