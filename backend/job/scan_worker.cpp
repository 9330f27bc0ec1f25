#include "wsd/scan_worker.h"

#include "wsd/capabilities.h"
#include "wsd/log.h"
#include "wsd/mtom.h"
#include "wsd/scan_job_messages.h"
#include "wsd/soap.h"

#include <algorithm>
#include <chrono>
#include <functional>

namespace wsd {

namespace {

using Clock = std::chrono::steady_clock;

// Receives RetrieveImageResponse: the SOAP part tells of faults, the image
// part goes on to sane_read's decoder through the PagePipe.
class ImageReceiver : public http::StreamHandler, public MtomParser::Handler {
public:
    // beforeDrop: called when a write to the pipe ends early, before the
    // transfer is dropped (see ScanWorker::cancelBeforeDrop()).
    ImageReceiver(PagePipe &pipe, unsigned page, int cancelFd, bool upsideDown, std::function<void()> beforeDrop)
        : pipe_(pipe), page_(page), cancelFd_(cancelFd), upsideDown_(upsideDown), beforeDrop_(std::move(beforeDrop))
    {
    }

    bool onHeaders(long status, const std::string &contentType) override
    {
        httpStatus_ = status;
        parser_ = std::make_unique<MtomParser>(contentType, *this);
        return true;
    }
    bool onData(const char *data, std::size_t length) override
    {
        if (!parser_->feed(data, length)) {
            if (failure_.empty() && !pipeClosed_)
                failure_ = "malformed multipart response: " + parser_->error();
            return false;
        }
        return true;
    }

    bool onEnvelope(std::string_view xml) override
    {
        std::string error;
        auto message = soap::parse(xml, &error);
        if (!message) {
            failure_ = "unreadable SOAP part: " + error;
            return false;
        }
        if (message->fault)
            fault_ = message->fault;
        return true;
    }
    bool onImageStart(std::string_view contentType) override
    {
        WSD_DETAIL("image part: %.*s", static_cast<int>(contentType.size()), contentType.data());
        if (imageStarted_) {
            failure_ = "more than one image in the response";
            return false;
        }
        imageStarted_ = true;
        pipe_.beginImage(page_, upsideDown_);
        return true;
    }
    bool onImageData(const std::uint8_t *data, std::size_t length) override
    {
        imageBytes_ += length;
        if (!pipe_.write(page_, data, length, cancelFd_)) {
            pipeClosed_ = true;
            beforeDrop_();
            return false;
        }
        return true;
    }
    bool onImageEnd() override
    {
        imageDone_ = true;
        return true;
    }

    bool finish()
    {
        if (!parser_)
            return false;
        if (!parser_->finish() && failure_.empty() && !fault_)
            failure_ = "response ended early: " + parser_->error();
        return failure_.empty() && !pipeClosed_;
    }

    long httpStatus() const { return httpStatus_; }
    const std::optional<soap::Fault> &fault() const { return fault_; }
    const std::string &failure() const { return failure_; }
    bool imageDone() const { return imageDone_; }
    // The closing delimiter came: the device sent the whole body.
    bool closed() const { return parser_ && parser_->closed(); }
    // sane_read's side stopped taking the image (it is invalid, or the
    // page was cancelled).
    bool pipeClosed() const { return pipeClosed_; }
    std::size_t imageBytes() const { return imageBytes_; }

private:
    PagePipe &pipe_;
    unsigned page_;
    int cancelFd_;
    bool upsideDown_;
    std::function<void()> beforeDrop_;
    long httpStatus_ = 0;
    std::unique_ptr<MtomParser> parser_;
    std::optional<soap::Fault> fault_;
    std::string failure_;
    bool imageStarted_ = false;
    bool imageDone_ = false;
    bool pipeClosed_ = false;
    std::size_t imageBytes_ = 0;
};

}  // namespace

namespace {

http::Options cancelOptions(const WorkerConfig &config)
{
    http::Options quick = config.http;
    quick.timeoutMs = quick.connectTimeoutMs = config.cancelTimeoutMs;
    return quick;
}

}  // namespace

ScanWorker::ScanWorker(WorkerConfig config)
    : config_(std::move(config)),
      session_(config_.http),
      cancelSession_(cancelOptions(config_)),
      reader_(pipe_, cancelReaderFd_.fd(), [this] { return cancelledSinceStart(); }, [this] { cancelRefusedPage(); })
{
    session_.setCancelFd(cancelWorkerFd_.fd());
    session_.setCancelHook([this] { cancelBeforeDrop(); });
    thread_ = std::thread([this] { run(); });
}

ScanWorker::~ScanWorker()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        shutdown_ = true;
    }
    commandFd_.signal();
    thread_.join();
}

