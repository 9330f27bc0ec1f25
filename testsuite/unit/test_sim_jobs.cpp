// wsd-sim's job table: the WS-Scan job state machine, timeouts, history,
// reboot, and the waits that image transfers rely on.
#include "suites.h"

#include "test_sim_support.h"

#include "../sim/job_table.h"

#include <chrono>
#include <thread>

using namespace wsdsim;
using namespace std::chrono;

namespace {

ScanTicket platenTicket(const char *source = "Platen")
{
    ScanTicket t;
    t.jobName = "unit";
    t.userName = "tester";
    t.inputSource.set(source);
    return t;
}

const seconds kTimeout(60);

}  // namespace

START_TEST(single_image_job_completes)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket(), 1, kTimeout);
    ck_assert_int_eq(job.id, 1);
    SIM_ASSERT_EQ(jobStateName(job.state), "Pending");
    ck_assert(!job.token.empty());

    RetrieveResult r = jobs.beginRetrieve(job.id, job.token, 0);
    ck_assert(r.status == RetrieveStatus::Ok);
    ck_assert_int_eq(r.imageIndex, 0);
    SIM_ASSERT_EQ(jobStateName(jobs.find(job.id)->state), "Processing");
    SIM_ASSERT_EQ(jobs.find(job.id)->reasons.at(0).c_str(), "JobScanningAndTransferring");
    ck_assert_int_eq(jobs.activeJobs().size(), 1);

    jobs.finishImage(job.id, true, kTimeout);
    Job done = *jobs.find(job.id);
    SIM_ASSERT_EQ(jobStateName(done.state), "Completed");
    SIM_ASSERT_EQ(done.reasons.at(0).c_str(), "JobCompletedSuccessfully");
    ck_assert_int_eq(done.imagesSent, 1);
    ck_assert(!done.completedTime.empty());
    ck_assert_int_eq(jobs.activeJobs().size(), 0);
    ck_assert_int_eq(jobs.history().size(), 1);
    ck_assert(jobs.beginRetrieve(job.id, job.token, 0).status == RetrieveStatus::NoImages);
}
END_TEST

START_TEST(multi_image_job_counts_images)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket("ADF"), 3, kTimeout);
    for (int i = 0; i < 3; ++i) {
        RetrieveResult r = jobs.beginRetrieve(job.id, job.token, 0);
        ck_assert(r.status == RetrieveStatus::Ok);
        ck_assert_int_eq(r.imageIndex, i);
        jobs.finishImage(job.id, true, kTimeout);
        SIM_ASSERT_EQ(jobStateName(jobs.find(job.id)->state), i < 2 ? "Processing" : "Completed");
    }
    ck_assert_int_eq(jobs.find(job.id)->imagesSent, 3);
    ck_assert(jobs.beginRetrieve(job.id, job.token, 0).status == RetrieveStatus::NoImages);
}
END_TEST

START_TEST(empty_feeder_job_completes_at_first_retrieve)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket("ADF"), 0, kTimeout);
    ck_assert(jobs.beginRetrieve(job.id, job.token, 0).status == RetrieveStatus::NoImages);
    SIM_ASSERT_EQ(jobStateName(jobs.find(job.id)->state), "Completed");
}
END_TEST

START_TEST(unknown_job_and_wrong_token)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket(), 1, kTimeout);
    ck_assert(jobs.beginRetrieve(job.id + 1, job.token, 0).status == RetrieveStatus::UnknownJob);
    ck_assert(jobs.beginRetrieve(job.id, "not-the-token", 0).status == RetrieveStatus::BadToken);
    SIM_ASSERT_EQ(jobStateName(jobs.find(job.id)->state), "Pending");
}
END_TEST

