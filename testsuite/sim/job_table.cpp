#include "job_table.h"

#include "event_log.h"
#include "wsd/soap.h"

namespace wsdsim {

using Clock = std::chrono::steady_clock;

const char *jobStateName(JobState s)
{
    switch (s) {
    case JobState::Creating: return "Creating";
    case JobState::Pending: return "Pending";
    case JobState::Processing: return "Processing";
    case JobState::Terminating: return "Terminating";
    case JobState::Completed: return "Completed";
    case JobState::Canceled: return "Canceled";
    case JobState::Aborted: return "Aborted";
    }
    return "Unknown";
}

int Job::sheetOf(int index) const
{
    return firstSheet + (ticket.inputSource.value == "ADFDuplex" ? index / 2 : index);
}

bool Job::backOf(int index) const { return ticket.inputSource.value == "ADFDuplex" && index % 2 == 1; }

JobTable::JobTable() : timer_([this] { timerLoop(); }) {}

JobTable::~JobTable()
{
    stop();
    timer_.join();
}

Job JobTable::create(const ScanTicket &ticket, int imagesPlanned, std::chrono::seconds timeout, bool foreign,
                     const std::string &owner, int firstSheet)
{
    std::lock_guard<std::mutex> lock(mutex_);
    Job job;
    job.firstSheet = firstSheet;
    job.id = nextId_;
    // JobIds stay within 1..2^31-1 (INDEX A15).
    nextId_ = nextId_ >= 2147483647L ? 1 : nextId_ + 1;
    job.token = wsd::soap::newUuid();
    job.ticket = ticket;
    job.imagesPlanned = imagesPlanned;
    job.foreign = foreign;
    job.owner = owner;
    job.createdTime = utcNow(false);
    // Creating is over once the answer is written: the job waits for RetrieveImage.
    job.state = JobState::Pending;
    job.deadline = Clock::now() + timeout;
    active_[job.id] = job;
    notifyLocked(job);
    changed_.notify_all();
    return job;
}

void JobTable::setObserver(Observer observer)
{
    std::lock_guard<std::mutex> lock(mutex_);
    observer_ = std::move(observer);
}

void JobTable::notifyLocked(const Job &job)
{
    if (observer_)
        observer_(job);
}

Job *JobTable::findLocked(long id)
{
    auto it = active_.find(id);
    if (it != active_.end())
        return &it->second;
    for (Job &j : history_)
        if (j.id == id)
            return &j;
    return nullptr;
}

void JobTable::finishLocked(Job &job, JobState state, std::vector<std::string> reasons)
{
    job.state = state;
    job.reasons = std::move(reasons);
    job.transferring = false;
    job.completedTime = utcNow(false);
    job.endedAt = std::chrono::system_clock::now();
    history_.push_back(job);
    notifyLocked(history_.back());
    while (history_.size() > MaxHistory)
        history_.pop_front();
    active_.erase(job.id);  // `job` may be dangling from here on
    changed_.notify_all();
}

RetrieveResult JobTable::beginRetrieve(long id, const std::string &token, int jamAfter)
{
    std::lock_guard<std::mutex> lock(mutex_);
    Job *job = findLocked(id);
    if (!job)
        return {RetrieveStatus::UnknownJob, Job{}};
    if (job->token != token)
        return {RetrieveStatus::BadToken, *job};
    switch (job->state) {
    case JobState::Completed: return {RetrieveStatus::NoImages, *job};
    case JobState::Terminating:
    case JobState::Canceled: return {RetrieveStatus::Canceled, *job};
    case JobState::Aborted: return {RetrieveStatus::Failed, *job};
    default: break;
    }
    if (job->transferring)
        return {RetrieveStatus::Busy, *job};
    if (job->imagesSent >= job->imagesPlanned) {
        // The feeder ran out (or was empty from the start).
        Job copy = *job;
        finishLocked(*job, JobState::Completed, {"JobCompletedSuccessfully"});
        copy.state = JobState::Completed;
        return {RetrieveStatus::NoImages, copy};
    }
    if (jamAfter > 0 && job->imagesSent >= jamAfter) {
        Job copy = *job;
        finishLocked(*job, JobState::Aborted, {"ScannerStopped"});
        return {RetrieveStatus::Jammed, copy};
    }
    job->state = JobState::Processing;
    job->reasons = {"JobScanningAndTransferring"};
    job->transferring = true;
    notifyLocked(*job);
    changed_.notify_all();
    return {RetrieveStatus::Ok, *job, job->imagesSent};
}

void JobTable::finishImage(long id, bool delivered, std::chrono::seconds timeout)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = active_.find(id);
    if (it == active_.end() || !it->second.transferring)
        return;  // cancelled, timed out or forgotten (reboot) meanwhile
    Job &job = it->second;
    job.transferring = false;
    if (!delivered) {
        finishLocked(job, JobState::Aborted, {"ImageTransferError"});
        return;
    }
    ++job.imagesSent;
    if (job.imagesSent >= job.imagesPlanned) {
        finishLocked(job, JobState::Completed, {"JobCompletedSuccessfully"});
        return;
    }
    job.reasons = {"JobScanning"};
    job.deadline = Clock::now() + timeout;
    notifyLocked(job);
    changed_.notify_all();
}

