#include "wsd/image_decoder.h"

#include "wsd/log.h"

#include <cstring>

namespace wsd {

bool ImageDecoder::failWith(std::string message)
{
    if (error_.empty())
        error_ = std::move(message);
    return false;
}

const char *imageFormatName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg:
        return "JPEG";
    case ImageFormat::Png:
        return "PNG";
    case ImageFormat::Tiff:
        return "TIFF";
    case ImageFormat::Dib:
        return "DIB";
    case ImageFormat::Unknown:
        break;
    }
    return "unknown";
}

namespace {

constexpr std::size_t SniffSize = 8;

uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24; }

bool isDibHeaderSize(uint32_t size)
{
    // BITMAPCOREHEADER, BITMAPINFOHEADER, V2, V3, V4 and V5.
    return size == 12 || size == 40 || size == 52 || size == 56 || size == 108 || size == 124;
}

// Holds the first bytes until the format is known, then hands everything to
// the decoder for that format.
class SniffingDecoder : public ImageDecoder {
public:
    SniffingDecoder(LineSink &sink, const ImageLimits &limits) : sink_(sink), limits_(limits) {}

    bool feed(const uint8_t *data, std::size_t length) override
    {
        if (!error_.empty())
            return false;
        if (!delegate_) {
            std::size_t take = std::min(length, SniffSize - headSize_);
            std::memcpy(head_ + headSize_, data, take);
            headSize_ += take;
            data += take;
            length -= take;
            if (headSize_ < SniffSize)
                return true;
            if (!start())
                return false;
        }
        return forward(data, length);
    }

    bool finish() override
    {
        if (!error_.empty())
            return false;
        if (!delegate_) {
            if (headSize_ == 0)
                return failWith("no image data");
            if (!start())
                return false;
        }
        bool ok = delegate_->finish();
        lines_ = delegate_->linesDelivered();
        held_ = delegate_->held();
        return ok ? true : failWith(delegate_->error());
    }

private:
    bool start()
    {
        ImageFormat format = sniffImageFormat(head_, headSize_);
        switch (format) {
        case ImageFormat::Jpeg:
            delegate_ = makeJpegDecoder(sink_, limits_);
            break;
        case ImageFormat::Png:
            delegate_ = makePngDecoder(sink_, limits_);
            break;
        case ImageFormat::Tiff:
            delegate_ = makeTiffDecoder(sink_, limits_);
            break;
        case ImageFormat::Dib:
            delegate_ = makeDibDecoder(sink_, limits_);
            break;
        case ImageFormat::Unknown:
            return failWith("unknown image format");
        }
        WSD_DETAIL("image data is %s", imageFormatName(format));
        return forward(head_, headSize_);
    }

    bool forward(const uint8_t *data, std::size_t length)
    {
        // An empty feed matters to a held decoder: it goes on.
        if (length == 0 && !held_)
            return true;
        bool ok = delegate_->feed(data, length);
        lines_ = delegate_->linesDelivered();
        held_ = delegate_->held();
        return ok ? true : failWith(delegate_->error());
    }

    LineSink &sink_;
    const ImageLimits limits_;
    uint8_t head_[SniffSize] = {};
    std::size_t headSize_ = 0;
    std::unique_ptr<ImageDecoder> delegate_;
};

}  // namespace

ImageFormat sniffImageFormat(const uint8_t *data, std::size_t length)
{
    static const uint8_t PngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        return ImageFormat::Jpeg;
    if (length >= 8 && std::memcmp(data, PngSignature, 8) == 0)
        return ImageFormat::Png;
    if (length >= 4 && ((data[0] == 'I' && data[1] == 'I' && data[2] == 42 && data[3] == 0) ||
                        (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && data[3] == 42)))
        return ImageFormat::Tiff;
    if (length >= 2 && data[0] == 'B' && data[1] == 'M')
        return ImageFormat::Dib;
    // A bare DIB starts with its info header's size.
    if (length >= 4 && isDibHeaderSize(le32(data)))
        return ImageFormat::Dib;
    return ImageFormat::Unknown;
}

std::unique_ptr<ImageDecoder> makeSniffingDecoder(LineSink &sink, const ImageLimits &limits)
{
    return std::make_unique<SniffingDecoder>(sink, limits);
}

}  // namespace wsd