START_TEST(cancel_active_and_finished_jobs)
{
    JobTable jobs;
    Job pending = jobs.create(platenTicket(), 1, kTimeout);
    ck_assert(jobs.cancel(pending.id));
    SIM_ASSERT_EQ(jobStateName(jobs.find(pending.id)->state), "Canceled");
    ck_assert(!jobs.cancel(pending.id));  // finished: ClientErrorJobIdNotFound
    ck_assert(!jobs.cancel(999));
    ck_assert(jobs.beginRetrieve(pending.id, pending.token, 0).status == RetrieveStatus::Canceled);

    Job processing = jobs.create(platenTicket(), 1, kTimeout);
    ck_assert(jobs.beginRetrieve(processing.id, processing.token, 0).status == RetrieveStatus::Ok);
    ck_assert(jobs.cancel(processing.id));
    // The transfer that was running ends; the job stays Canceled.
    jobs.finishImage(processing.id, false, kTimeout);
    SIM_ASSERT_EQ(jobStateName(jobs.find(processing.id)->state), "Canceled");

    Job completed = jobs.create(platenTicket(), 1, kTimeout);
    jobs.beginRetrieve(completed.id, completed.token, 0);
    jobs.finishImage(completed.id, true, kTimeout);
    ck_assert(!jobs.cancel(completed.id));
}
END_TEST

START_TEST(failed_transfer_aborts)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket(), 1, kTimeout);
    jobs.beginRetrieve(job.id, job.token, 0);
    jobs.finishImage(job.id, false, kTimeout);
    Job j = *jobs.find(job.id);
    SIM_ASSERT_EQ(jobStateName(j.state), "Aborted");
    SIM_ASSERT_EQ(j.reasons.at(0).c_str(), "ImageTransferError");
    ck_assert(jobs.beginRetrieve(job.id, job.token, 0).status == RetrieveStatus::Failed);
}
END_TEST

START_TEST(second_retrieve_while_sending_is_busy)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket("ADF"), 2, kTimeout);
    ck_assert(jobs.beginRetrieve(job.id, job.token, 0).status == RetrieveStatus::Ok);
    ck_assert(jobs.beginRetrieve(job.id, job.token, 0).status == RetrieveStatus::Busy);
}
END_TEST

START_TEST(jam_aborts_with_scanner_stopped)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket("ADF"), 3, kTimeout);
    ck_assert(jobs.beginRetrieve(job.id, job.token, 1).status == RetrieveStatus::Ok);
    jobs.finishImage(job.id, true, kTimeout);
    ck_assert(jobs.beginRetrieve(job.id, job.token, 1).status == RetrieveStatus::Jammed);
    Job j = *jobs.find(job.id);
    SIM_ASSERT_EQ(jobStateName(j.state), "Aborted");
    SIM_ASSERT_EQ(j.reasons.at(0).c_str(), "ScannerStopped");
    ck_assert_int_eq(j.imagesSent, 1);
}
END_TEST

START_TEST(unretrieved_job_times_out)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket(), 1, seconds(1));
    Job other = jobs.create(platenTicket(), 1, kTimeout);
    ck_assert(jobs.waitUntilFinished(job.id, seconds(30)));  // hang guard only
    Job j = *jobs.find(job.id);
    SIM_ASSERT_EQ(jobStateName(j.state), "Aborted");
    SIM_ASSERT_EQ(j.reasons.at(0).c_str(), "JobTimedOut");
    SIM_ASSERT_EQ(jobStateName(jobs.find(other.id)->state), "Pending");
}
END_TEST

START_TEST(timeout_restarts_after_each_image)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket("ADF"), 2, seconds(1));
    jobs.beginRetrieve(job.id, job.token, 0);
    jobs.finishImage(job.id, true, seconds(1));
    ck_assert(jobs.waitUntilFinished(job.id, seconds(30)));
    Job j = *jobs.find(job.id);
    SIM_ASSERT_EQ(jobStateName(j.state), "Aborted");
    SIM_ASSERT_EQ(j.reasons.at(0).c_str(), "JobTimedOut");
    ck_assert_int_eq(j.imagesSent, 1);
}
END_TEST

START_TEST(history_is_bounded_and_ids_increase)
{
    JobTable jobs;
    long last = 0;
    for (int i = 0; i < 150; ++i) {
        Job job = jobs.create(platenTicket(), 1, kTimeout);
        ck_assert_int_gt(job.id, last);
        last = job.id;
        jobs.cancel(job.id);
    }
    ck_assert_int_eq(jobs.history().size(), JobTable::MaxHistory);
    ck_assert_int_eq(jobs.history().front().id, 51);
    ck_assert(!jobs.find(1));
}
END_TEST

