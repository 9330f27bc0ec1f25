// The bounded hand-over of a page's encoded image, as it arrives from the
// network, from the scan worker to sane_read, which decodes it (PageReader).
// Handing over encoded bytes instead of decoded lines moves a sixteenth of
// the data between the threads, in a few large pieces: the two sides wake
// each other some dozens of times per page instead of once per few lines.
// Every wait is a poll() that also watches the cancel fd, and the readiness
// fd doubles as sane_get_select_fd.
#pragma once

#include "wsd/event_fd.h"
#include "wsd/scan_settings.h"

#include <sane/sane.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace wsd {

// What only the job knows about an image, told with it: how the reader
// turns it and maps it onto the page asked for (page_geometry.h).
struct ImageDelivery {
    bool upsideDown = false;  // turn by 180 degrees (a quirk of some devices' duplex back sides)
    ScanSettings asked;       // the job's ticket
    int finalXDpi = 0;        // DocumentFinalParameters' resolution; 0: not given
    int finalYDpi = 0;
};

class PagePipe {
public:
    // Enough that the network keeps going while the reader decodes a
    // piece; small beside what the frontend keeps.
    static constexpr std::size_t Capacity = 256u << 10;
    // The reader gets bytes once this much has arrived (or the page ended),
    // not for every network read: each wake-up from idle costs, and a
    // decoder fed a few bytes at a time stops mid-row and works more. The
    // first piece of a page is small, so its first lines come at once;
    // later ones are half the pipe: on a device sending 4 MB/s some fifty
    // wake-ups per page, every 32 ms.
    static constexpr std::size_t FirstPieceBytes = 16u << 10;
    // No larger than Capacity / 2: a writer waiting for space is woken
    // once the unread bytes fall to Capacity / 2, so a reader waiting for
    // more than that would wait for it forever.
    static constexpr std::size_t PieceBytes = Capacity / 2;
    // A reader waits this long at most for a piece while bytes come in: a
    // slow device's lines still show as they arrive.
    static constexpr std::chrono::milliseconds MaxPieceWait{100};

    PagePipe();

    int readyFd() const { return ready_.fd(); }

    // Every page has a number: the reader starts one with reset(page), and
    // the worker's calls for an older page (a late cancel) are ignored.
    // The worker may fetch a feeder's next image before the reader starts
    // its page: beginImage and write for a later page wait until it does
    // (bounded: nothing of that page is kept here before then).

    // Worker side.
    // The image of page begins. False when cancelFd became readable first
    // (checked before each wait's end), or the reader has moved past page.
    bool beginImage(unsigned page, const ImageDelivery &delivery, int cancelFd);
    // Appends the bytes, waiting while the pipe is full. False when
    // cancelFd became readable first, or the reader gave up this page.
    bool write(unsigned page, const std::uint8_t *data, std::size_t length, int cancelFd);
    // The page ended: SANE_STATUS_EOF after the whole image, or the error.
    // Ignored for a page the reader has not started.
    void end(unsigned page, SANE_Status status);

    // Reader side.
    // Forget the previous page; page is the number of the next one.
    void reset(unsigned page);
    // The next contiguous bytes: GOOD with *length > 0; GOOD with 0 only
    // when not blocking and less than a piece is there (before the end);
    // the end status once drained
    // (EOF for a whole image); CANCELLED as soon as cancelFd is readable.
    // The bytes stay valid until release().
    SANE_Status acquire(const std::uint8_t **data, std::size_t *length, bool blocking, int cancelFd);
    void release(std::size_t length);
    // The reader cannot use this page (its image is invalid): the worker's
    // writes fail from now on, so it stops the transfer.
    void abandon();
    ImageDelivery delivery() const;

private:
    mutable std::mutex mutex_;
    EventFd ready_;  // readable: bytes or the end are there
    EventFd space_;  // readable: half the pipe is free, or the reader gave up
    // Left uninitialised: its pages become resident only as a scan fills
    // them, not at sane_open (a zero-filled vector cost 256 kB per open device).
    std::unique_ptr<std::uint8_t[]> storage_;
    unsigned page_ = 0;
    std::size_t head_ = 0;   // next byte to read
    std::size_t count_ = 0;  // written, unread bytes
    ImageDelivery delivery_;
    bool firstPieceTaken_ = false;
    bool partialPiece_ = false;  // the reader may take less than a piece
    std::chrono::steady_clock::time_point readerWaitingSince_;
    std::size_t pieceBytes() const { return firstPieceTaken_ ? PieceBytes : FirstPieceBytes; }
    bool abandoned_ = false;
    // A side that found nothing to do and waits (or, for the reader, may
    // select() on readyFd): only then does the other side signal.
    bool readerWaiting_ = false;
    bool writerWaiting_ = false;
    std::optional<SANE_Status> end_;
    // Waits until space_ or cancelFd is readable; false for cancelFd.
    bool waitForSpace(int cancelFd);
};

}  // namespace wsd
