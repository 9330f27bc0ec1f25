// The device's jobs and their state machine (WS-Scan JobState):
//   CreateScanJob -> Pending -> Processing (an image is being scanned and sent)
//   -> Completed (every planned image delivered)
//   | Terminating (CancelJobRequest on a Pending or Processing job) -> Canceled
//   | Aborted (JobTimedOut, ImageTransferError, ScannerStopped on a jam).
// A Terminating job is still active (listed in ActiveJobs) until its
// terminating time is over; a cancel at the device itself (the control
// endpoint) goes straight to Canceled.
// A job nobody retrieves from within the timeout is aborted by a timer
// thread. Finished jobs move to a bounded history. Thread-safe; it is also
// what image transfers wait on, so a cancel or shutdown wakes them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "scan_ticket.h"

namespace wsdsim {

enum class JobState { Creating, Pending, Processing, Terminating, Completed, Canceled, Aborted };
const char *jobStateName(JobState s);

struct Job {
    long id = 0;
    std::string token;
    ScanTicket ticket;  // the final ticket (device values filled in)
    JobState state = JobState::Creating;
    std::vector<std::string> reasons;  // JobStateReason values
    int imagesPlanned = 0;  // what the source will deliver (ImagesToTransfer and feeder bound)
    int imagesSent = 0;     // ScansCompleted
    int firstSheet = 1;     // the feeder sheet its first image shows (one-page-jobs: earlier jobs took some)
    bool transferring = false;
    bool foreign = false;   // created through the control endpoint, owned by "another user"
    std::string owner;      // the host address whose CreateScanJob made it (empty: foreign)
    std::string createdTime, completedTime;
    // When the job reached its end state, to the microsecond (benchmarks:
    // "CancelJob sent -> job Canceled"); epoch while active.
    std::chrono::system_clock::time_point endedAt{};
    // Abort if no RetrieveImage by then; a Terminating job becomes Canceled then.
    std::chrono::steady_clock::time_point deadline;

    bool active() const
    {
        return state == JobState::Creating || state == JobState::Pending || state == JobState::Processing ||
               state == JobState::Terminating;
    }
    // Which sheet and side image number `index` (0-based) is.
    int sheetOf(int index) const;
    bool backOf(int index) const;
};

enum class RetrieveStatus {
    Ok,          // image `imageIndex` of `job` is to be sent now
    UnknownJob,  // ClientErrorJobIdNotFound
    BadToken,    // ClientErrorInvalidJobToken
    NoImages,    // ClientErrorNoImagesAvailable (feeder empty or everything sent)
    Canceled,    // ClientErrorJobCancelled
    Failed,      // the job was aborted (timeout, jam, transfer error)
    Busy,        // a RetrieveImage for this job is already being answered
    Jammed       // the paper jammed now: the job is aborted with ScannerStopped
};

enum class CancelStatus {
    Terminating,  // the job moved to Terminating (or was there already)
    Canceled,     // no terminating time: the job is Canceled already
    UnknownJob,   // no such job, or it is Completed, Canceled or Aborted
    NotOwner      // another client's job, or one made outside WS-Scan
};

struct RetrieveResult {
    RetrieveStatus status;
    Job job;
    int imageIndex = 0;
};

class JobTable {
public:
    static constexpr size_t MaxHistory = 100;

    JobTable();
    ~JobTable();
    JobTable(const JobTable &) = delete;
    JobTable &operator=(const JobTable &) = delete;

    // owner: the creating client's host address (see cancelFor).
    Job create(const ScanTicket &ticket, int imagesPlanned, std::chrono::seconds timeout, bool foreign = false,
               const std::string &owner = "", int firstSheet = 1);
    // jamAfter: the paper jams when this many images were sent (0 = never).
    RetrieveResult beginRetrieve(long id, const std::string &token, int jamAfter);
    // The image of the running RetrieveImage went out whole (delivered) or not.
    void finishImage(long id, bool delivered, std::chrono::seconds timeout);
    // A cancel at the device itself (front panel): straight to Canceled.
    // False when the job is unknown or already finished.
    bool cancel(long id);
    // CancelJobRequest from the host `client`: a Pending or Processing job
    // moves to Terminating and stays there for `terminating` (0: Canceled at
    // once). Only the host that created the job may cancel it: the request
    // carries no JobToken, so the client's address is all a device has to
    // tell who the client is; a job made outside WS-Scan is nobody's here.
    CancelStatus cancelFor(long id, const std::string &client, std::chrono::milliseconds terminating);
    // A job is Terminating: the device is still winding it down.
    bool terminating() const;

    std::optional<Job> find(long id) const;
    std::vector<Job> activeJobs() const;
    std::vector<Job> history() const;  // oldest first
    std::vector<Job> allJobs() const;  // active and history, by id

    // Sleeps up to `duration` while job `id` stays Processing. False as soon
    // as the job ends (cancel, timeout) or the table stops: the caller stops
    // sending. Used to pace and to stall transfers.
    bool waitWhileProcessing(long id, std::chrono::milliseconds duration);
    // Same as waitWhileProcessing but with no time limit.
    bool waitWhileProcessingForever(long id);

    // Waits until job `id` is finished (or unknown). False on timeout.
    bool waitUntilFinished(long id, std::chrono::milliseconds timeout);

    // Simulated latency: sleeps unless the table stops first. False when stopping.
    bool sleepUnlessStopping(std::chrono::milliseconds duration);

    // Called with a copy of the job whenever its JobState, reasons or
    // ScansCompleted change (WS-Scan JobStatusEvent), under the table's lock:
    // the observer must not call back into the table.
    using Observer = std::function<void(const Job &)>;
    void setObserver(Observer observer);

    // Device reboot: every job is forgotten and JobIds start again.
    void reboot();
    // Wakes every waiter and ends the timer thread (program exit).
    void stop();
    bool stopping() const;

private:
    void finishLocked(Job &job, JobState state, std::vector<std::string> reasons);
    // Jobs whose time is up: Terminating ones are Canceled, others JobTimedOut.
    void expireLocked(std::chrono::steady_clock::time_point now);
    void timerLoop();
    Job *findLocked(long id);
    void notifyLocked(const Job &job);

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<long, Job> active_;
    std::deque<Job> history_;
    long nextId_ = 1;
    bool stopping_ = false;
    std::thread timer_;
    Observer observer_;
};

}  // namespace wsdsim