START_TEST(reboot_forgets_jobs)
{
    JobTable jobs;
    Job a = jobs.create(platenTicket(), 1, kTimeout);
    jobs.create(platenTicket(), 1, kTimeout);
    jobs.cancel(a.id);
    jobs.reboot();
    ck_assert_int_eq(jobs.allJobs().size(), 0);
    ck_assert(jobs.beginRetrieve(a.id, a.token, 0).status == RetrieveStatus::UnknownJob);
    ck_assert_int_eq(jobs.create(platenTicket(), 1, kTimeout).id, 1);
}
END_TEST

START_TEST(stalled_wait_wakes_on_cancel_and_stop)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket(), 1, kTimeout);
    jobs.beginRetrieve(job.id, job.token, 0);
    bool result = true;
    std::thread waiter([&] { result = jobs.waitWhileProcessingForever(job.id); });
    jobs.cancel(job.id);
    waiter.join();
    ck_assert(!result);

    Job second = jobs.create(platenTicket(), 1, kTimeout);
    jobs.beginRetrieve(second.id, second.token, 0);
    ck_assert(jobs.waitWhileProcessing(second.id, milliseconds(1)));  // still processing
    std::thread stopper([&] { result = jobs.waitWhileProcessingForever(second.id); });
    jobs.stop();
    stopper.join();
    ck_assert(jobs.stopping());
    ck_assert(!jobs.sleepUnlessStopping(seconds(30)));
}
END_TEST

START_TEST(duplex_images_alternate_sides)
{
    JobTable jobs;
    Job job = jobs.create(platenTicket("ADFDuplex"), 4, kTimeout);
    ck_assert_int_eq(job.sheetOf(0), 1);
    ck_assert(!job.backOf(0));
    ck_assert_int_eq(job.sheetOf(1), 1);
    ck_assert(job.backOf(1));
    ck_assert_int_eq(job.sheetOf(2), 2);
    ck_assert(!job.backOf(2));
    Job simplex = jobs.create(platenTicket("ADF"), 3, kTimeout);
    ck_assert_int_eq(simplex.sheetOf(2), 3);
    ck_assert(!simplex.backOf(1));
}
END_TEST

// WS-Scan CancelJobRequest: Pending or Processing -> Terminating, then Canceled.
START_TEST(cancel_request_terminates_then_cancels)
{
    JobTable jobs;
    const std::string client = "198.18.0.2";
    Job pending = jobs.create(platenTicket(), 1, kTimeout, false, client);
    ck_assert(!jobs.terminating());
    ck_assert(jobs.cancelFor(pending.id, client, milliseconds(100)) == CancelStatus::Terminating);
    SIM_ASSERT_EQ(jobStateName(jobs.find(pending.id)->state), "Terminating");
    ck_assert(jobs.find(pending.id)->active());
    ck_assert_int_eq(jobs.activeJobs().size(), 1);
    ck_assert(jobs.terminating());
    // No more images from a job being cancelled; a second cancel is allowed
    // until the job is Canceled and changes nothing.
    ck_assert(jobs.beginRetrieve(pending.id, pending.token, 0).status == RetrieveStatus::Canceled);
    ck_assert(jobs.cancelFor(pending.id, client, milliseconds(100)) == CancelStatus::Terminating);
    ck_assert(jobs.waitUntilFinished(pending.id, seconds(30)));  // hang guard only
    SIM_ASSERT_EQ(jobStateName(jobs.find(pending.id)->state), "Canceled");
    ck_assert(!jobs.terminating());
    ck_assert(jobs.cancelFor(pending.id, client, milliseconds(100)) == CancelStatus::UnknownJob);

    // A Processing job: its transfer stops waiting at once and its end does
    // not change the state.
    Job processing = jobs.create(platenTicket(), 1, kTimeout, false, client);
    ck_assert(jobs.beginRetrieve(processing.id, processing.token, 0).status == RetrieveStatus::Ok);
    ck_assert(jobs.cancelFor(processing.id, client, seconds(60)) == CancelStatus::Terminating);
    ck_assert(!jobs.waitWhileProcessing(processing.id, seconds(30)));
    jobs.finishImage(processing.id, false, kTimeout);
    SIM_ASSERT_EQ(jobStateName(jobs.find(processing.id)->state), "Terminating");
}
END_TEST

