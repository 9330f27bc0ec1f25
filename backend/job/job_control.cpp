#include "wsd/job_control.h"

#include "wsd/event_fd.h"
#include "wsd/job_refusal.h"
#include "wsd/log.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace wsd {

using Clock = std::chrono::steady_clock;

bool deviceEndingCancelledJob(const wsscan::Client &client, const std::string &serviceUrl)
{
    auto jobs = client.call(wsscan::getActiveJobs(serviceUrl));
    if (!jobs) {
        WSD_DETAIL("GetActiveJobs: %s", jobs.error.c_str());
        return false;
    }
    return std::any_of(jobs->begin(), jobs->end(),
                       [](const JobSummary &job) { return normalizeJobState(job.state) == "Terminating"; });
}

JobControl::JobControl(JobControlConfig config, http::Session &session)
    : config_(std::move(config)),
      session_(session),
      cancelSession_(config_.cancelHttp),
      registry_(config_.registryPath),
      self_(ProcessIdentity::self())
{
}

SANE_Status JobControl::create(const ScanSettings &settings, Deadline deadline)
{
    endUnconfirmedJob();
    refusedSettings_.clear();
    statusUnconfirmed_ = false;
    // Recorded before the request leaves: if this process dies before the
    // answer, a later sane_open finds the job by its name.
    registry_.record(JobRecord{config_.device, 0, settings.jobName, self_});
    std::string lastError;
    for (const std::string &url : config_.serviceUrls) {
        auto created = requestJob(url, settings, deadline);
        const auto refusedSince = Clock::now();
        for (int attempt = 0; created.fault && created.fault->subcode == "ServerErrorNotAcceptingJobs"; ++attempt) {
            const SANE_Status waited = waitForJobsAccepted(url, settings, refusedSince, attempt, deadline);
            if (waited != SANE_STATUS_GOOD) {
                // Cancelled, or the refusal stands and its cause is logged.
                WSD_DETAIL("CreateScanJob %s", created.error.c_str());
                registry_.forget(settings.jobName);
                return waited;
            }
            created = requestJob(url, settings, deadline);
        }
        if (created.failure == wsscan::Failure::NoAnswer && !created.requestSent) {
            lastError = created.error;
            WSD_WARN("CreateScanJob to %s failed: %s", url.c_str(), created.error.c_str());
            continue;  // fail over to the next address of the service
        }
        if (created.failure == wsscan::Failure::Fault) {
            WSD_ERROR("CreateScanJob %s", created.error.c_str());
            registry_.forget(settings.jobName);
            return explainFault(*created.fault, created.status, url, settings, deadline);
        }
        if (!created) {
            // The request went out: whether the job exists, only the device
            // knows (a late answer, a reset, garbage). endUnconfirmedJob()
            // looks for it once the page has ended.
            WSD_ERROR("CreateScanJob: %s", created.error.c_str());
            unconfirmedJobName_ = settings.jobName;
            return SANE_STATUS_IO_ERROR;
        }
        // Later requests go to the address that answered (a copy: the swap
        // moves what url refers to).
        const std::string answered = url;
        std::iter_swap(config_.serviceUrls.begin(),
                       std::find(config_.serviceUrls.begin(), config_.serviceUrls.end(), answered));
        job_ = Job{created->jobId, created->jobToken, answered, settings, created->finalParameters, 0,
                   wsscan::cancelJob(answered, created->jobId)};
        registry_.record(JobRecord{config_.device, created->jobId, settings.jobName, self_});
        if (config_.events)
            config_.events->watch(created->jobId);  // its events count from now on, no other job's
        WSD_INFO("job %d created (%s, %s, %dx%d dpi)", created->jobId, settings.source.c_str(),
                 settings.format.c_str(), settings.xResolution, settings.yResolution);
        const ScanSettings &final = created->finalParameters;
        if (final.xResolution > 0 && (final.xResolution != settings.xResolution ||
                                      (final.yResolution > 0 && final.yResolution != settings.yResolution)))
            WSD_WARN("job %d: the device scans at %dx%d dpi, not as asked (DocumentFinalParameters)",
                     created->jobId, final.xResolution, final.yResolution);
        return SANE_STATUS_GOOD;
    }
    WSD_ERROR("CreateScanJob: no scan service address answered (%s)", lastError.c_str());
    registry_.forget(settings.jobName);
    return SANE_STATUS_IO_ERROR;
}

