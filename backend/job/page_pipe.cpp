#include "wsd/page_pipe.h"

#include <algorithm>
#include <cstring>

namespace wsd {

using Clock = std::chrono::steady_clock;

PagePipe::PagePipe() : storage_(new std::uint8_t[Capacity]) {}

bool PagePipe::waitForSpace(int cancelFd)
{
    // The cancel fd first: woken by both a cancel and the reader starting
    // the next page, the writer must see the cancel (the page it fetched
    // ahead belongs to the cancelled batch).
    if (cancelFd < 0) {
        const int fds[1] = {space_.fd()};
        return waitReadable(fds, 1, -1) == 0;
    }
    const int fds[2] = {cancelFd, space_.fd()};
    return waitReadable(fds, 2, -1) == 1;
}

bool PagePipe::beginImage(unsigned page, const ImageDelivery &delivery, int cancelFd)
{
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (page == page_) {
                // A cancel not yet handled came before this page began
                // (sane_cancel, then sane_start): the image is the old
                // batch's, the page the new one's.
                const int fds[1] = {cancelFd};
                if (cancelFd >= 0 && waitReadable(fds, 1, 0) == 0)
                    return false;
                delivery_ = delivery;
                return true;
            }
            if (page < page_)
                return false;
            // The reader has not started this page yet.
            space_.clear();
            writerWaiting_ = true;
        }
        if (!waitForSpace(cancelFd))
            return false;
    }
}

bool PagePipe::write(unsigned page, const std::uint8_t *data, std::size_t length, int cancelFd)
{
    while (length > 0) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            const bool ahead = page > page_;  // the reader has not started this page yet
            if (!ahead && (page != page_ || end_ || abandoned_))
                return false;  // the reader moved on, or gave up
            const std::size_t tail = (head_ + count_) % Capacity;
            const std::size_t n = ahead ? 0 : std::min({length, Capacity - count_, Capacity - tail});
            if (n > 0) {
                std::memcpy(storage_.get() + tail, data, n);
                count_ += n;
                data += n;
                length -= n;
                if (readerWaiting_ && (count_ >= pieceBytes() || Clock::now() - readerWaitingSince_ >= MaxPieceWait)) {
                    // A slow device: less than a piece, rather than wait.
                    partialPiece_ = count_ < pieceBytes();
                    readerWaiting_ = false;
                    ready_.signal();
                }
                continue;
            }
            space_.clear();
            writerWaiting_ = true;
        }
        if (!waitForSpace(cancelFd))
            return false;
    }
    return true;
}

void PagePipe::end(unsigned page, SANE_Status status)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (page != page_ || end_)
        return;
    end_ = status;
    ready_.signal();
}

void PagePipe::reset(unsigned page)
{
    std::lock_guard<std::mutex> lock(mutex_);
    page_ = page;
    head_ = count_ = 0;
    firstPieceTaken_ = partialPiece_ = false;
    delivery_ = ImageDelivery{};
    abandoned_ = false;
    end_.reset();
    ready_.clear();
    // A writer waiting for this page (fetched ahead) goes on; one of an
    // older page finds it gone.
    if (writerWaiting_)
        space_.signal();
    readerWaiting_ = writerWaiting_ = false;
}

SANE_Status PagePipe::acquire(const std::uint8_t **data, std::size_t *length, bool blocking, int cancelFd)
{
    *length = 0;
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (count_ >= pieceBytes() || (count_ > 0 && (end_ || partialPiece_))) {
                firstPieceTaken_ = true;
                partialPiece_ = false;
                // Only the reader moves head_, and the writer never touches
                // written bytes: they may be read outside the lock.
                *data = storage_.get() + head_;
                *length = std::min(count_, Capacity - head_);
                return SANE_STATUS_GOOD;
            }
            if (end_)
                return *end_;
            // Not enough to read: readyFd turns readable with the next piece.
            ready_.clear();
            if (!readerWaiting_)
                readerWaitingSince_ = Clock::now();
            readerWaiting_ = true;
        }
        if (!blocking)
            return SANE_STATUS_GOOD;
        const int fds[2] = {ready_.fd(), cancelFd};
        if (waitReadable(fds, 2, -1) == 1)
            return SANE_STATUS_CANCELLED;
    }
}

void PagePipe::release(std::size_t length)
{
    std::lock_guard<std::mutex> lock(mutex_);
    length = std::min(length, count_);
    head_ = (head_ + length) % Capacity;
    count_ -= length;
    // Wake a waiting writer only for a large free space: it then copies one
    // big piece instead of waking for every few bytes.
    if (writerWaiting_ && count_ <= Capacity / 2) {
        writerWaiting_ = false;
        space_.signal();
    }
}

void PagePipe::abandon()
{
    std::lock_guard<std::mutex> lock(mutex_);
    abandoned_ = true;
    space_.signal();
}

ImageDelivery PagePipe::delivery() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return delivery_;
}

}  // namespace wsd
