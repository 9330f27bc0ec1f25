// BMP/DIB parsed by hand (no library decodes it incrementally). A top-down
// DIB (negative height) streams line by line. A bottom-up DIB sends its last
// line first, so its pixel array is buffered (bounded) and emitted top to
// bottom at the end; both only once the header's size passed the limits.
// Accepts a BMP file or a bare DIB (info header first);
// 1, 4, 8 bit palette, 24-bit and 32-bit (BI_RGB or BI_BITFIELDS) pixels.
#include "wsd/image_decoder.h"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace wsd {
namespace {

constexpr uint32_t BiRgb = 0;
constexpr uint32_t BiBitfields = 3;
constexpr std::size_t FileHeaderSize = 14;

uint16_t le16(const uint8_t *p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24; }

struct Rgb {
    uint8_t r, g, b;
};

class DibDecoder : public ImageDecoder {
public:
    DibDecoder(LineSink &sink, const ImageLimits &limits) : sink_(sink), limits_(limits) {}

    bool feed(const uint8_t *data, std::size_t length) override
    {
        if (!error_.empty())
            return false;
        while (length > 0) {
            std::size_t used = 0;
            switch (stage_) {
            case Stage::Headers:
            case Stage::Palette:
                used = collectHeader(data, length);
                break;
            case Stage::Gap:
                used = std::min(length, gapLeft_);
                gapLeft_ -= used;
                if (gapLeft_ == 0)
                    stage_ = Stage::Pixels;
                break;
            case Stage::Pixels:
                used = pixels(data, length);
                break;
            case Stage::Done:
                return true;
            }
            if (!error_.empty())
                return false;
            data += used;
            length -= used;
        }
        return true;
    }

    bool finish() override
    {
        if (!error_.empty())
            return false;
        if (stage_ == Stage::Headers || stage_ == Stage::Palette || stage_ == Stage::Gap)
            return failWith("DIB: data ended before the pixels");
        if (stage_ != Stage::Done)
            return failWith("DIB: data ended after " + std::to_string(rowsIn_) + " of " +
                            std::to_string(frame_.height) + " lines");
        return true;
    }

private:
    enum class Stage { Headers, Palette, Gap, Pixels, Done };

    // Collects the file header, the info header and the palette, which are
    // small, into header_; parses each once complete.
    std::size_t collectHeader(const uint8_t *data, std::size_t length)
    {
        std::size_t want = headerWanted();
        std::size_t take = std::min(length, want - header_.size());
        header_.insert(header_.end(), data, data + take);
        if (header_.size() == want)
            headerComplete();
        return take;
    }

    std::size_t headerWanted() const
    {
        if (stage_ == Stage::Palette)
            return paletteEnd_;
        if (header_.size() < 2)
            return 2;
        std::size_t infoStart = fileHeader() ? FileHeaderSize : 0;
        if (header_.size() < infoStart + 4)
            return infoStart + 4;
        return infoStart + le32(header_.data() + infoStart) + (bitfieldsAfterHeader_ ? 12 : 0);
    }

    bool fileHeader() const { return header_[0] == 'B' && header_[1] == 'M'; }

