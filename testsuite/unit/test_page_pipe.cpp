#include "suites.h"

#include "wsd/event_fd.h"
#include "wsd/page_pipe.h"

#include <poll.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

namespace {

// Reads the page to its end; returns the status it ended with.
SANE_Status drain(wsd::PagePipe &pipe, int cancelFd, std::vector<std::uint8_t> &into)
{
    for (;;) {
        const std::uint8_t *data = nullptr;
        std::size_t length = 0;
        SANE_Status status = pipe.acquire(&data, &length, true, cancelFd);
        if (status != SANE_STATUS_GOOD)
            return status;
        ck_assert_uint_gt(length, 0);
        // Take an odd amount, so releases do not line up with writes.
        const std::size_t take = length > 1000 ? 1000 : length;
        into.insert(into.end(), data, data + take);
        pipe.release(take);
    }
}

// Writes twice what the pipe holds, so the writer blocks on the full pipe,
// while another thread runs stop; returns whether the write went through.
bool writeMoreThanFits(wsd::PagePipe &pipe, int cancelFd, const std::function<void()> &stop)
{
    std::vector<std::uint8_t> more(wsd::PagePipe::Capacity * 2);
    std::atomic<bool> written{true};
    std::thread writer([&] { written = pipe.write(1, more.data(), more.size(), cancelFd); });
    std::thread stopper(stop);
    stopper.join();
    writer.join();
    return written;
}

bool readable(int fd)
{
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1;
}

}  // namespace

