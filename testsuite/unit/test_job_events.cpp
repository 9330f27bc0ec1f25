// JobEvents, what the job worker learns from the device's job and status
// events: only the watched job's end counts (never another client's job),
// a JobEndStateEvent is the last word, status events update the status
// and its generation, and each event that concerns the worker wakes it.
#include "wsd/job_events.h"

#include <string>

// Last: check.h defines a macro named fail.
#include "suites.h"

namespace {

wsd::events::JobEndState endState(int id, const char *state)
{
    wsd::events::JobEndState end;
    end.jobId = id;
    end.completedState = state;
    return end;
}

wsd::JobStatus jobStatus(int id, const char *state)
{
    wsd::JobStatus status;
    status.jobId = id;
    status.state = state;
    return status;
}

wsd::ScannerStatusInfo summary(const char *state, const char *reason)
{
    wsd::ScannerStatusInfo status;
    status.state = state;
    if (*reason)
        status.reasons.push_back(reason);
    return status;
}

}  // namespace

START_TEST(job_end_from_event)
{
    using wsd::jobEndFromEvent;
    ASSERT_STRING_EQ(jobEndFromEvent(endState(7, "Canceled"), 7), "Canceled");
    ASSERT_STRING_EQ(jobEndFromEvent(endState(8, "Canceled"), 7), "");   // another job
    ASSERT_STRING_EQ(jobEndFromEvent(endState(7, "Completed"), 0), "");  // no job watched
    ASSERT_STRING_EQ(jobEndFromEvent(jobStatus(7, "Terminating"), 7), "Terminating");
    ASSERT_STRING_EQ(jobEndFromEvent(jobStatus(7, "Aborted"), 7), "Aborted");
    ASSERT_STRING_EQ(jobEndFromEvent(jobStatus(7, "Processing"), 7), "");  // no end yet
    ASSERT_STRING_EQ(jobEndFromEvent(summary("Idle", ""), 7), "");
}
END_TEST

START_TEST(only_the_watched_job_counts)
{
    wsd::JobEvents events;
    ck_assert(!events.live());
    events.setLive(true);
    ck_assert(events.live());
    events.clearWake();
    events.watch(41);

    // Another client's job: ignored, nobody woken.
    ck_assert(!events.apply(endState(40, "Canceled")));
    ck_assert(!events.apply(jobStatus(40, "Aborted")));
    const int fds[1] = {events.fd()};
    ck_assert_int_eq(wsd::waitReadable(fds, 1, 0), -1);
    ASSERT_STRING_EQ(events.endedState(41), "");
    ck_assert(!events.heardOf(41));
    ck_assert(!events.heardOf(40));

    // Ours, still running: heard of, not ended.
    ck_assert(events.apply(jobStatus(41, "Processing")));
    ck_assert(events.heardOf(41));
    ASSERT_STRING_EQ(events.endedState(41), "");

    // Ours: a Terminating first, then the end state, which stays.
    ck_assert(events.apply(jobStatus(41, "Terminating")));
    ck_assert_int_eq(wsd::waitReadable(fds, 1, 0), 0);
    ASSERT_STRING_EQ(events.endedState(41), "Terminating");
    ck_assert(events.apply(endState(41, "Canceled")));
    ASSERT_STRING_EQ(events.endedState(41), "Canceled");
    ck_assert(events.apply(jobStatus(41, "Terminating")));  // late, out of order
    ASSERT_STRING_EQ(events.endedState(41), "Canceled");
    ASSERT_STRING_EQ(events.endedState(40), "");

    // The next job starts afresh.
    events.watch(42);
    ck_assert(!events.heardOf(42));
    ASSERT_STRING_EQ(events.endedState(42), "");
    ASSERT_STRING_EQ(events.endedState(41), "");
}
END_TEST

START_TEST(status_events_and_generation)
{
    wsd::JobEvents events;
    unsigned long before = 0, after = 0;
    events.setStatus(summary("Processing", "Calibrating"));
    events.status(&before);
    events.clearWake();

    ck_assert(events.apply(summary("Idle", "")));
    const wsd::ScannerStatusInfo now = events.status(&after);
    ck_assert(after != before);
    ck_assert_str_eq(now.state.c_str(), "Idle");
    ck_assert(now.reasons.empty());
    const int fds[1] = {events.fd()};
    ck_assert_int_eq(wsd::waitReadable(fds, 1, 0), 0);

    wsd::DeviceCondition jam;
    jam.id = 3;
    jam.name = "MediaJam";
    ck_assert(events.apply(jam));
    ck_assert_int_eq(static_cast<int>(events.status().conditions.size()), 1);
    ck_assert(events.apply(wsd::events::ConditionCleared{3}));
    ck_assert(events.status().conditions.empty());
}
END_TEST

START_TEST(losing_the_subscription_wakes_the_worker)
{
    wsd::JobEvents events;
    events.setLive(true);
    events.clearWake();
    events.setLive(true);  // no change: no wake
    const int fds[1] = {events.fd()};
    ck_assert_int_eq(wsd::waitReadable(fds, 1, 0), -1);
    events.setLive(false);
    ck_assert(!events.live());
    ck_assert_int_eq(wsd::waitReadable(fds, 1, 0), 0);
}
END_TEST

Suite *jobEventsSuite()
{
    Suite *s = suite_create("job_events");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, job_end_from_event);
    tcase_add_test(tc, only_the_watched_job_counts);
    tcase_add_test(tc, status_events_and_generation);
    tcase_add_test(tc, losing_the_subscription_wakes_the_worker);
    suite_add_tcase(s, tc);
    return s;
}