    void headerComplete()
    {
        if (stage_ == Stage::Palette) {
            readPalette();
            return;
        }
        std::size_t infoStart = fileHeader() ? FileHeaderSize : 0;
        if (header_.size() < infoStart + 4)
            return;  // the size field is next
        uint32_t infoSize = le32(header_.data() + infoStart);
        if (infoSize != 12 && infoSize != 40 && infoSize != 52 && infoSize != 56 && infoSize != 108 &&
            infoSize != 124) {
            failWith("DIB: unknown info header size " + std::to_string(infoSize));
            return;
        }
        if (header_.size() < infoStart + infoSize)
            return;  // the rest of the info header is next
        const uint8_t *info = header_.data() + infoStart;
        int32_t width, height;
        uint32_t compression = BiRgb;
        if (infoSize == 12) {
            width = le16(info + 4);
            height = static_cast<int16_t>(le16(info + 6));
            bitCount_ = le16(info + 10);
        } else {
            width = static_cast<int32_t>(le32(info + 4));
            height = static_cast<int32_t>(le32(info + 8));
            bitCount_ = le16(info + 14);
            compression = le32(info + 16);
            uint32_t xPpm = le32(info + 24), yPpm = le32(info + 28);
            frame_.xDpi = static_cast<int>(xPpm * 0.0254 + 0.5);
            frame_.yDpi = static_cast<int>(yPpm * 0.0254 + 0.5);
            paletteCount_ = le32(info + 32);
        }
        if (compression == BiBitfields && infoSize == 40 && !bitfieldsAfterHeader_) {
            // BITMAPINFOHEADER keeps its three masks after the header.
            bitfieldsAfterHeader_ = true;
            return;
        }
        if (compression == BiBitfields) {
            const uint8_t *masks = info + 40;
            if (bitCount_ != 32 || !setMasks(le32(masks), le32(masks + 4), le32(masks + 8))) {
                failWith("DIB: unsupported bit fields");
                return;
            }
        } else if (compression != BiRgb) {
            failWith("DIB: compressed bitmaps are not supported");
            return;
        } else if (bitCount_ == 32) {
            setMasks(0xFF0000, 0xFF00, 0xFF);
        }
        if (bitCount_ != 1 && bitCount_ != 4 && bitCount_ != 8 && bitCount_ != 24 && bitCount_ != 32) {
            failWith("DIB: unsupported bit count " + std::to_string(bitCount_));
            return;
        }
        if (width <= 0 || height == 0) {
            failWith("DIB: image without pixels");
            return;
        }
        const std::string refusal = limits_.refusal(width, std::abs(static_cast<long long>(height)));
        if (!refusal.empty()) {
            failWith("DIB: " + refusal);
            return;
        }
        topDown_ = height < 0;
        frame_.width = width;
        frame_.height = topDown_ ? -height : height;
        stride_ = (std::size_t(bitCount_) * width + 31) / 32 * 4;
        pixelOffset_ = fileHeader() ? le32(header_.data() + 10) : 0;

        if (bitCount_ <= 8) {
            if (paletteCount_ == 0 || paletteCount_ > (1u << bitCount_))
                paletteCount_ = 1u << bitCount_;
            paletteEntrySize_ = infoSize == 12 ? 3 : 4;
            paletteEnd_ = header_.size() + paletteCount_ * paletteEntrySize_;
            stage_ = Stage::Palette;
        } else {
            startPixels();
        }
    }

    bool setMasks(uint32_t red, uint32_t green, uint32_t blue)
    {
        auto shiftOf = [](uint32_t mask, unsigned &shift) {
            for (shift = 0; shift < 32; shift += 8) {
                if (mask == 0xFFu << shift)
                    return true;
            }
            return false;
        };
        return shiftOf(red, redShift_) && shiftOf(green, greenShift_) && shiftOf(blue, blueShift_);
    }

    void readPalette()
    {
        palette_.resize(paletteCount_);
        bool gray = true;
        const uint8_t *p = header_.data() + header_.size() - paletteCount_ * paletteEntrySize_;
        for (uint32_t i = 0; i < paletteCount_; ++i, p += paletteEntrySize_) {
            palette_[i] = Rgb{p[2], p[1], p[0]};
            gray = gray && p[0] == p[1] && p[1] == p[2];
        }
        grayPalette_ = gray;
        // Two distinct grays at 1 bit: lineart, where SANE wants 1 = black.
        // A file bit is the palette index, so invert when index 0 is the darker.
        bilevel_ = gray && bitCount_ == 1 && paletteCount_ == 2 && palette_[0].r != palette_[1].r;
        invertBits_ = bilevel_ && palette_[0].r < palette_[1].r;
        startPixels();
    }

    void startPixels()
    {
        frame_.depth = bilevel_ ? 1 : 8;
        frame_.channels = bilevel_ || (bitCount_ <= 8 && grayPalette_) ? 1 : 3;
        frame_.bytesPerLine = bilevel_ ? (std::size_t(frame_.width) + 7) / 8
                                       : std::size_t(frame_.width) * frame_.channels;
        std::size_t consumed = header_.size();
        if (pixelOffset_ != 0 && pixelOffset_ < consumed) {
            failWith("DIB: pixel offset inside the headers");
            return;
        }
        gapLeft_ = pixelOffset_ != 0 ? pixelOffset_ - consumed : 0;
        header_.clear();
        header_.shrink_to_fit();
        if (!topDown_) {
            if (stride_ * std::size_t(frame_.height) > limits_.maxBufferedBytes()) {
                failWith("DIB: bottom-up image too large to buffer");
                return;
            }
            pixelArray_.reserve(stride_ * std::size_t(frame_.height));
        } else {
            row_.reserve(stride_);
        }
        if (!sink_.onFrame(frame_)) {
            failWith("DIB: line sink refused the frame");
            return;
        }
        stage_ = gapLeft_ > 0 ? Stage::Gap : Stage::Pixels;
    }

