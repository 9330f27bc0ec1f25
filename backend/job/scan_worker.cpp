#include "wsd/scan_worker.h"

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
    ImageReceiver(PagePipe &pipe, unsigned page, int cancelFd, ImageDelivery delivery, std::function<void()> beforeDrop)
        : pipe_(pipe), page_(page), cancelFd_(cancelFd), delivery_(std::move(delivery)), beforeDrop_(std::move(beforeDrop))
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
        if (!pipe_.beginImage(page_, delivery_, cancelFd_)) {
            pipeClosed_ = true;
            beforeDrop_();
            return false;
        }
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
    ImageDelivery delivery_;
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

ScanWorker::ScanWorker(WorkerConfig config)
    : config_(std::move(config)),
      session_(config_.http),
      jobs_(JobControlConfig{config_.device, config_.serviceUrls, config_.cancelHttp, config_.busyWaitMs, {},
                             config_.warmUpWaitMs, config_.events},
            session_),
      reader_(pipe_, cancelReaderFd_.fd(), [this] { return cancelledSinceStart(); }, [this] { cancelRefusedPage(); })
{
    session_.setCancelFd(cancelWorkerFd_.fd());
    session_.setCancelHook([this] { cancelBeforeDrop(); });
    thread_ = std::thread([this] { run(); });
}

ScanWorker::~ScanWorker()
{
    // Closing ends the job as sane_cancel does; it also wakes a transfer
    // that waits for a page the reader will now never start.
    cancel();
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

SANE_Status ScanWorker::startPage(const ScanSettings &settings, const ImageLimits &limits, Deadline deadline,
                                  FrameFormat &frame, std::optional<int> thresholdPercent)
{
    if (cancelledSinceStart())
        return SANE_STATUS_CANCELLED;  // the worker cancels a running job itself
    const unsigned page = ++nextPage_;
    pipe_.reset(page);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        command_ = StartCommand{settings, deadline, page, readerCancels_};
    }
    commandFd_.signal();
    return reader_.start(frame, limits, thresholdPercent);
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
            // The destructor's cancel, unless handled above already.
            handleCancel(0);
            return;
        }
        if (!command)
            continue;
        if (command->cancelCount != cancelCount_.load()) {
            // Cancelled before the worker got to it: scan nothing.
            handledCancels_ = cancelCount_.load();
            cancelWorkerFd_.clear();
            ahead_.reset();
            if (jobs_.job())
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
    ahead_.reset();  // the next sane_start begins a new batch
    if (jobs_.job())
        cancelJobOnDevice("sane_cancel");
    if (cancelledJob_) {
        waitUntilJobEnded(*cancelledJob_);
        cancelledJob_.reset();
    }
    if (page)
        pipe_.end(page, SANE_STATUS_CANCELLED);
}

bool ScanWorker::createJob(const ScanSettings &settings, const StartCommand &command)
{
    const SANE_Status created = jobs_.create(settings, command.deadline);
    publish();
    if (created != SANE_STATUS_GOOD) {
        pipe_.end(command.page, created);
        jobs_.endUnconfirmedJob();  // sane_start has its answer: this runs behind it
        return false;
    }
    if (cancelPending()) {
        // sane_cancel came while CreateScanJob was in flight: its JobId is
        // known now, so the device hears of the cancel at once.
        handleCancel(command.page);
        return false;
    }
    return true;
}

void ScanWorker::doPage(const StartCommand &command)
{
    SANE_Status status;
    if (ahead_ && ahead_->page == command.page) {
        // Fetched ahead: streamed into the pipe once sane_start began the
        // page, or its end (the feeder is empty, an error) kept for it.
        status = ahead_->status;
        ahead_.reset();
    } else {
        ahead_.reset();
        if (!jobs_.job() && !createJob(command.settings, command))
            return;
        if (cancelPending()) {
            handleCancel(command.page);
            return;
        }
        status = retrieveImage(command.page, command.deadline, false);
    }
    if (status == SANE_STATUS_NO_DOCS && jobEndedAfterPages_) {
        // The device ended its feeder job after some pages, unasked: the
        // feeder may hold more, so a new job scans on; when it is empty,
        // that job says so (ClientErrorNoImagesAvailable) and the batch ends.
        const ScanSettings rest = *jobEndedAfterPages_;
        jobEndedAfterPages_.reset();
        if (!createJob(rest, command))
            return;
        status = retrieveImage(command.page, command.deadline, false);
        jobEndedAfterPages_.reset();  // a second job that ends at once ends the batch
    }
    pipe_.end(command.page, status);
    if (status == SANE_STATUS_EOF)
        fetchAhead(command.page + 1);
}