bool JobTable::cancel(long id)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = active_.find(id);
    if (it == active_.end())
        return false;
    finishLocked(it->second, JobState::Canceled, {});
    return true;
}

CancelStatus JobTable::cancelFor(long id, const std::string &client, std::chrono::milliseconds terminating)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = active_.find(id);
    if (it == active_.end())
        return CancelStatus::UnknownJob;
    Job &job = it->second;
    if (job.foreign || job.owner != client)
        return CancelStatus::NotOwner;
    // Cancelling is allowed until the job is Canceled: a second request
    // changes nothing.
    if (job.state == JobState::Terminating)
        return CancelStatus::Terminating;
    if (terminating.count() <= 0) {
        finishLocked(job, JobState::Canceled, {});
        return CancelStatus::Canceled;
    }
    job.state = JobState::Terminating;
    job.reasons.clear();
    job.transferring = false;  // a running transfer stops (it waits while Processing)
    job.deadline = Clock::now() + terminating;
    notifyLocked(job);
    changed_.notify_all();
    return CancelStatus::Terminating;
}

bool JobTable::terminating() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto &[id, job] : active_)
        if (job.state == JobState::Terminating)
            return true;
    return false;
}

std::optional<Job> JobTable::find(long id) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    Job *job = const_cast<JobTable *>(this)->findLocked(id);
    return job ? std::optional<Job>(*job) : std::nullopt;
}

std::vector<Job> JobTable::activeJobs() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Job> out;
    for (const auto &[id, job] : active_)
        out.push_back(job);
    return out;
}

std::vector<Job> JobTable::history() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return std::vector<Job>(history_.begin(), history_.end());
}

std::vector<Job> JobTable::allJobs() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::map<long, Job> byId(active_);
    for (const Job &j : history_)
        byId[j.id] = j;
    std::vector<Job> out;
    for (auto &[id, job] : byId)
        out.push_back(std::move(job));
    return out;
}

bool JobTable::waitWhileProcessing(long id, std::chrono::milliseconds duration)
{
    std::unique_lock<std::mutex> lock(mutex_);
    auto stillProcessing = [&] {
        auto it = active_.find(id);
        return !stopping_ && it != active_.end() && it->second.state == JobState::Processing;
    };
    changed_.wait_for(lock, duration, [&] { return !stillProcessing(); });
    return stillProcessing();
}

bool JobTable::waitWhileProcessingForever(long id)
{
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] {
        auto it = active_.find(id);
        return stopping_ || it == active_.end() || it->second.state != JobState::Processing;
    });
    return false;
}

bool JobTable::waitUntilFinished(long id, std::chrono::milliseconds timeout)
{
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return active_.count(id) == 0; });
}

bool JobTable::sleepUnlessStopping(std::chrono::milliseconds duration)
{
    std::unique_lock<std::mutex> lock(mutex_);
    return !changed_.wait_for(lock, duration, [&] { return stopping_; });
}

void JobTable::reboot()
{
    std::lock_guard<std::mutex> lock(mutex_);
    active_.clear();
    history_.clear();
    nextId_ = 1;
    changed_.notify_all();
}

void JobTable::stop()
{
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
}

bool JobTable::stopping() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
}

void JobTable::timerLoop()
{
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        // Jobs in the middle of a transfer do not time out; the others do at
        // their deadline (a Terminating one is Canceled then).
        std::optional<Clock::time_point> earliest;
        for (const auto &[id, job] : active_)
            if (!job.transferring && (!earliest || job.deadline < *earliest))
                earliest = job.deadline;
        if (!earliest) {
            changed_.wait(lock);
            continue;
        }
        if (changed_.wait_until(lock, *earliest) == std::cv_status::no_timeout)
            continue;
        expireLocked(Clock::now());
    }
}

void JobTable::expireLocked(Clock::time_point now)
{
    std::vector<long> expired;
    for (const auto &[id, job] : active_)
        if (!job.transferring && job.deadline <= now)
            expired.push_back(id);
    for (long id : expired) {
        Job &job = active_.at(id);
        if (job.state == JobState::Terminating)
            finishLocked(job, JobState::Canceled, {});
        else
            finishLocked(job, JobState::Aborted, {"JobTimedOut"});
    }
}

}  // namespace wsdsim
