#include "wsd/job_events.h"

#include "wsd/scan_job_messages.h"
#include "wsd/status_events.h"

namespace wsd {

std::string jobEndFromEvent(const events::Event &event, int jobId)
{
    if (jobId <= 0)
        return std::string();
    if (const auto *end = std::get_if<events::JobEndState>(&event))
        return end->jobId == jobId ? end->completedState : std::string();
    if (const auto *status = std::get_if<JobStatus>(&event))
        if (status->jobId == jobId && jobStateIsFinal(status->state))
            return status->state;
    return std::string();
}

namespace {

// The JobId a job event is about; 0 for any other event.
int jobIdOf(const events::Event &event)
{
    if (const auto *end = std::get_if<events::JobEndState>(&event))
        return end->jobId;
    if (const auto *status = std::get_if<JobStatus>(&event))
        return status->jobId;
    return 0;
}

}  // namespace

void JobEvents::setLive(bool live)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (live_ == live)
            return;
        live_ = live;
    }
    // A worker waiting for an event that will not come now polls at once.
    wake_.signal();
}

void JobEvents::setStatus(const ScannerStatusInfo &status)
{
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
    ++statusGeneration_;
}

bool JobEvents::apply(const events::Event &event)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (events::applyStatusEvent(status_, event)) {
            ++statusGeneration_;
        } else {
            if (watched_ <= 0 || jobIdOf(event) != watched_)
                return false;  // another client's job, or no job event
            heard_ = true;
            const std::string ended = jobEndFromEvent(event, watched_);
            // JobEndStateEvent's state is the last word; a Terminating
            // before it does not overwrite a final state after it.
            if (!ended.empty() && (endedState_.empty() || endedState_ == "Terminating"))
                endedState_ = ended;
        }
    }
    wake_.signal();
    return true;
}

bool JobEvents::live() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return live_;
}

void JobEvents::watch(int jobId)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (watched_ != jobId) {
        endedState_.clear();
        heard_ = false;
    }
    watched_ = jobId;
}

std::string JobEvents::endedState(int jobId) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return jobId == watched_ ? endedState_ : std::string();
}

bool JobEvents::heardOf(int jobId) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return jobId == watched_ && heard_;
}

ScannerStatusInfo JobEvents::status(unsigned long *generation) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (generation)
        *generation = statusGeneration_;
    return status_;
}

}  // namespace wsd