void ScanWorker::fetchAhead(unsigned page)
{
    // Only a feeder job that may hold more images: a counted batch's last
    // image, like a platen's, has ended the job.
    const auto &job = jobs_.job();
    if (!job || !job->settings.feeder() || cancelPending())
        return;
    const unsigned cancels = handledCancels_;
    const SANE_Status status = retrieveImage(page, Clock::now() + std::chrono::milliseconds(config_.startDeadlineMs), true);
    if (handledCancels_ == cancels)
        ahead_ = Ahead{page, status};
}

SANE_Status ScanWorker::retrieveImage(unsigned page, Deadline deadline, bool ahead)
{
    JobControl::Job &job = *jobs_.job();
    const std::string body = buildRetrieveImageRequest(job.serviceUrl, job.id, job.token,
                                                       "page" + std::to_string(job.imagesRetrieved + 1));
    // In a duplex job every second image is a back side.
    const bool backSide = job.settings.duplex() && job.imagesRetrieved % 2 == 1;
    ImageDelivery delivery;
    delivery.upsideDown = backSide && config_.rotateBackSide;
    delivery.asked = job.settings;
    delivery.finalXDpi = job.finalParameters.xResolution;
    delivery.finalYDpi = job.finalParameters.yResolution;
    ImageReceiver receiver(pipe_, page, cancelWorkerFd_.fd(), std::move(delivery), [this] { cancelBeforeDrop(); });
    std::string error;
    session_.setCancelFd(cancelWorkerFd_.fd());
    const auto started = Clock::now();
    http::Request request{job.serviceUrl, body};
    // A feeder job's images share one kept connection of the worker's
    // session (no connect per page); a platen job's single image goes on a
    // connection closed after it, whose end wakes us even when the device
    // does not say the body's length. Either way the pooled connection stays
    // idle for CancelJob.
    request.connection = job.settings.feeder() ? http::Request::Connection::Session : http::Request::Connection::Own;
    // Past the deadline: a moment for an image that is already on its way.
    request.timeoutMs = std::max(1, http::millisecondsLeft(deadline));
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
        // A page fetched ahead is not the reader's yet: a sane_start that
        // comes after the cancel begins a new batch.
        handleCancel(ahead ? 0 : page);
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
        if (fault.subcode == "ClientErrorJobIdNotFound" && job.settings.feeder() && job.imagesRetrieved > 0) {
            // The device forgot the feeder job after its pages (Ricoh Aficio
            // MP 201 ends each feeder job after one page, sane-airscan#334):
            // not an error; doPage() asks a new job for what the feeder holds.
            WSD_INFO("job %d: ended by the device after %d images (ClientErrorJobIdNotFound)", job.id,
                     job.imagesRetrieved);
            ScanSettings rest = job.settings;
            if (rest.imagesToTransfer > 0)
                rest.imagesToTransfer = std::max(1, rest.imagesToTransfer - job.imagesRetrieved);
            jobEndedAfterPages_ = rest;
            endJob();
            return SANE_STATUS_NO_DOCS;
        }
        const SANE_Status status = jobs_.causeFromScannerStatus(statusFromFault(fault));
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
    if (job.settings.source == keyword(InputSource::Platen) || (wanted > 0 && job.imagesRetrieved >= wanted))
        endJob();
    else
        publish();
    return SANE_STATUS_EOF;
}

void ScanWorker::cancelBeforeDrop()
{
    if (!jobs_.job() || !cancelPending())
        return;
    const int id = jobs_.job()->id;
    if (sendCancelJob("sane_cancel"))
        cancelledJob_ = id;
}

void ScanWorker::cancelJobOnDevice(const char *why)
{
    const int id = jobs_.job()->id;
    if (sendCancelJob(why))
        waitUntilJobEnded(id);
}

bool ScanWorker::sendCancelJob(const char *why)
{
    const bool taken = jobs_.cancel(why);
    publish();
    return taken;
}

void ScanWorker::waitUntilJobEnded(int jobId)
{
    const std::string state = jobs_.waitUntilEnded(jobId, commandFd_.fd());
    if (state.empty())
        return;
    std::lock_guard<std::mutex> lock(mutex_);
    snapshot_.lastState = state;
}

void ScanWorker::endJob()
{
    jobs_.finished();
    publish();
}

void ScanWorker::publish()
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (const auto &job = jobs_.job()) {
        snapshot_.jobId = job->id;
        snapshot_.jobToken = job->token;
        snapshot_.imagesRetrieved = job->imagesRetrieved;
        snapshot_.active = true;
    } else {
        snapshot_.active = false;
    }
    snapshot_.refusedSettings = jobs_.refusedSettings();
}

}  // namespace wsd
