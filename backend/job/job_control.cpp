#include "wsd/job_control.h"

#include "wsd/event_fd.h"
#include "wsd/log.h"

#include <algorithm>
#include <chrono>

namespace wsd {

using Clock = std::chrono::steady_clock;

JobControl::JobControl(JobControlConfig config, http::Session &session)
    : config_(std::move(config)), session_(session), cancelSession_(config_.cancelHttp)
{
}

SANE_Status JobControl::create(const ScanSettings &settings)
{
    cancelUnconfirmedJob();
    std::string lastError;
    for (const std::string &url : config_.serviceUrls) {
        // Not cancellable: cutting CreateScanJob short could leave a job on
        // the device whose JobId we never learn.
        const int cancelFd = session_.cancelFd();
        session_.setCancelFd(-1);
        auto created = wsscan::Client(session_).call(wsscan::createScanJob(url, settings));
        session_.setCancelFd(cancelFd);
        if (created.failure == wsscan::Failure::NoAnswer) {
            lastError = created.error;
            WSD_WARN("CreateScanJob to %s failed: %s", url.c_str(), created.error.c_str());
            continue;  // fail over to the next address of the service
        }
        if (created.failure == wsscan::Failure::Fault) {
            WSD_ERROR("CreateScanJob %s (%s)", created.error.c_str(), sane_strstatus(created.status));
            return created.status;
        }
        if (!created) {
            WSD_ERROR("CreateScanJob: %s", created.error.c_str());
            unconfirmedJobName_ = settings.jobName;
            cancelUnconfirmedJob();
            return SANE_STATUS_IO_ERROR;
        }
        // Later requests go to the address that answered.
        auto answered = std::find(config_.serviceUrls.begin(), config_.serviceUrls.end(), url);
        std::iter_swap(config_.serviceUrls.begin(), answered);
        job_ = Job{created->jobId, created->jobToken, url, settings, 0, wsscan::cancelJob(url, created->jobId)};
        WSD_INFO("job %d created (%s, %s, %dx%d dpi)", created->jobId, settings.source.c_str(),
                 settings.format.c_str(), settings.xResolution, settings.yResolution);
        return SANE_STATUS_GOOD;
    }
    WSD_ERROR("CreateScanJob: no scan service address answered (%s)", lastError.c_str());
    return SANE_STATUS_IO_ERROR;
}

bool JobControl::cancel(const char *why)
{
    const Job job = std::move(*job_);
    job_.reset();
    WSD_INFO("job %d: sending CancelJob (%s)", job.id, why);
    // CancelJob is the cancel itself: no cancel fd, and a short timeout of its own.
    auto cancelled = wsscan::Client(cancelSession_).call(job.cancel);
    if (cancelled.fault && cancelled.fault->subcode == "ClientErrorJobIdNotFound") {
        WSD_PROTO("CancelJob: job %d is already gone on the device", job.id);
        return false;
    }
    if (!cancelled) {
        WSD_ERROR("CancelJob for job %d: %s", job.id, cancelled.error.c_str());
        return false;
    }
    WSD_PROTO("CancelJob: job %d cancelled", job.id);
    return true;
}

std::string JobControl::waitUntilEnded(int jobId, int wakeFd)
{
    const wsscan::Client client(config_.cancelHttp);
    const std::string &url = config_.serviceUrls.front();
    const auto deadline = Clock::now() + std::chrono::milliseconds(config_.busyWaitMs);
    std::string lastState;
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

SANE_Status JobControl::statusFromConditions(SANE_Status fallback)
{
    const Job &job = *job_;
    auto elements = wsscan::Client(config_.cancelHttp).call(wsscan::getScannerElements(job.serviceUrl));
    if (!elements)
        return fallback;
    // Busy (Processing) is our own job: not a cause.
    const SANE_Status status = wsd::statusFromConditions(elements->status, job.settings.source);
    return status == SANE_STATUS_GOOD || status == SANE_STATUS_DEVICE_BUSY ? fallback : status;
}

// A job whose CreateScanJob answer was lost holds the device until it times
// out: find it among the active jobs by its name (this host and process) and
// cancel it. When the device cannot tell yet, the next job asks again.
void JobControl::cancelUnconfirmedJob()
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
    unconfirmedJobName_.clear();
}

}  // namespace wsd