wsscan::Result<CreatedJob> JobControl::requestJob(const std::string &url, const ScanSettings &settings,
                                                  Deadline deadline)
{
    const int cancelFd = session_.cancelFd();
    session_.setCancelFd(-1);
    auto created = wsscan::Client(session_).until(deadline).call(wsscan::createScanJob(url, settings));
    session_.setCancelFd(cancelFd);
    return created;
}

SANE_Status JobControl::explainFault(const soap::Fault &fault, SANE_Status status, const std::string &url,
                                     const ScanSettings &settings, Deadline deadline)
{
    if (status == SANE_STATUS_INVAL) {
        refusedSettings_ = settingsNamedIn(fault);
        const std::string named = joinSettingNames(refusedSettings_);
        WSD_ERROR("the scanner refused the scan settings%s%s (%s)", named.empty() ? "" : ": it objects to ",
                  named.c_str(), fault.subcode.c_str());
        return status;
    }
    // (ServerErrorNotAcceptingJobs never gets here: waitForJobsAccepted explains it.)
    if (status == SANE_STATUS_NO_DOCS || status == SANE_STATUS_CANCELLED)
        return status;
    // A generic fault (OperationFailed, ServerErrorInternalError): the
    // scanner's status may name the cause.
    auto elements = wsscan::Client(config_.cancelHttp).until(deadline).call(wsscan::getScannerElements(url));
    if (!elements)
        return status;
    const std::optional<Refusal> refusal = refusalFromStatus(elements->status, settings.source);
    if (!refusal || refusal->warmingUp)
        return status;
    WSD_ERROR("%s", refusal->message.c_str());
    return refusal->status;
}

SANE_Status JobControl::waitForJobsAccepted(const std::string &url, const ScanSettings &settings,
                                            Clock::time_point refusedSince, int attempt, Deadline deadline)
{
    const std::chrono::milliseconds busyWait(config_.busyWaitMs);
    const bool afterOurCancel = lastCancel_ && refusedSince - *lastCancel_ < busyWait;
    wsscan::Client client(config_.cancelHttp);
    if (!afterOurCancel && !deviceEndingCancelledJob(client.until(deadline), url))
        return waitForWarmUp(url, settings, refusedSince, attempt, deadline);
    const auto now = Clock::now();
    const auto bound = std::min<Clock::time_point>(refusedSince + busyWait, deadline);
    if (now >= bound) {
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - refusedSince);
        WSD_ERROR("the scanner still refuses jobs %lld ms after it began ending a cancelled job (busy-wait)",
                  static_cast<long long>(waited.count()));
        return SANE_STATUS_DEVICE_BUSY;
    }
    // Its status goes back to Idle when the job is gone: that event, not a
    // timer, where the device told of our job by events at all.
    if (eventsServe() && (!afterOurCancel || config_.events->heardOf(lastCancelledJob_))) {
        unsigned long seen = 0;
        config_.events->status(&seen);
        WSD_INFO("the scanner is ending a cancelled job: CreateScanJob again when its status changes");
        return waitForStatusEvent(seen, bound);
    }
    // The device winds the cancelled job down: ask again, less often as
    // it goes on (100 ms doubling up to 1 s).
    const auto pause = std::chrono::milliseconds(100 << std::min(attempt, 3));
    WSD_INFO("the scanner is ending a cancelled job: CreateScanJob again soon");
    return pauseUnlessCancelled(pause, bound);
}

SANE_Status JobControl::waitForWarmUp(const std::string &url, const ScanSettings &settings,
                                      Clock::time_point refusedSince, int attempt, Deadline deadline)
{
    // The status events keep the status the last GetScannerElements told:
    // when it says the scanner warms up, nothing needs asking. Anything
    // else is asked, as the events may not have told the change yet, and so
    // is all after the events were silent for a whole period.
    // (An event that comes while it is asked still wakes the wait below.)
    unsigned long seen = 0;
    std::optional<Refusal> told;
    if (eventsServe() && !std::exchange(statusUnconfirmed_, false)) {
        const ScannerStatusInfo status = config_.events->status(&seen);
        told = explainNotAcceptingJobs(&status, settings.source);
        if (!told->warmingUp)
            told.reset();
    }
    if (!told) {
        auto elements = wsscan::Client(config_.cancelHttp).until(deadline).call(wsscan::getScannerElements(url));
        told = explainNotAcceptingJobs(elements ? &elements->status : nullptr, settings.source);
    }
    const Refusal &refusal = *told;
    if (!refusal.warmingUp) {
        WSD_ERROR("%s", refusal.message.c_str());
        return refusal.status;
    }
    const auto now = Clock::now();
    const auto bound = std::min<Clock::time_point>(refusedSince + std::chrono::milliseconds(config_.warmUpWaitMs),
                                                   deadline);
    if (now >= bound) {
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - refusedSince);
        WSD_ERROR("%s, and still refuses jobs after %lld ms (warm-up-wait)", refusal.message.c_str(),
                  static_cast<long long>(waited.count()));
        return SANE_STATUS_DEVICE_BUSY;
    }
    if (eventsServe()) {
        // The status event that ends the warm-up (or any other) wakes us.
        WSD_INFO("%s: CreateScanJob again when its status changes", refusal.message.c_str());
        return waitForStatusEvent(seen, bound);
    }
    // A wake-up takes seconds: ask every 250 ms at first, then once a second.
    const auto pause = std::chrono::milliseconds(250 << std::min(attempt, 2));
    WSD_INFO("%s: CreateScanJob again soon", refusal.message.c_str());
    return pauseUnlessCancelled(pause, bound);
}