void ScanWorker::cancel() noexcept
{
    cancelCount_.fetch_add(1);
    cancelReaderFd_.signal();
    cancelWorkerFd_.signal();
}

JobSnapshot ScanWorker::job() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return snapshot_;
}

void ScanWorker::beginStart()
{
    cancelReaderFd_.clear();
    readerCancels_ = cancelCount_.load();
}

SANE_Status ScanWorker::startPage(const ScanSettings &settings, const ImageLimits &limits, FrameFormat &frame)
{
    if (cancelledSinceStart())
        return SANE_STATUS_CANCELLED;  // the worker cancels a running job itself
    const unsigned page = ++nextPage_;
    pipe_.reset(page);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        command_ = StartCommand{settings, page, readerCancels_};
    }
    commandFd_.signal();
    return reader_.start(frame, limits);
}

void ScanWorker::cancelRefusedPage()
{
    ++readerCancels_;
    cancelCount_.fetch_add(1);
    cancelWorkerFd_.signal();
}

SANE_Status ScanWorker::read(SANE_Byte *data, SANE_Int max, SANE_Int *length, bool blocking)
{
    if (cancelCount_.load() != readerCancels_) {
        *length = 0;
        return SANE_STATUS_CANCELLED;
    }
    return reader_.read(data, max, length, blocking);
}

void ScanWorker::run()
{
    for (;;) {
        const int fds[2] = {commandFd_.fd(), cancelWorkerFd_.fd()};
        waitReadable(fds, 2, -1);
        commandFd_.clear();
        if (cancelPending())
            handleCancel(0);

        std::optional<StartCommand> command;
        bool shutdown;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            command.swap(command_);
            shutdown = shutdown_;
        }
        if (shutdown) {
            if (job_)
                cancelJobOnDevice("the handle is closing");
            return;
        }
        if (!command)
            continue;
        if (command->cancelCount != cancelCount_.load()) {
            // Cancelled before the worker got to it: scan nothing.
            handledCancels_ = cancelCount_.load();
            cancelWorkerFd_.clear();
            if (job_)
                cancelJobOnDevice("cancelled before the page started");
            pipe_.end(command->page, SANE_STATUS_CANCELLED);
            continue;
        }
        doPage(*command);
    }
}

void ScanWorker::handleCancel(unsigned page)
{
    // Clear before reading the count: a cancel arriving now signals again.
    cancelWorkerFd_.clear();
    handledCancels_ = cancelCount_.load();
    if (job_)
        cancelJobOnDevice("sane_cancel");
    if (cancelledJob_) {
        waitUntilJobEnded(*cancelledJob_);
        cancelledJob_.reset();
    }
    if (page)
        pipe_.end(page, SANE_STATUS_CANCELLED);
}

http::Outcome ScanWorker::exchangeUncancelled(const std::string &url, const std::string &body,
                                              http::Response &response)
{
    session_.setCancelFd(-1);
    http::Outcome outcome = session_.post(http::Request{url, body}, response);
    session_.setCancelFd(cancelWorkerFd_.fd());
    return outcome;
}

void ScanWorker::doPage(const StartCommand &command)
{
    if (!job_ && !createJob(command.settings, command.page))
        return;
    if (cancelPending()) {
        // sane_cancel came while CreateScanJob was in flight: its JobId is
        // known now, so the device hears of the cancel at once.
        handleCancel(command.page);
        return;
    }
    SANE_Status status = retrieveImage(command.page);
    pipe_.end(command.page, status);
}