START_TEST(bytes_pass_through_in_order_with_backpressure)
{
    // Several times the capacity, in writes of an odd size: the writer
    // waits for the reader many times and the ring wraps mid-write.
    const std::size_t total = wsd::PagePipe::Capacity * 5 + 123;
    std::vector<std::uint8_t> sent(total);
    for (std::size_t i = 0; i < total; ++i)
        sent[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
    wsd::PagePipe pipe;
    wsd::EventFd cancel;
    pipe.reset(1);
    std::thread writer([&] {
        wsd::ImageDelivery delivery;
        delivery.upsideDown = true;
        pipe.beginImage(1, delivery, cancel.fd());
        for (std::size_t at = 0; at < total;) {
            const std::size_t n = std::min<std::size_t>(70001, total - at);
            ck_assert(pipe.write(1, sent.data() + at, n, cancel.fd()));
            at += n;
        }
        pipe.end(1, SANE_STATUS_EOF);
    });
    std::vector<std::uint8_t> received;
    ck_assert_int_eq(drain(pipe, cancel.fd(), received), SANE_STATUS_EOF);
    writer.join();
    ck_assert(pipe.delivery().upsideDown);
    ck_assert_uint_eq(received.size(), total);
    ck_assert(received == sent);
}
END_TEST

START_TEST(cancel_wakes_blocked_reader_and_writer)
{
    wsd::PagePipe pipe;
    wsd::EventFd cancel;
    pipe.reset(1);
    ck_assert(!writeMoreThanFits(pipe, cancel.fd(), [&] { cancel.signal(); }));
    // A reader of an empty page returns CANCELLED, not a hang.
    wsd::PagePipe empty;
    empty.reset(2);
    const std::uint8_t *data = nullptr;
    std::size_t length = 9;
    ck_assert_int_eq(empty.acquire(&data, &length, true, cancel.fd()), SANE_STATUS_CANCELLED);
    ck_assert_uint_eq(length, 0);
}
END_TEST

START_TEST(abandon_stops_the_writer)
{
    wsd::PagePipe pipe;
    wsd::EventFd cancel;
    pipe.reset(1);
    ck_assert(!writeMoreThanFits(pipe, cancel.fd(), [&] { pipe.abandon(); }));
    ck_assert(!cancel.isSignalled());
    std::uint8_t byte = 1;
    ck_assert(!pipe.write(1, &byte, 1, cancel.fd()));
}
END_TEST

START_TEST(non_blocking_readiness_and_stale_pages)
{
    wsd::PagePipe pipe;
    wsd::EventFd cancel;
    pipe.reset(3);
    const std::uint8_t *data = nullptr;
    std::size_t length = 9;
    ck_assert_int_eq(pipe.acquire(&data, &length, false, cancel.fd()), SANE_STATUS_GOOD);
    ck_assert_uint_eq(length, 0);
    ck_assert(!readable(pipe.readyFd()));
    // Calls for an older page (a late worker) change nothing.
    std::uint8_t bytes[3] = {1, 2, 3};
    ck_assert(!pipe.write(2, bytes, sizeof bytes, cancel.fd()));
    pipe.end(2, SANE_STATUS_CANCELLED);
    ck_assert(!readable(pipe.readyFd()));
    // A few bytes wait for more: they are not worth a decoder's call.
    ck_assert(pipe.write(3, bytes, sizeof bytes, cancel.fd()));
    ck_assert(!readable(pipe.readyFd()));
    ck_assert_int_eq(pipe.acquire(&data, &length, false, cancel.fd()), SANE_STATUS_GOOD);
    ck_assert_uint_eq(length, 0);
    // A first piece's worth makes the select fd readable and goes out whole.
    std::vector<std::uint8_t> more(wsd::PagePipe::FirstPieceBytes - sizeof bytes, 7);
    ck_assert(pipe.write(3, more.data(), more.size(), cancel.fd()));
    ck_assert(readable(pipe.readyFd()));
    ck_assert_int_eq(pipe.acquire(&data, &length, false, cancel.fd()), SANE_STATUS_GOOD);
    ck_assert_uint_eq(length, wsd::PagePipe::FirstPieceBytes);
    ck_assert_int_eq(data[2], 3);
    pipe.release(length - 1);
    // Later pieces are larger.
    ck_assert_int_eq(pipe.acquire(&data, &length, false, cancel.fd()), SANE_STATUS_GOOD);
    ck_assert_uint_eq(length, 0);
    std::vector<std::uint8_t> piece(wsd::PagePipe::PieceBytes - 2, 8);
    ck_assert(pipe.write(3, piece.data(), piece.size(), cancel.fd()));
    ck_assert(!readable(pipe.readyFd()));
    ck_assert_int_eq(pipe.acquire(&data, &length, false, cancel.fd()), SANE_STATUS_GOOD);
    ck_assert_uint_eq(length, 0);
    ck_assert(pipe.write(3, bytes, 1, cancel.fd()));
    ck_assert(readable(pipe.readyFd()));
    ck_assert_int_eq(pipe.acquire(&data, &length, false, cancel.fd()), SANE_STATUS_GOOD);
    ck_assert_uint_eq(length, wsd::PagePipe::PieceBytes);
    pipe.release(length - 1);
    // At the end, the rest goes out however small.
    pipe.end(3, SANE_STATUS_EOF);
    ck_assert(readable(pipe.readyFd()));
    ck_assert_int_eq(pipe.acquire(&data, &length, true, cancel.fd()), SANE_STATUS_GOOD);
    ck_assert_uint_eq(length, 1);
    pipe.release(length);
    ck_assert_int_eq(pipe.acquire(&data, &length, true, cancel.fd()), SANE_STATUS_EOF);
    pipe.reset(4);
    pipe.end(4, SANE_STATUS_NO_DOCS);
    ck_assert(readable(pipe.readyFd()));
    ck_assert_int_eq(pipe.acquire(&data, &length, true, cancel.fd()), SANE_STATUS_NO_DOCS);
}
END_TEST

START_TEST(a_slow_writer_reaches_a_waiting_reader)
{
    // A device sending a byte every 20 ms never fills a piece: the waiting
    // reader still gets what came (after MaxPieceWait), before the page
    // ends.
    wsd::PagePipe pipe;
    wsd::EventFd cancel;
    pipe.reset(1);
    std::atomic<bool> received{false};
    std::atomic<bool> ended{false};
    std::thread writer([&] {
        const std::uint8_t byte = 42;
        // Until the reader has something; 10 s is a hang guard.
        for (int i = 0; !received && i < 500; ++i) {
            ck_assert(pipe.write(1, &byte, 1, cancel.fd()));
            // The pace of a slow device, not a synchronisation.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ended = true;
        pipe.end(1, SANE_STATUS_EOF);
    });
    const std::uint8_t *data = nullptr;
    std::size_t length = 0;
    ck_assert_int_eq(pipe.acquire(&data, &length, true, cancel.fd()), SANE_STATUS_GOOD);
    const bool beforeTheEnd = !ended.load();
    received = true;
    ck_assert_uint_gt(length, 0);
    ck_assert_uint_lt(length, wsd::PagePipe::FirstPieceBytes);
    ck_assert_int_eq(data[0], 42);
    pipe.release(length);
    writer.join();
    ck_assert(beforeTheEnd);
}
END_TEST

START_TEST(a_page_fetched_ahead_waits_for_its_reset)
{
    // The worker fetches a feeder's next image while the reader is still
    // on the page before: its bytes wait until the reader starts the page,
    // then go to that page only.
    wsd::PagePipe pipe;
    wsd::EventFd cancel;
    pipe.reset(1);
    pipe.end(1, SANE_STATUS_EOF);
    const std::vector<std::uint8_t> image(wsd::PagePipe::Capacity + 77, 5);
    std::atomic<bool> begun{false};
    std::atomic<bool> written{false};
    wsd::ImageDelivery delivery;
    delivery.upsideDown = true;
    std::thread writer([&] {
        begun = pipe.beginImage(2, delivery, cancel.fd());
        written = pipe.write(2, image.data(), image.size(), cancel.fd());
        pipe.end(2, SANE_STATUS_EOF);  // ignored until page 2 has begun, so no earlier
    });
    // Page 1 still ends as it did: none of page 2 is in it.
    const std::uint8_t *data = nullptr;
    std::size_t length = 0;
    ck_assert_int_eq(pipe.acquire(&data, &length, true, cancel.fd()), SANE_STATUS_EOF);
    pipe.reset(2);
    std::vector<std::uint8_t> got;
    ck_assert_int_eq(drain(pipe, cancel.fd(), got), SANE_STATUS_EOF);
    writer.join();
    ck_assert(begun);
    ck_assert(written);
    ck_assert(pipe.delivery().upsideDown);
    ck_assert(got == image);
}
END_TEST

START_TEST(cancel_wakes_a_writer_waiting_for_its_page)
{
    // A cancel between pages reaches the worker waiting with an image
    // fetched ahead, even when the reader starts the next page at the same
    // time (that page then belongs to a new batch).
    for (bool alsoReset : {false, true}) {
        wsd::PagePipe pipe;
        wsd::EventFd cancel;
        pipe.reset(1);
        pipe.end(1, SANE_STATUS_EOF);
        std::atomic<bool> begun{true};
        std::thread writer([&] { begun = pipe.beginImage(2, wsd::ImageDelivery{}, cancel.fd()); });
        cancel.signal();
        if (alsoReset)
            pipe.reset(2);
        writer.join();
        ck_assert(!begun);
        std::uint8_t byte = 1;
        if (!alsoReset)
            ck_assert(!pipe.write(2, &byte, 1, cancel.fd()));
    }
    // A writer of a page the reader has gone past stops at once.
    wsd::PagePipe pipe;
    wsd::EventFd cancel;
    pipe.reset(3);
    ck_assert(!pipe.beginImage(2, wsd::ImageDelivery{}, cancel.fd()));
}
END_TEST

Suite *pagePipeSuite()
{
    Suite *s = suite_create("page_pipe");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 30);
    tcase_add_test(t, bytes_pass_through_in_order_with_backpressure);
    tcase_add_test(t, cancel_wakes_blocked_reader_and_writer);
    tcase_add_test(t, abandon_stops_the_writer);
    tcase_add_test(t, non_blocking_readiness_and_stale_pages);
    tcase_add_test(t, a_slow_writer_reaches_a_waiting_reader);
    tcase_add_test(t, a_page_fetched_ahead_waits_for_its_reset);
    tcase_add_test(t, cancel_wakes_a_writer_waiting_for_its_page);
    suite_add_tcase(s, t);
    return s;
}