SANE_Status JobControl::waitForStatusEvent(unsigned long seen, Clock::time_point bound)
{
    const auto silentBound = std::min(bound, Clock::now() + std::chrono::milliseconds(config_.statusEventWaitMs));
    unsigned long now = seen;
    const auto changed = [&] {
        config_.events->status(&now);
        return now != seen;
    };
    switch (waitForEvent(changed, session_.cancelFd(), silentBound)) {
    case EventWait::Came:
        WSD_PROTO("the scanner's status changed (status event): CreateScanJob again");
        return SANE_STATUS_GOOD;
    case EventWait::Woken:
        return SANE_STATUS_CANCELLED;  // sane_cancel (the fd stays signalled for the worker)
    case EventWait::Silent:
        break;
    }
    if (Clock::now() < bound) {
        // A warm-up may well last longer than that without a change to
        // tell; or the events are lost. Either way, the scanner is asked.
        statusUnconfirmed_ = true;
        if (config_.events->live())
            WSD_INFO("no status event from the scanner within %d ms: asking it, as without events",
                     config_.statusEventWaitMs);
        else
            WSD_INFO("the event subscription is gone: asking the scanner, as without events");
    }
    return SANE_STATUS_GOOD;
}

JobControl::EventWait JobControl::waitForEvent(const std::function<bool()> &came, int wakeFd,
                                               Clock::time_point bound) const
{
    for (;;) {
        // Cleared before looking: an event from now on signals it again.
        config_.events->clearWake();
        if (came())
            return EventWait::Came;
        if (!config_.events->live())
            return EventWait::Silent;  // the subscription was lost: nothing more will come
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(bound - Clock::now()).count();
        if (left <= 0)
            return EventWait::Silent;
        const int fds[2] = {config_.events->fd(), wakeFd};
        // Rounded up: a wait of 0 ms would spin until the bound.
        if (waitReadable(fds, 2, static_cast<int>(left) + 1) == 1)
            return EventWait::Woken;  // left signalled for its owner
    }
}

SANE_Status JobControl::pauseUnlessCancelled(std::chrono::milliseconds pause, Clock::time_point bound)
{
    const auto left = bound - Clock::now();
    const int waitMs = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::min<Clock::duration>(pause, left)).count());
    const int fds[1] = {session_.cancelFd()};
    if (waitReadable(fds, 1, std::max(waitMs, 0)) == 0)
        return SANE_STATUS_CANCELLED;  // sane_cancel (the fd stays signalled for the worker)
    return SANE_STATUS_GOOD;
}

void JobControl::finished()
{
    if (job_)
        registry_.forget(job_->settings.jobName);
    job_.reset();
}

bool JobControl::cancel(const char *why)
{
    const Job job = std::move(*job_);
    job_.reset();
    WSD_INFO("job %d: sending CancelJob (%s)", job.id, why);
    // CancelJob is the cancel itself: no cancel fd, and a short timeout of its own.
    auto cancelled = wsscan::Client(cancelSession_).call(job.cancel);
    const bool gone = cancelled.fault && cancelled.fault->subcode == "ClientErrorJobIdNotFound";
    if (cancelled || gone)
        registry_.forget(job.settings.jobName);
    // Else the record stays: once this process has ended, the next sane_open
    // of the device cancels the job.
    if (gone) {
        WSD_PROTO("CancelJob: job %d is already gone on the device", job.id);
        return false;
    }
    if (!cancelled) {
        WSD_ERROR("CancelJob for job %d: %s", job.id, cancelled.error.c_str());
        return false;
    }
    WSD_PROTO("CancelJob: job %d cancelled", job.id);
    lastCancel_ = Clock::now();
    lastCancelledJob_ = job.id;
    return true;
}