bool ScanWorker::createJob(const ScanSettings &settings, unsigned page)
{
    cancelUnconfirmedJob();
    std::string lastError;
    for (const std::string &url : config_.serviceUrls) {
        const std::string body = buildCreateScanJobRequest(url, settings);
        http::Response response;
        // Not cancellable: cutting CreateScanJob short could leave a job on
        // the device whose JobId we never learn.
        if (exchangeUncancelled(url, body, response) != http::Outcome::Done) {
            lastError = response.error;
            WSD_WARN("CreateScanJob to %s failed: %s", url.c_str(), response.error.c_str());
            continue;  // fail over to the next address of the service
        }
        std::string error;
        auto message = soap::parse(response.body, &error);
        if (!message) {
            WSD_ERROR("CreateScanJob: HTTP %ld, unreadable answer: %s", response.status, error.c_str());
            unconfirmedJobName_ = settings.jobName;
            cancelUnconfirmedJob();
            pipe_.end(page, SANE_STATUS_IO_ERROR);
            return false;
        }
        if (message->fault) {
            SANE_Status status = statusFromFault(*message->fault);
            WSD_ERROR("CreateScanJob refused: %s/%s: %s (%s)", message->fault->code.c_str(),
                      message->fault->subcode.c_str(), message->fault->reason.c_str(), sane_strstatus(status));
            pipe_.end(page, status);
            return false;
        }
        auto created = parseCreateScanJobResponse(*message, &error);
        if (!created) {
            WSD_ERROR("CreateScanJob: %s", error.c_str());
            unconfirmedJobName_ = settings.jobName;
            cancelUnconfirmedJob();
            pipe_.end(page, SANE_STATUS_IO_ERROR);
            return false;
        }
        // Later requests go to the address that answered.
        if (url != config_.serviceUrls.front())
            std::swap(config_.serviceUrls.front(), *std::find(config_.serviceUrls.begin(), config_.serviceUrls.end(), url));
        job_ = Job{created->jobId, created->jobToken, url, settings, 0, buildCancelJobRequest(url, created->jobId)};
        WSD_INFO("job %d created (%s, %s, %dx%d dpi)", created->jobId, settings.source.c_str(),
                 settings.format.c_str(), settings.xResolution, settings.yResolution);
        publish();
        return true;
    }
    WSD_ERROR("CreateScanJob: no scan service address answered (%s)", lastError.c_str());
    pipe_.end(page, SANE_STATUS_IO_ERROR);
    return false;
}

namespace {

// Devices report a jam or an open cover mid-job with a generic fault
// (OperationFailed): their scanner status says what happened.
SANE_Status statusFromDeviceConditions(const std::string &url, const http::Options &http, const std::string &source,
                                       SANE_Status fallback)
{
    http::Response r = http::post(http::Request{url, buildGetScannerElementsRequest(url)}, http);
    std::string error;
    auto message = r.transportOk() ? soap::parse(r.body, &error) : std::nullopt;
    auto elements = message && !message->fault ? parseScannerElements(*message, &error) : std::nullopt;
    if (!elements)
        return fallback;
    // Busy (Processing) is our own job: not a cause.
    const SANE_Status status = statusFromConditions(elements->status, source);
    return status == SANE_STATUS_GOOD || status == SANE_STATUS_DEVICE_BUSY ? fallback : status;
}

}  // namespace

