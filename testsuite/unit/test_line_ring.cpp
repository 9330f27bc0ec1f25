#include "suites.h"

#include "wsd/event_fd.h"
#include "wsd/line_ring.h"

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

namespace {

wsd::FrameFormat grayFrame(int width, int lines)
{
    wsd::FrameFormat f;
    f.format = SANE_FRAME_GRAY;
    f.depth = 8;
    f.pixelsPerLine = width;
    f.lines = lines;
    f.bytesPerLine = static_cast<std::size_t>(width);
    return f;
}

}  // namespace

START_TEST(lines_pass_through_in_order_with_backpressure)
{
    // Wider than Capacity / 4 so the ring holds only a few lines and the
    // writer has to wait for the reader many times.
    const int width = static_cast<int>(wsd::LineRing::Capacity / 3);
    const int lines = 40;
    wsd::LineRing ring;
    wsd::EventFd cancel;
    ring.reset(1);
    std::thread writer([&] {
        ring.beginFrame(1, grayFrame(width, lines));
        for (int y = 0; y < lines; ++y) {
            std::uint8_t *slot = ring.slot(cancel.fd());
            ck_assert_ptr_nonnull(slot);
            std::memset(slot, y, static_cast<std::size_t>(width));
            ring.commit();
        }
        ring.end(1, SANE_STATUS_EOF);
    });
    wsd::FrameFormat f;
    ck_assert_int_eq(ring.waitFrame(cancel.fd(), f), SANE_STATUS_GOOD);
    ck_assert_int_eq(f.lines, lines);
    std::vector<std::uint8_t> buf(7777);  // odd size: reads cross line ends
    long total = 0;
    long firstWrong = -1;
    SANE_Status status;
    int len = 0;
    while ((status = ring.read(buf.data(), static_cast<int>(buf.size()), &len, true, cancel.fd())) == SANE_STATUS_GOOD) {
        for (int i = 0; i < len && firstWrong < 0; ++i)
            if (buf[static_cast<std::size_t>(i)] != static_cast<std::uint8_t>((total + i) / width))
                firstWrong = total + i;
        total += len;
    }
    ck_assert_int_eq(firstWrong, -1);
    writer.join();
    ck_assert_int_eq(status, SANE_STATUS_EOF);
    ck_assert_int_eq(total, static_cast<long>(width) * lines);
}
END_TEST

START_TEST(cancel_wakes_blocked_reader_and_writer)
{
    wsd::LineRing ring;
    wsd::EventFd cancel;
    ring.reset(1);
    ring.beginFrame(1, grayFrame(static_cast<int>(wsd::LineRing::Capacity / 4), 100));
    // Fill the ring so the writer blocks.
    std::atomic<bool> writerReturnedNull{false};
    std::thread writer([&] {
        for (;;) {
            std::uint8_t *slot = ring.slot(cancel.fd());
            if (!slot) {
                writerReturnedNull = true;
                return;
            }
            ring.commit();
        }
    });
    std::thread canceller([&] { cancel.signal(); });
    canceller.join();
    writer.join();
    ck_assert(writerReturnedNull.load());
    // A reader with nothing left to read returns CANCELLED, not a hang.
    wsd::LineRing empty;
    empty.reset(2);
    std::uint8_t b[16];
    int len = -1;
    ck_assert_int_eq(empty.read(b, sizeof b, &len, true, cancel.fd()), SANE_STATUS_CANCELLED);
    ck_assert_int_eq(len, 0);
    wsd::FrameFormat f;
    ck_assert_int_eq(empty.waitFrame(cancel.fd(), f), SANE_STATUS_CANCELLED);
}
END_TEST

START_TEST(non_blocking_read_and_stale_pages)
{
    wsd::LineRing ring;
    wsd::EventFd cancel;
    ring.reset(3);
    std::uint8_t b[16];
    int len = -1;
    ck_assert_int_eq(ring.read(b, sizeof b, &len, false, cancel.fd()), SANE_STATUS_GOOD);
    ck_assert_int_eq(len, 0);
    // A late end() for an older page must not end the current one.
    ring.end(2, SANE_STATUS_CANCELLED);
    ck_assert_int_eq(ring.read(b, sizeof b, &len, false, cancel.fd()), SANE_STATUS_GOOD);
    ring.end(3, SANE_STATUS_NO_DOCS);
    wsd::FrameFormat f;
    ck_assert_int_eq(ring.waitFrame(cancel.fd(), f), SANE_STATUS_NO_DOCS);
}
END_TEST

Suite *lineRingSuite()
{
    Suite *s = suite_create("line_ring");
    TCase *tc = tcase_create("ring");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, lines_pass_through_in_order_with_backpressure);
    tcase_add_test(tc, cancel_wakes_blocked_reader_and_writer);
    tcase_add_test(tc, non_blocking_read_and_stale_pages);
    suite_add_tcase(s, tc);
    return s;
}
