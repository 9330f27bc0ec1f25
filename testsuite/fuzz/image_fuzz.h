// The body shared by the image decoder targets: a decoder is fed in chunks
// of random sizes (the first four input bytes seed them) into a LineSink
// whose line buffer is exactly one line long, so ASan reports any write
// past it, and which checks the frame and the line count. Half the seeds
// make the sink full after every line, so decoders hold lines back. Every
// decoder gets the limits the backend sets for a common scan (fuzzLimits()):
// no input may make it allocate past them, and run-fuzzers.sh runs the
// targets under a fixed RSS bound.
#pragma once

#include "fuzz_support.h"
#include "wsd/image_decoder.h"
#include "wsd/image_limits.h"

#include <functional>
#include <memory>
#include <vector>

namespace fuzz {

// What the backend allows for a full A4 page at 150 dpi from a device whose
// platen is A4: 2608x3634 pixels, about 92 MB held for a whole image.
inline const wsd::ImageLimits &fuzzLimits()
{
    static const wsd::ImageLimits limits = [] {
        wsd::ScanSettings ticket;
        ticket.xResolution = ticket.yResolution = 150;
        ticket.width = 8268;  // 1/1000 inch
        ticket.height = 11693;
        wsd::ScannerCapabilities device;
        device.platen.emplace();
        device.platen->maxSize = {8268, 11693};
        return wsd::imageLimitsForScan(ticket, device);
    }();
    return limits;
}

class CheckingSink : public wsd::LineSink {
public:
    bool onFrame(const wsd::ImageFrame &frame) override
    {
        FUZZ_ASSERT(frame.width > 0 && frame.width <= fuzzLimits().maxWidth);
        FUZZ_ASSERT(frame.height == -1 || (frame.height > 0 && frame.height <= fuzzLimits().maxHeight));
        FUZZ_ASSERT(frame.depth == 1 || frame.depth == 8 || frame.depth == 16);
        FUZZ_ASSERT(frame.channels == 1 || frame.channels == 3);
        std::size_t bits = std::size_t(frame.width) * frame.depth * frame.channels;
        FUZZ_ASSERT(frame.bytesPerLine == (bits + 7) / 8);
        frame_ = frame;
        lines_ = 0;
        ++frames_;
        line_ = std::make_unique<uint8_t[]>(frame.bytesPerLine);
        return true;
    }
    uint8_t *lineBuffer() override
    {
        FUZZ_ASSERT(line_ != nullptr);
        return line_.get();
    }
    bool commitLine() override
    {
        FUZZ_ASSERT(line_ != nullptr);
        ++lines_;
        FUZZ_ASSERT(frame_.height == -1 || lines_ <= frame_.height);
        lineSinceRoom_ = true;
        return true;
    }
    // Holding (as sane_read's reader with a small buffer): full after
    // every line until room() is made.
    bool full() const override { return holding_ && lineSinceRoom_; }
    void setHolding(bool holding) { holding_ = holding; }
    void room() { lineSinceRoom_ = false; }
    int lines() const { return lines_; }
    int frames() const { return frames_; }

private:
    wsd::ImageFrame frame_;
    std::unique_ptr<uint8_t[]> line_;
    int lines_ = 0;
    int frames_ = 0;
    bool holding_ = false;
    bool lineSinceRoom_ = false;
};

using DecoderFactory = std::function<std::unique_ptr<wsd::ImageDecoder>(wsd::LineSink &, const wsd::ImageLimits &)>;

inline int decodeInChunks(const uint8_t *data, std::size_t size, const DecoderFactory &factory)
{
    const uint32_t seed = takeSeed(data, size);
    Chunker chunker(seed);
    CheckingSink sink;
    sink.setHolding(seed & 0x80000000u);
    auto decoder = factory(sink, fuzzLimits());
    // Makes room while the decoder holds lines back; every resumption must
    // give a line or end the hold (no endless loop).
    auto drain = [&](bool dataEnded) {
        bool fed = true;
        while (fed && decoder->held()) {
            const int before = sink.lines();
            sink.room();
            fed = dataEnded ? decoder->finish() : decoder->feed(nullptr, 0);
            FUZZ_ASSERT(!fed || !decoder->held() || sink.lines() > before);
        }
        return fed;
    };
    bool ok = true;
    std::size_t offset = 0;
    while (ok && offset < size) {
        std::size_t n = chunker.next(size - offset);
        ok = decoder->feed(data + offset, n) && drain(false);
        offset += n;
    }
    if (ok)
        ok = decoder->finish() && drain(true);
    if (!ok)
        FUZZ_ASSERT(!decoder->error().empty());
    FUZZ_ASSERT(decoder->linesDelivered() >= sink.lines());
    return 0;
}

}  // namespace fuzz