SANE_Status ScanWorker::retrieveImage(unsigned page)
{
    Job &job = *job_;
    const std::string body = buildRetrieveImageRequest(job.serviceUrl, job.id, job.token,
                                                       "page" + std::to_string(job.imagesRetrieved + 1));
    // In a duplex job every second image is a back side.
    const bool backSide = job.settings.duplex() && job.imagesRetrieved % 2 == 1;
    ImageReceiver receiver(pipe_, page, cancelWorkerFd_.fd(), backSide && config_.rotateBackSide,
                           [this] { cancelBeforeDrop(); });
    std::string error;
    session_.setCancelFd(cancelWorkerFd_.fd());
    const auto started = Clock::now();
    http::Request request{job.serviceUrl, body};
    request.ownConnection = true;
    http::Outcome outcome = session_.post(request, receiver, config_.stallTimeoutMs, &error);
    // The closing boundary after a whole image completes the response, even
    // when the connection then fails (a Content-Length larger than the body).
    // Without it, only a body that ended cleanly may hold a whole image (the
    // decoder then judges): a broken connection has cut the image short.
    const bool complete = outcome != http::Outcome::Cancelled && receiver.finish() &&
                          (outcome == http::Outcome::Done || receiver.closed());
    if (complete && outcome != http::Outcome::Done)
        WSD_WARN("job %d: the response was complete, then: %s", job.id, error.c_str());

    if (cancelPending() || outcome == http::Outcome::Cancelled) {
        handleCancel(page);
        return SANE_STATUS_CANCELLED;
    }
    if (receiver.fault()) {
        const soap::Fault &fault = *receiver.fault();
        if (fault.subcode == "ClientErrorNoImagesAvailable") {
            // First image: the feeder is empty. Later: the batch is over.
            WSD_INFO("job %d: no more images after %d", job.id, job.imagesRetrieved);
            endJob();
            return SANE_STATUS_NO_DOCS;
        }
        http::Options quick = config_.http;
        quick.timeoutMs = config_.cancelTimeoutMs;
        const SANE_Status status =
            statusFromDeviceConditions(job.serviceUrl, quick, job.settings.source, statusFromFault(fault));
        WSD_ERROR("RetrieveImage refused: %s/%s: %s (%s)", fault.code.c_str(), fault.subcode.c_str(),
                  fault.reason.c_str(), sane_strstatus(status));
        cancelJobOnDevice("the image could not be retrieved");
        return status;
    }
    if (!complete || !receiver.imageDone()) {
        std::string why = !error.empty()                ? error
                          : !receiver.failure().empty() ? receiver.failure()
                          : receiver.pipeClosed()       ? "the image could not be decoded"
                                                        : "no image in the response";
        WSD_ERROR("RetrieveImage (job %d, HTTP %ld): %s", job.id, receiver.httpStatus(), why.c_str());
        cancelJobOnDevice("the image transfer failed");
        return SANE_STATUS_IO_ERROR;
    }
    ++job.imagesRetrieved;
    WSD_INFO("job %d: image %d done, %zu bytes in %lld ms", job.id, job.imagesRetrieved, receiver.imageBytes(),
             static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()));
    // A platen job has one image; a counted batch ends with its last image.
    const int wanted = job.settings.imagesToTransfer;
    if (job.settings.source == "Platen" || (wanted > 0 && job.imagesRetrieved >= wanted))
        endJob();
    else
        publish();
    return SANE_STATUS_EOF;
}

void ScanWorker::cancelBeforeDrop()
{
    if (!job_ || !cancelPending())
        return;
    const int id = job_->id;
    if (sendCancelJob("sane_cancel"))
        cancelledJob_ = id;
}

void ScanWorker::cancelJobOnDevice(const char *why)
{
    const int id = job_->id;
    if (sendCancelJob(why))
        waitUntilJobEnded(id);
}

bool ScanWorker::sendCancelJob(const char *why)
{
    const Job job = *job_;
    endJob();
    WSD_INFO("job %d: sending CancelJob (%s)", job.id, why);
    // CancelJob is the cancel itself: no cancel fd, and a short timeout of its own.
    http::Response r;
    cancelSession_.post(http::Request{job.serviceUrl, job.cancelRequest}, r);
    if (!r.transportOk()) {
        WSD_ERROR("CancelJob for job %d: %s", job.id, r.error.c_str());
        return false;
    }
    std::string error;
    auto message = soap::parse(r.body, &error);
    if (!message) {
        WSD_ERROR("CancelJob for job %d: HTTP %ld, unreadable answer: %s", job.id, r.status, error.c_str());
        return false;
    }
    if (message->fault) {
        if (message->fault->subcode == "ClientErrorJobIdNotFound")
            WSD_PROTO("CancelJob: job %d is already gone on the device", job.id);
        else
            WSD_ERROR("CancelJob for job %d refused: %s/%s: %s", job.id, message->fault->code.c_str(),
                      message->fault->subcode.c_str(), message->fault->reason.c_str());
        return false;
    }
    WSD_PROTO("CancelJob: job %d cancelled", job.id);
    return true;
}