std::string JobControl::waitUntilEnded(int jobId, int wakeFd)
{
    const wsscan::Client client(config_.cancelHttp);
    const std::string &url = config_.serviceUrls.front();
    const auto deadline = Clock::now() + std::chrono::milliseconds(config_.busyWaitMs);
    std::string lastState;
    if (config_.events && config_.events->live() && !config_.events->heardOf(jobId)) {
        // The job was created and ran, and no event of it came: its events
        // are not coming (dropped, or the device sends none after all).
        WSD_INFO("job %d: no event of it came from the device: asking it (GetJobElements), as without events", jobId);
    } else if (config_.events && config_.events->live()) {
        const auto silentBound = std::min(deadline, Clock::now() + std::chrono::milliseconds(config_.jobEndEventWaitMs));
        switch (waitForEvent([&] { return !(lastState = config_.events->endedState(jobId)).empty(); }, wakeFd,
                             silentBound)) {
        case EventWait::Came:
            WSD_INFO("job %d ended %s (its event)", jobId, lastState.c_str());
            return lastState;
        case EventWait::Woken:
            return lastState;  // something new is waiting
        case EventWait::Silent:
            if (config_.events->live())
                WSD_INFO("job %d: no end event within %d ms: asking the device (GetJobElements), as without events",
                         jobId, config_.jobEndEventWaitMs);
            else
                WSD_INFO("job %d: the event subscription is gone: asking the device (GetJobElements)", jobId);
            break;
        }
    }
    for (int attempt = 0; Clock::now() < deadline; ++attempt) {
        auto status = client.call(wsscan::getJobElements(url, jobId));
        if (status.fault)
            WSD_PROTO("job %d: GetJobElements: %s (the job is gone)", jobId, status.fault->subcode.c_str());
        if (!status)
            return lastState;  // the device cannot tell; nothing more to learn
        lastState = status->state;
        if (jobStateIsFinal(status->state) || status->state == "Terminating") {
            WSD_INFO("job %d ended %s", jobId, status->state.c_str());
            return lastState;
        }
        // The device is still winding the job down: ask again shortly.
        const int fds[1] = {wakeFd};
        if (waitReadable(fds, 1, 50 * (attempt + 1)) == 0)
            return lastState;  // something new is waiting (poll leaves it signalled)
    }
    WSD_WARN("job %d did not reach an end state after CancelJob", jobId);
    return lastState;
}

SANE_Status JobControl::causeFromScannerStatus(SANE_Status fallback)
{
    const Job &job = *job_;
    if (config_.events && config_.events->live()) {
        // A condition event (a jam, an open cover) may have told it already.
        const std::optional<Refusal> told = refusalFromStatus(config_.events->status(), job.settings.source);
        if (told && told->status != SANE_STATUS_DEVICE_BUSY) {
            WSD_PROTO("job %d: the cause, as the status events told it: %s", job.id, told->message.c_str());
            return told->status;
        }
    }
    auto elements = wsscan::Client(config_.cancelHttp).call(wsscan::getScannerElements(job.serviceUrl));
    if (!elements)
        return fallback;
    // Processing is our own job, and a busy scanner is no cause of a refused transfer.
    const std::optional<Refusal> refusal = refusalFromStatus(elements->status, job.settings.source);
    return refusal && refusal->status != SANE_STATUS_DEVICE_BUSY ? refusal->status : fallback;
}

// A job whose CreateScanJob answer was lost holds the device until it times
// out: find it among the active jobs by its name (unique to this process,
// see job_identity.h) and cancel it. When the device cannot tell yet, the
// next job asks again.
void JobControl::endUnconfirmedJob()
{
    if (unconfirmedJobName_.empty())
        return;
    const wsscan::Client client(config_.cancelHttp);
    const std::string &url = config_.serviceUrls.front();
    auto jobs = client.call(wsscan::getActiveJobs(url));
    if (!jobs) {
        WSD_INFO("GetActiveJobs, for a job whose creation was not confirmed: %s", jobs.error.c_str());
        return;
    }
    for (const JobSummary &job : *jobs) {
        if (job.jobName != unconfirmedJobName_ || jobStateIsFinal(job.state))
            continue;
        WSD_INFO("job %d was created, but the answer was lost: cancelling it", job.jobId);
        auto cancelled = client.call(wsscan::cancelJob(url, job.jobId));
        if (!cancelled)
            WSD_WARN("CancelJob for job %d: %s", job.jobId, cancelled.error.c_str());
    }
    registry_.forget(unconfirmedJobName_);
    unconfirmedJobName_.clear();
}

}  // namespace wsd