START_TEST(cancel_request_for_finished_or_unknown_job)
{
    JobTable jobs;
    const std::string client = "127.0.0.1";
    // Its one image delivered (Completed) or not (Aborted).
    for (bool delivered : {true, false}) {
        Job ended = jobs.create(platenTicket(), 1, kTimeout, false, client);
        jobs.beginRetrieve(ended.id, ended.token, 0);
        jobs.finishImage(ended.id, delivered, kTimeout);
        SIM_ASSERT_EQ(jobStateName(jobs.find(ended.id)->state), delivered ? "Completed" : "Aborted");
        ck_assert(jobs.cancelFor(ended.id, client, milliseconds(0)) == CancelStatus::UnknownJob);
    }

    Job canceled = jobs.create(platenTicket(), 1, kTimeout, false, client);
    ck_assert(jobs.cancel(canceled.id));
    ck_assert(jobs.cancelFor(canceled.id, client, milliseconds(0)) == CancelStatus::UnknownJob);

    ck_assert(jobs.cancelFor(999, client, milliseconds(0)) == CancelStatus::UnknownJob);
}
END_TEST

START_TEST(cancel_request_for_another_clients_job)
{
    JobTable jobs;
    Job mine = jobs.create(platenTicket(), 1, kTimeout, false, "198.18.0.2");
    ck_assert(jobs.cancelFor(mine.id, "198.18.0.3", milliseconds(0)) == CancelStatus::NotOwner);
    SIM_ASSERT_EQ(jobStateName(jobs.find(mine.id)->state), "Pending");
    // A job made outside WS-Scan (the front panel) is no WS-Scan client's.
    Job panel = jobs.create(platenTicket(), 1, kTimeout, true);
    ck_assert(jobs.cancelFor(panel.id, "", milliseconds(0)) == CancelStatus::NotOwner);
    ck_assert(jobs.cancelFor(panel.id, "198.18.0.2", milliseconds(0)) == CancelStatus::NotOwner);
    SIM_ASSERT_EQ(jobStateName(jobs.find(panel.id)->state), "Pending");
    // The owner's cancel, with no terminating time: Canceled at once.
    ck_assert(jobs.cancelFor(mine.id, "198.18.0.2", milliseconds(0)) == CancelStatus::Canceled);
    SIM_ASSERT_EQ(jobStateName(jobs.find(mine.id)->state), "Canceled");
    ck_assert_int_eq(jobs.activeJobs().size(), 1);
}
END_TEST

Suite *simJobsSuite()
{
    Suite *s = suite_create("sim jobs");
    TCase *tc = tcase_create("state machine");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, single_image_job_completes);
    tcase_add_test(tc, multi_image_job_counts_images);
    tcase_add_test(tc, empty_feeder_job_completes_at_first_retrieve);
    tcase_add_test(tc, unknown_job_and_wrong_token);
    tcase_add_test(tc, cancel_active_and_finished_jobs);
    tcase_add_test(tc, cancel_request_terminates_then_cancels);
    tcase_add_test(tc, cancel_request_for_finished_or_unknown_job);
    tcase_add_test(tc, cancel_request_for_another_clients_job);
    tcase_add_test(tc, failed_transfer_aborts);
    tcase_add_test(tc, second_retrieve_while_sending_is_busy);
    tcase_add_test(tc, jam_aborts_with_scanner_stopped);
    tcase_add_test(tc, unretrieved_job_times_out);
    tcase_add_test(tc, timeout_restarts_after_each_image);
    tcase_add_test(tc, history_is_bounded_and_ids_increase);
    tcase_add_test(tc, reboot_forgets_jobs);
    tcase_add_test(tc, stalled_wait_wakes_on_cancel_and_stop);
    tcase_add_test(tc, duplex_images_alternate_sides);
    suite_add_tcase(s, tc);
    return s;
}
