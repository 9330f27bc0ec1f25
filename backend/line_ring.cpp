#include "wsd/line_ring.h"

#include <algorithm>
#include <cstring>

namespace wsd {

void LineRing::beginFrame(unsigned page, const FrameFormat &format)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (page != page_)
        return;
    const std::size_t bpl = std::max<std::size_t>(format.bytesPerLine, 1);
    slots_ = std::max<std::size_t>(Capacity / bpl, 4);
    // Reused from page to page: resize only grows the allocation when a
    // wider page needs it.
    storage_.resize(slots_ * bpl);
    frame_ = format;
    head_ = count_ = headOffset_ = 0;
    end_.reset();
    space_.clear();
    writerWaiting_ = false;
    ready_.signal();
}

std::uint8_t *LineRing::slot(int cancelFd)
{
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!frame_ || end_)
                return nullptr;  // the reader moved on to another page
            if (count_ < slots_) {
                return storage_.data() + ((head_ + count_) % slots_) * frame_->bytesPerLine;
            }
            space_.clear();
            writerWaiting_ = true;
        }
        const int fds[2] = {space_.fd(), cancelFd};
        if (waitReadable(fds, cancelFd >= 0 ? 2 : 1, -1) == 1)
            return nullptr;
    }
}

void LineRing::commit()
{
    std::lock_guard<std::mutex> lock(mutex_);
    ++count_;
    if (readerWaiting_) {
        readerWaiting_ = false;
        ready_.signal();
    }
}

void LineRing::end(unsigned page, SANE_Status status)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (page != page_ || end_)
        return;
    end_ = status;
    ready_.signal();
}

SANE_Status LineRing::waitFrame(int cancelFd, FrameFormat &format)
{
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (frame_) {
                format = *frame_;
                return SANE_STATUS_GOOD;
            }
            if (end_)
                return *end_ == SANE_STATUS_EOF ? SANE_STATUS_IO_ERROR : *end_;
            ready_.clear();
            readerWaiting_ = true;
        }
        const int fds[2] = {ready_.fd(), cancelFd};
        if (waitReadable(fds, 2, -1) == 1)
            return SANE_STATUS_CANCELLED;
    }
}

std::optional<FrameFormat> LineRing::frame() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return frame_;
}

SANE_Status LineRing::read(std::uint8_t *out, int max, int *length, bool blocking, int cancelFd)
{
    *length = 0;
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (count_ > 0) {
                const std::size_t bpl = frame_->bytesPerLine;
                std::size_t copied = 0;
                const std::size_t want = static_cast<std::size_t>(max);
                while (copied < want && count_ > 0) {
                    const std::uint8_t *line = storage_.data() + head_ * bpl;
                    std::size_t n = std::min(want - copied, bpl - headOffset_);
                    std::memcpy(out + copied, line + headOffset_, n);
                    copied += n;
                    headOffset_ += n;
                    if (headOffset_ == bpl) {
                        headOffset_ = 0;
                        head_ = (head_ + 1) % slots_;
                        --count_;
                        if (writerWaiting_) {
                            writerWaiting_ = false;
                            space_.signal();
                        }
                    }
                }
                *length = static_cast<int>(copied);
                return SANE_STATUS_GOOD;
            }
            if (end_)
                return *end_;
            // Nothing to read: readyFd turns readable with the next line.
            ready_.clear();
            readerWaiting_ = true;
        }
        if (!blocking)
            return SANE_STATUS_GOOD;
        const int fds[2] = {ready_.fd(), cancelFd};
        if (waitReadable(fds, 2, -1) == 1)
            return SANE_STATUS_CANCELLED;
    }
}

void LineRing::reset(unsigned page)
{
    std::lock_guard<std::mutex> lock(mutex_);
    page_ = page;
    frame_.reset();
    end_.reset();
    head_ = count_ = headOffset_ = 0;
    ready_.clear();
    space_.clear();
    readerWaiting_ = writerWaiting_ = false;
}

}  // namespace wsd
