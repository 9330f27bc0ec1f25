#include "wsd/page_reader.h"

#include "wsd/log.h"
#include "wsd/page_geometry.h"
#include "wsd/threshold.h"

#include <algorithm>
#include <cstring>

namespace wsd {

namespace {

// Encoded bytes given to the decoder at a time: large enough for
// libjpeg-turbo's fast Huffman path (and few calls), small enough to bound
// what a decoder that cannot hold lines back (DIB) yields at once.
constexpr std::size_t DecoderFeedBytes = 16u << 10;

// Turns one line by 180 degrees: pixels in reverse order.
void reverseLine(const std::uint8_t *in, std::uint8_t *out, const FrameFormat &f)
{
    if (f.depth == 1) {
        // Bits of the padding at the end of the line must stay at the end.
        const int width = f.pixelsPerLine;
        std::memset(out, 0, f.bytesPerLine);
        for (int x = 0; x < width; ++x) {
            const int from = width - 1 - x;
            if (in[from / 8] & (0x80 >> (from % 8)))
                out[x / 8] |= static_cast<std::uint8_t>(0x80 >> (x % 8));
        }
        return;
    }
    const std::size_t pixel = static_cast<std::size_t>(f.depth / 8) * (f.format == SANE_FRAME_RGB ? 3 : 1);
    const std::size_t width = static_cast<std::size_t>(f.pixelsPerLine);
    for (std::size_t x = 0; x < width; ++x)
        std::memcpy(out + x * pixel, in + (width - 1 - x) * pixel, pixel);
}

}  // namespace

PageReader::PageReader(PagePipe &pipe, int cancelFd, std::function<bool()> cancelled,
                       std::function<void()> refused)
    : pipe_(pipe), cancelFd_(cancelFd), cancelled_(std::move(cancelled)), refused_(std::move(refused))
{
}

SANE_Status PageReader::start(FrameFormat &format, const ImageLimits &limits, std::optional<int> thresholdPercent)
{
    thresholdPercent_ = thresholdPercent;
    decoder_ = makeSniffingDecoder(*this, limits);
    frame_.reset();
    dataEnded_ = false;
    status_.reset();
    lines_ = 0;
    out_ = nullptr;
    overflowRead_ = overflowEnd_ = 0;
    upsideDown_ = false;
    mapping_.reset();
    sourceRows_ = mappedRows_ = 0;
    wholePage_.clear();
    nextTurnedLine_ = -1;
    while (!frame_) {
        if (cancelled_())
            return SANE_STATUS_CANCELLED;
        if (feedPiece(true) == Fed::Ended && !frame_)
            return *status_ == SANE_STATUS_EOF ? SANE_STATUS_IO_ERROR : *status_;
    }
    format = *frame_;
    return SANE_STATUS_GOOD;
}

SANE_Status PageReader::read(std::uint8_t *out, int max, int *length, bool blocking)
{
    *length = 0;
    if (!decoder_)
        return SANE_STATUS_EOF;
    out_ = out;
    max_ = static_cast<std::size_t>(max);
    copied_ = 0;
    SANE_Status result = SANE_STATUS_GOOD;
    for (;;) {
        if (cancelled_()) {
            result = SANE_STATUS_CANCELLED;
            break;
        }
        drainOverflow();
        emitTurnedLines();
        if (copied_ == max_)
            break;
        if (status_) {
            if (copied_ == 0)
                result = *status_;
            break;
        }
        // Wait only while there is nothing to give: lines already decoded
        // go to the frontend at once.
        if (feedPiece(blocking && copied_ == 0) == Fed::Nothing)
            break;
    }
    out_ = nullptr;
    if (result == SANE_STATUS_GOOD)
        *length = static_cast<int>(copied_);
    return result;
}

PageReader::Fed PageReader::feedPiece(bool blocking)
{
    if (decoder_->held()) {
        // There is room again for the lines the decoder held back.
        const bool decoded = dataEnded_ ? decoder_->finish() : decoder_->feed(nullptr, 0);
        if (!decoded)
            return failed();
        if (dataEnded_ && !decoder_->held())
            return ended();
        return Fed::Piece;
    }
    const std::uint8_t *data = nullptr;
    std::size_t length = 0;
    const SANE_Status status = pipe_.acquire(&data, &length, blocking, cancelFd_);
    if (status == SANE_STATUS_GOOD && length == 0)
        return Fed::Nothing;
    if (status == SANE_STATUS_EOF) {
        dataEnded_ = true;
        if (!decoder_->finish())
            return failed();
        return decoder_->held() ? Fed::Piece : ended();
    }
    if (status != SANE_STATUS_GOOD) {
        endWith(status);
        return Fed::Ended;
    }
    length = std::min(length, DecoderFeedBytes);
    const bool decoded = decoder_->feed(data, length);
    pipe_.release(length);
    return decoded ? Fed::Piece : failed();
}

PageReader::Fed PageReader::ended()
{
    if (frame_ && frame_->lines > 0 && lines_ != frame_->lines)
        WSD_WARN("the image announced %d lines and delivered %d", frame_->lines, lines_);
    endWith(SANE_STATUS_EOF);
    return Fed::Ended;
}

PageReader::Fed PageReader::failed()
{
    WSD_ERROR("image data: %s", decoder_->error().c_str());
    if (!dataEnded_)
        pipe_.abandon();  // the worker stops the transfer
    refused_();           // and the job, also after its transfer
    endWith(SANE_STATUS_IO_ERROR);
    return Fed::Ended;
}

void PageReader::endWith(SANE_Status status)
{
    status_ = status;
    if (upsideDown_ && status == SANE_STATUS_EOF)
        nextTurnedLine_ = lines_ - 1;
}

bool PageReader::onFrame(const ImageFrame &image)
{
    if (frame_) {
        WSD_ERROR("the image holds more than one frame");
        return false;
    }
    FrameFormat f;
    f.format = image.channels == 3 ? SANE_FRAME_RGB : SANE_FRAME_GRAY;
    f.depth = image.depth;
    f.pixelsPerLine = image.width;
    f.lines = image.height;
    f.bytesPerLine = image.bytesPerLine;
    WSD_INFO("image: %dx%d, %d bit, %s", image.width, image.height, image.depth,
             image.channels == 3 ? "colour" : "gray");
    const ImageDelivery delivery = pipe_.delivery();
    const PageMapping mapping =
        planPageMapping(image.width, image.height, delivery.asked, delivery.finalXDpi, delivery.finalYDpi);
    if (!mapping.identity()) {
        // The image's size decides what the page is (page_geometry.h).
        WSD_WARN("the image is not the page asked for: using %dx%d pixels from (%d, %d) at %dx%d dpi, as %dx%d at %dx%d dpi",
                 mapping.x.sourceLength, mapping.y.sourceLength, mapping.x.first, mapping.y.first, mapping.x.sourceDpi,
                 mapping.y.sourceDpi, mapping.x.outputLength, mapping.y.outputLength, mapping.x.outputDpi,
                 mapping.y.outputDpi);
        mapping_ = mapping;
        sourceLine_.resize(image.bytesPerLine);
        f.pixelsPerLine = mapping.x.outputLength;
        f.lines = mapping.y.outputLength;
        f.bytesPerLine = image.depth == 1 ? (static_cast<std::size_t>(f.pixelsPerLine) + 7) / 8
                                          : static_cast<std::size_t>(f.pixelsPerLine) * image.channels * (image.depth / 8);
    }
    if (thresholdPercent_ && image.depth != 1) {
        if (image.depth != 8) {
            WSD_ERROR("lineart is made from 8-bit images; the device sent %d bit", image.depth);
            return false;
        }
        decodedChannels_ = image.channels;
        decodedLine_.resize(f.bytesPerLine);
        f.format = SANE_FRAME_GRAY;
        f.depth = 1;
        f.bytesPerLine = lineartBytesPerLine(f.pixelsPerLine);
        WSD_INFO("making lineart at %d %%", *thresholdPercent_);
    } else {
        thresholdPercent_.reset();  // the device sent lineart itself
    }
    upsideDown_ = delivery.upsideDown;
    if (upsideDown_) {
        const std::size_t bytes = f.bytesPerLine * static_cast<std::size_t>(std::max(image.height, 0));
        if (image.height <= 0 || bytes > MaxBufferedImageBytes) {
            WSD_WARN("the image cannot be kept whole to turn it upright");
            upsideDown_ = false;
        } else {
            WSD_INFO("turning the back side upright (quirk)");
            wholePage_.resize(bytes);
        }
    }
    frame_ = f;
    return true;
}

std::uint8_t *PageReader::lineBuffer()
{
    if (!frame_)
        return nullptr;
    if (mapping_)
        return sourceLine_.data();  // every line of the image, also those left out
    if (thresholdPercent_)
        return lines_ < frame_->lines || frame_->lines < 0 ? decodedLine_.data() : nullptr;
    return frameLine();
}

std::uint8_t *PageReader::frameLine()
{
    if (upsideDown_)
        return lines_ < frame_->lines ? wholePage_.data() + static_cast<std::size_t>(lines_) * frame_->bytesPerLine
                                      : nullptr;
    return outputLine();
}

bool PageReader::commitLine()
{
    return mapping_ ? commitMappedLine() : finishLine();
}

bool PageReader::commitMappedLine()
{
    const AxisMapping &y = mapping_->y;
    const int row = sourceRows_++;
    // Each output line whose source is this line (none when it is left
    // out, several when the page is scaled up).
    while ((y.outputLength < 0 || mappedRows_ < y.outputLength) && y.source(mappedRows_) == row) {
        std::uint8_t *target = thresholdPercent_ ? decodedLine_.data() : frameLine();
        if (!target)
            return false;
        mapLine(sourceLine_.data(), target, mapping_->x, thresholdPercent_ ? 8 : frame_->depth,
                thresholdPercent_ ? decodedChannels_ : (frame_->format == SANE_FRAME_RGB ? 3 : 1));
        ++mappedRows_;
        if (!finishLine())
            return false;
    }
    return true;
}

bool PageReader::finishLine()
{
    if (thresholdPercent_) {
        std::uint8_t *line = frameLine();
        if (!line)
            return false;
        thresholdLine(decodedLine_.data(), decodedChannels_, frame_->pixelsPerLine, *thresholdPercent_, line);
    }
    if (!upsideDown_)
        commitOutputLine();
    ++lines_;
    return true;
}

std::uint8_t *PageReader::outputLine()
{
    const std::size_t bpl = frame_->bytesPerLine;
    direct_ = overflowRead_ == overflowEnd_ && out_ && max_ - copied_ >= bpl;
    if (direct_)
        return out_ + copied_;
    if (overflow_.size() < overflowEnd_ + bpl)
        overflow_.resize(overflowEnd_ + bpl);
    return overflow_.data() + overflowEnd_;
}

void PageReader::commitOutputLine()
{
    if (direct_)
        copied_ += frame_->bytesPerLine;
    else
        overflowEnd_ += frame_->bytesPerLine;
    direct_ = false;
}

void PageReader::drainOverflow()
{
    if (!out_)
        return;
    const std::size_t n = std::min(overflowEnd_ - overflowRead_, max_ - copied_);
    if (n > 0) {
        std::memcpy(out_ + copied_, overflow_.data() + overflowRead_, n);
        copied_ += n;
        overflowRead_ += n;
    }
    if (overflowRead_ == overflowEnd_)
        overflowRead_ = overflowEnd_ = 0;
}

void PageReader::emitTurnedLines()
{
    while (nextTurnedLine_ >= 0 && copied_ < max_) {
        const std::size_t bpl = frame_->bytesPerLine;
        reverseLine(wholePage_.data() + static_cast<std::size_t>(nextTurnedLine_) * bpl, outputLine(), *frame_);
        commitOutputLine();
        --nextTurnedLine_;
        drainOverflow();
    }
}

}  // namespace wsd
