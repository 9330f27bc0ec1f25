// The bounded hand-over of decoded scanlines from the scan worker to
// sane_read: a ring of line slots the decoder writes into directly, so a line
// is copied once, into the frontend's buffer. Its size does not grow with the
// page. Every wait is a poll() that also watches the cancel fd, and the
// readiness fd doubles as sane_get_select_fd.
#pragma once

#include "wsd/event_fd.h"

#include <sane/sane.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace wsd {

struct FrameFormat {
    SANE_Frame format = SANE_FRAME_GRAY;
    int depth = 8;
    int pixelsPerLine = 0;
    int lines = -1;  // -1 while unknown
    std::size_t bytesPerLine = 0;
};

class LineRing {
public:
    // Bytes of line slots kept; at least a few lines whatever the width.
    // 512 KiB holds some 35 lines of a 600 dpi colour page: enough to keep
    // both sides busy, small beside what the frontend keeps.
    static constexpr std::size_t Capacity = 512u << 10;

    LineRing() = default;

    int readyFd() const { return ready_.fd(); }

    // Every page has a number: the reader starts one with reset(page) and
    // the worker's calls for an older page (a late cancel) are ignored.

    // Worker side.
    // A new page: the reader may take lines of this format.
    void beginFrame(unsigned page, const FrameFormat &format);
    // The slot for the next line, waiting while the ring is full. nullptr
    // when cancelFd became readable first.
    std::uint8_t *slot(int cancelFd);
    void commit();
    // The page ended: SANE_STATUS_EOF after the last line, or the error.
    void end(unsigned page, SANE_Status status);

    // Reader side.
    // Waits until the frame format is known or the page ended; returns the
    // status to give sane_start (GOOD when a frame began).
    SANE_Status waitFrame(int cancelFd, FrameFormat &format);
    std::optional<FrameFormat> frame() const;
    // sane_read: copies up to max bytes. Returns GOOD with *length 0 only in
    // non-blocking mode when nothing is ready; EOF/error once drained; and
    // CANCELLED as soon as cancelFd is readable.
    SANE_Status read(std::uint8_t *out, int max, int *length, bool blocking, int cancelFd);
    // Forget the previous page; page is the number of the next one.
    void reset(unsigned page);

private:
    mutable std::mutex mutex_;
    EventFd ready_;  // readable: lines, a new frame, or the end are there
    EventFd space_;  // readable: a slot was freed
    std::vector<std::uint8_t> storage_;
    unsigned page_ = 0;
    std::optional<FrameFormat> frame_;
    std::size_t slots_ = 0;
    std::size_t head_ = 0;   // next slot to read
    std::size_t count_ = 0;  // committed, unread slots
    std::size_t headOffset_ = 0;  // bytes of the head slot already read
    // A side that found nothing to do and waits (or, for the reader, may
    // select() on readyFd): only then does the other side signal, so a page
    // costs a few wake-ups instead of two per line.
    bool readerWaiting_ = false;
    bool writerWaiting_ = false;
    std::optional<SANE_Status> end_;
};

}  // namespace wsd
