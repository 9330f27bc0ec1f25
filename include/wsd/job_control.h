// The scan job on the device, as the worker thread sees it: CreateScanJob
// over the service's addresses, CancelJob on its own short-timeout
// connection, the end state read back after a cancel, and a job whose
// creation was never confirmed found by its name and cancelled. Worker
// thread only.
#pragma once

#include "wsd/http.h"
#include "wsd/job_events.h"
#include "wsd/job_registry.h"
#include "wsd/scan_settings.h"
#include "wsd/wsscan_client.h"

#include <sane/sane.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wsd {

using Deadline = http::Deadline;

// The device lists a job in Terminating: it is still winding a cancelled
// job down (WS-Scan CancelJobRequest) and may refuse new jobs until it ends.
bool deviceEndingCancelledJob(const wsscan::Client &client, const std::string &serviceUrl);

struct JobControlConfig {
    std::string device;                    // SANE device name, for the job registry
    std::vector<std::string> serviceUrls;  // tried in order; the first that answers sticks
    http::Options cancelHttp;              // CancelJob and the requests around it
    // How long a cancelled job's end is awaited, and how long a new job
    // waits for a device that still winds a cancelled job down.
    int busyWaitMs = 10000;
    std::string registryPath;              // the job registry file; empty: its default
    // How long a new job waits for a scanner that refuses jobs while it
    // calibrates or warms its lamp (ScannerStateReason Calibrating, LampWarming).
    int warmUpWaitMs = 30000;
    // The device's job and status events, when a subscription the device
    // took includes them (null, or not live: the worker polls). An event
    // expected but not come within these bounds makes the worker ask the
    // device, as without events.
    std::shared_ptr<JobEvents> events = nullptr;
    int jobEndEventWaitMs = 3000;  // a cancelled job's end (JobEndStateEvent)
    int statusEventWaitMs = 5000;  // a warming scanner's next status (ScannerStatusSummaryEvent)
};

class JobControl {
public:
    struct Job {
        int id = 0;
        std::string token;
        std::string serviceUrl;
        ScanSettings settings;
        ScanSettings finalParameters;  // DocumentFinalParameters: what the device says it will do
        int imagesRetrieved = 0;
        wsscan::Operation<wsscan::Acknowledged> cancel;  // built ahead: a cancel only sends it
    };

    // session: the worker's, whose keep-alive connection carries the job's requests.
    JobControl(JobControlConfig config, http::Session &session);

    // CreateScanJob, trying each address of the service until one answers.
    // A device that refuses jobs (ServerErrorNotAcceptingJobs) while a
    // cancelled job is still Terminating, or just after our own cancel, is
    // asked again with a backoff for up to busyWaitMs, one that warms up
    // for up to warmUpWaitMs (the session's cancel fd ends either wait).
    // GOOD with job() set, or the status the page ends with.
    SANE_Status create(const ScanSettings &settings, Deadline deadline);
    std::optional<Job> &job() { return job_; }
    // The settings the last CreateScanJob refused for its ticket named.
    const std::vector<std::string> &refusedSettings() const { return refusedSettings_; }
    // The job ended (all images in, or the device ended it): forgets it.
    void finished();
    // Sends CancelJob and forgets the job; true when the device took it
    // (its end state is then worth reading back).
    bool cancel(const char *why);
    // After CancelJob: waits for the job's end event (JobEndStateEvent, or
    // JobStatusEvent with an end) where the events are live, else, or when
    // none comes in time, reads the job's state back (GetJobElements) until
    // it ends, busyWaitMs passes or wakeFd becomes readable (left
    // signalled). Returns the last state the device told, empty if none.
    std::string waitUntilEnded(int jobId, int wakeFd);
    // Devices report a jam or an open cover mid-job with a generic fault
    // (OperationFailed): their scanner status says what happened (as the
    // status events told it, else asked with GetScannerElements).
    SANE_Status causeFromScannerStatus(SANE_Status fallback);
    // After a CreateScanJob whose request went out but whose answer was
    // lost (late, cut off, unreadable): finds that job by its name among
    // the device's active jobs and cancels it. Call once the page has ended,
    // so sane_start does not wait for it.
    void endUnconfirmedJob();

private:
    // CreateScanJob at url. Not cancellable: cutting it short could leave a
    // job on the device whose JobId we never learn.
    wsscan::Result<CreatedJob> requestJob(const std::string &url, const ScanSettings &settings, Deadline deadline);
    // ServerErrorNotAcceptingJobs from url, first at refusedSince: waits
    // before the next try if the device is winding a cancelled job down or
    // warming up. GOOD: ask again; CANCELLED: sane_cancel came; else the
    // status the scanner's own status explains (logged for the user).
    SANE_Status waitForJobsAccepted(const std::string &url, const ScanSettings &settings,
                                    std::chrono::steady_clock::time_point refusedSince, int attempt,
                                    Deadline deadline);
    // The refusal is not about a cancelled job: GetScannerElements tells
    // whether the scanner warms up (wait, up to warmUpWaitMs) or why not.
    SANE_Status waitForWarmUp(const std::string &url, const ScanSettings &settings,
                              std::chrono::steady_clock::time_point refusedSince, int attempt, Deadline deadline);
    // Waits on the session's cancel fd (sane_cancel), not blindly, for
    // pause or until bound. GOOD when the time passed, CANCELLED otherwise.
    SANE_Status pauseUnlessCancelled(std::chrono::milliseconds pause, std::chrono::steady_clock::time_point bound);
    // Where the events serve (live, and none missed in this wait): waits
    // until the scanner's status changes from generation seen (an event),
    // bound, or sane_cancel. GOOD: ask again; CANCELLED. When none comes
    // within statusEventWaitMs, the scanner is asked again (CreateScanJob,
    // and GetScannerElements if it still refuses), as without events.
    SANE_Status waitForStatusEvent(unsigned long seen, std::chrono::steady_clock::time_point bound);
    // The events' outcome of a wait: the awaited one came, wakeFd became
    // readable, or the bound passed (or the subscription was lost) first.
    enum class EventWait { Came, Woken, Silent };
    EventWait waitForEvent(const std::function<bool()> &came, int wakeFd,
                           std::chrono::steady_clock::time_point bound) const;
    bool eventsServe() const { return config_.events && config_.events->live(); }
    // The SANE status of a CreateScanJob fault, with its cause logged: the
    // settings a refused ticket named, or what the scanner's status says
    // (asked for after the fault).
    SANE_Status explainFault(const soap::Fault &fault, SANE_Status status, const std::string &url,
                             const ScanSettings &settings, Deadline deadline);

    JobControlConfig config_;
    http::Session &session_;
    // CancelJob's own, with its short timeouts: ready before any cancel,
    // it sends on the idle keep-alive connection that job requests leave.
    http::Session cancelSession_;
    JobRegistry registry_;   // every job we create is recorded until it ends
    ProcessIdentity self_;
    std::optional<Job> job_;
    std::vector<std::string> refusedSettings_;
    // When the device last took a CancelJob of ours.
    std::optional<std::chrono::steady_clock::time_point> lastCancel_;
    int lastCancelledJob_ = 0;  // and which job that was
    // The name of a job CreateScanJob may have created without our learning
    // its JobId.
    std::string unconfirmedJobName_;
    // The status events were silent for statusEventWaitMs: the status they
    // tell is not trusted until GetScannerElements has been asked.
    bool statusUnconfirmed_ = false;
};

}  // namespace wsd