    std::size_t pixels(const uint8_t *data, std::size_t length)
    {
        const std::size_t total = stride_ * std::size_t(frame_.height);
        if (!topDown_) {
            std::size_t take = std::min(length, total - pixelArray_.size());
            pixelArray_.insert(pixelArray_.end(), data, data + take);
            rowsIn_ = static_cast<int>(pixelArray_.size() / stride_);
            if (pixelArray_.size() == total) {
                for (int y = frame_.height - 1; y >= 0 && error_.empty(); --y)
                    emit(pixelArray_.data() + std::size_t(y) * stride_);
                pixelArray_.clear();
                pixelArray_.shrink_to_fit();
                stage_ = Stage::Done;
            }
            return take;
        }
        std::size_t used = 0;
        while (used < length && error_.empty() && stage_ == Stage::Pixels) {
            if (row_.empty() && length - used >= stride_) {
                // A whole row in the caller's chunk: convert it in place.
                emit(data + used);
                used += stride_;
            } else {
                std::size_t take = std::min(length - used, stride_ - row_.size());
                row_.insert(row_.end(), data + used, data + used + take);
                used += take;
                if (row_.size() == stride_) {
                    emit(row_.data());
                    row_.clear();
                }
            }
            rowsIn_ = lines_;
            if (lines_ == frame_.height)
                stage_ = Stage::Done;
        }
        return used;
    }

    void emit(const uint8_t *in)
    {
        uint8_t *out = sink_.lineBuffer();
        if (!out) {
            failWith("DIB: line sink aborted");
            return;
        }
        const int width = frame_.width;
        if (bilevel_) {
            std::size_t n = frame_.bytesPerLine;
            for (std::size_t i = 0; i < n; ++i)
                out[i] = invertBits_ ? static_cast<uint8_t>(~in[i]) : in[i];
            if (width % 8)
                out[n - 1] &= static_cast<uint8_t>(0xFF << (8 - width % 8));
        } else if (bitCount_ <= 8) {
            for (int x = 0; x < width; ++x) {
                std::size_t bit = std::size_t(x) * bitCount_;
                unsigned index = (in[bit / 8] >> (8 - bitCount_ - bit % 8)) & ((1u << bitCount_) - 1);
                const Rgb &c = index < palette_.size() ? palette_[index] : palette_.back();
                if (grayPalette_) {
                    out[x] = c.r;
                } else {
                    out[3 * x] = c.r;
                    out[3 * x + 1] = c.g;
                    out[3 * x + 2] = c.b;
                }
            }
        } else if (bitCount_ == 24) {
            for (int x = 0; x < width; ++x) {
                out[3 * x] = in[3 * x + 2];
                out[3 * x + 1] = in[3 * x + 1];
                out[3 * x + 2] = in[3 * x];
            }
        } else {
            for (int x = 0; x < width; ++x) {
                uint32_t v = le32(in + 4 * x);
                out[3 * x] = static_cast<uint8_t>(v >> redShift_);
                out[3 * x + 1] = static_cast<uint8_t>(v >> greenShift_);
                out[3 * x + 2] = static_cast<uint8_t>(v >> blueShift_);
            }
        }
        if (!sink_.commitLine()) {
            failWith("DIB: line sink aborted");
            return;
        }
        ++lines_;
    }

    LineSink &sink_;
    const ImageLimits limits_;
    Stage stage_ = Stage::Headers;
    std::vector<uint8_t> header_;
    bool bitfieldsAfterHeader_ = false;
    uint16_t bitCount_ = 0;
    uint32_t paletteCount_ = 0;
    std::size_t paletteEntrySize_ = 4;
    std::size_t paletteEnd_ = 0;
    std::vector<Rgb> palette_;
    bool grayPalette_ = false;
    bool bilevel_ = false;
    bool invertBits_ = false;
    unsigned redShift_ = 16, greenShift_ = 8, blueShift_ = 0;
    bool topDown_ = false;
    std::size_t stride_ = 0;
    std::size_t pixelOffset_ = 0;
    std::size_t gapLeft_ = 0;
    ImageFrame frame_;
    std::vector<uint8_t> row_;
    std::vector<uint8_t> pixelArray_;
    int rowsIn_ = 0;
};

}  // namespace

std::unique_ptr<ImageDecoder> makeDibDecoder(LineSink &sink, const ImageLimits &limits)
{
    return std::make_unique<DibDecoder>(sink, limits);
}

}  // namespace wsd