// After CancelJob: read the job's end state back (GetJobElements), so the log
// says whether the device really let go of it.
void ScanWorker::waitUntilJobEnded(int jobId)
{
    http::Options quick = config_.http;
    quick.timeoutMs = config_.cancelTimeoutMs;
    const std::string &url = config_.serviceUrls.front();
    const auto deadline = Clock::now() + std::chrono::milliseconds(config_.busyWaitMs);
    for (int attempt = 0; Clock::now() < deadline; ++attempt) {
        http::Response r = http::post(http::Request{url, buildGetJobElementsRequest(url, jobId)}, quick);
        std::string error;
        auto message = r.transportOk() ? soap::parse(r.body, &error) : std::nullopt;
        if (!message)
            return;  // the device cannot tell; nothing more to learn
        if (message->fault) {
            WSD_PROTO("job %d: GetJobElements: %s (the job is gone)", jobId, message->fault->subcode.c_str());
            return;
        }
        auto status = parseGetJobElementsResponse(*message, &error);
        if (!status)
            return;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            snapshot_.lastState = status->state;
        }
        if (jobStateIsFinal(status->state) || status->state == "Terminating") {
            WSD_INFO("job %d ended %s", jobId, status->state.c_str());
            return;
        }
        // The device is still winding the job down: ask again shortly.
        const int fds[1] = {commandFd_.fd()};
        if (waitReadable(fds, 1, 50 * (attempt + 1)) == 0) {
            // A new command is waiting; leave it signalled for the loop.
            commandFd_.signal();
            return;
        }
    }
    WSD_WARN("job %d did not reach an end state after CancelJob", jobId);
}

// A job whose CreateScanJob answer was lost holds the device until it times
// out: find it among the active jobs by its name (this host and process) and
// cancel it. When the device cannot tell yet, the next job asks again.
void ScanWorker::cancelUnconfirmedJob()
{
    if (unconfirmedJobName_.empty())
        return;
    http::Options quick = config_.http;
    quick.timeoutMs = config_.cancelTimeoutMs;
    const std::string &url = config_.serviceUrls.front();
    http::Response r = http::post(http::Request{url, buildGetActiveJobsRequest(url)}, quick);
    std::string error;
    auto message = r.transportOk() ? soap::parse(r.body, &error) : std::nullopt;
    auto jobs = message && !message->fault ? parseJobSummaries(*message, &error) : std::nullopt;
    if (!jobs) {
        WSD_INFO("GetActiveJobs, for a job whose creation was not confirmed: %s",
                 r.transportOk() ? error.c_str() : r.error.c_str());
        return;
    }
    for (const JobSummary &job : *jobs) {
        if (job.jobName != unconfirmedJobName_ || jobStateIsFinal(job.state))
            continue;
        WSD_INFO("job %d was created, but the answer was lost: cancelling it", job.jobId);
        http::Response c = http::post(http::Request{url, buildCancelJobRequest(url, job.jobId)}, quick);
        if (!c.transportOk())
            WSD_WARN("CancelJob for job %d: %s", job.jobId, c.error.c_str());
    }
    unconfirmedJobName_.clear();
}

void ScanWorker::endJob()
{
    job_.reset();
    publish();
}

void ScanWorker::publish()
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (job_) {
        snapshot_.jobId = job_->id;
        snapshot_.jobToken = job_->token;
        snapshot_.imagesRetrieved = job_->imagesRetrieved;
        snapshot_.active = true;
    } else {
        snapshot_.active = false;
    }
}

}  // namespace wsd
