// One handle's network work: a thread that creates the scan job, retrieves
// each image into the PagePipe (sane_read decodes it: PageReader), and
// cancels the job on the device. sane_cancel reaches it through cancel(), which is
// async-signal-safe: an atomic increment and two eventfd writes.
#pragma once

#include "wsd/event_fd.h"
#include "wsd/http.h"
#include "wsd/job_control.h"
#include "wsd/page_pipe.h"
#include "wsd/page_reader.h"
#include "wsd/scan_settings.h"

#include <sane/sane.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wsd {

struct WorkerConfig {
    std::string device;  // the SANE device name
    http::Options http;
    http::Options cancelHttp;              // CancelJob and the requests around a cancel
    std::vector<std::string> serviceUrls;  // tried in order; the first that answers sticks
    int stallTimeoutMs = 60000;
    int startDeadlineMs = 30000;     // a feeder's next image fetched ahead: its answer begins by then
    int busyWaitMs = 10000;          // sane_start waits this long for our previous job to end
    int warmUpWaitMs = 30000;        // and this long for a scanner that warms up
    bool rotateBackSide = false;     // quirk: duplex back sides arrive upside down
    std::shared_ptr<JobEvents> events;  // the device's job and status events (JobControlConfig)
};

// What the handle knows of its job, for logs and tests.
struct JobSnapshot {
    int jobId = 0;
    std::string jobToken;
    std::string lastState;
    int imagesRetrieved = 0;
    bool active = false;
    // The ScanTicket settings the last refused CreateScanJob named (its
    // fault's Reason and Detail); empty when it named none.
    std::vector<std::string> refusedSettings;
};

class ScanWorker {
public:
    explicit ScanWorker(WorkerConfig config);
    ~ScanWorker();  // cancels an unfinished job on the device, then joins
    ScanWorker(const ScanWorker &) = delete;
    ScanWorker &operator=(const ScanWorker &) = delete;

    // sane_start begins: a cancel from before this belongs to the previous
    // page; one from now on cancels this one.
    void beginStart();
    // Then the next page, of the running job or of a new one made from
    // settings (CreateScanJob ends by deadline). Blocks until the page's
    // frame is known or it failed; an image larger than limits allow fails
    // it, and the job is cancelled.
    // thresholdPercent: lineart is made here from the gray image (PageReader).
    SANE_Status startPage(const ScanSettings &settings, const ImageLimits &limits, Deadline deadline,
                          FrameFormat &frame, std::optional<int> thresholdPercent = {});
    SANE_Status read(SANE_Byte *data, SANE_Int max, SANE_Int *length, bool blocking);
    // sane_cancel: async-signal-safe.
    void cancel() noexcept;
    int selectFd() const { return pipe_.readyFd(); }
    // sane_cancel was called since the last startPage.
    bool cancelledSinceStart() const { return cancelCount_.load() != readerCancels_; }
    JobSnapshot job() const;

private:
    struct StartCommand {
        ScanSettings settings;
        Deadline deadline;
        unsigned page = 0;
        unsigned cancelCount = 0;  // cancels seen by sane_start when it asked
    };

    void run();
    // The reader refused the page's image: the worker cancels the job as
    // for sane_cancel, while sane_read and sane_start still report the
    // image's error (the reader's count of cancels moves on too).
    void cancelRefusedPage();
    bool cancelPending() const { return cancelCount_.load() != handledCancels_; }
    void handleCancel(unsigned page);
    void doPage(const StartCommand &command);
    // After a feeder image: asks the device for the next one at once,
    // before the frontend's sane_start (the request and the device's
    // answer overlap the decoding of the last lines). Its bytes wait for
    // the reader to start page (PagePipe); its end is kept in ahead_.
    void fetchAhead(unsigned page);
    // CreateScanJob for the command's page; false when the page has ended
    // instead (refused, or cancelled meanwhile).
    bool createJob(const ScanSettings &settings, const StartCommand &command);
    // Returns the status the page ends with.
    // The image must begin by deadline (sane_start's).
    // ahead: fetched before the reader started page (fetchAhead).
    SANE_Status retrieveImage(unsigned page, Deadline deadline, bool ahead);
    // sane_cancel while a transfer runs: the device hears of it before the
    // transfer and its connection are dropped (it could abort the job when
    // the connection closes, and the CancelJob would come too late).
    void cancelBeforeDrop();
    void cancelJobOnDevice(const char *why);
    // Sends CancelJob for the job and forgets the job; true when the
    // device took it (its end state is then worth reading back).
    bool sendCancelJob(const char *why);
    void waitUntilJobEnded(int jobId);
    void endJob();
    void publish();

    WorkerConfig config_;
    http::Session session_;
    JobControl jobs_;  // worker thread only
    PagePipe pipe_;
    EventFd cancelReaderFd_;  // sane_read / sane_start wake on it; cleared by sane_start
    EventFd cancelWorkerFd_;  // the worker's transfers wake on it; cleared by the worker
    EventFd commandFd_;
    std::atomic<unsigned> cancelCount_{0};
    unsigned handledCancels_ = 0;  // worker thread only
    unsigned readerCancels_ = 0;   // reader side: cancels counted at the last sane_start
    unsigned nextPage_ = 0;        // reader side
    PageReader reader_;

    mutable std::mutex mutex_;  // guards command_, shutdown_, snapshot_
    std::optional<StartCommand> command_;
    bool shutdown_ = false;
    JobSnapshot snapshot_;

    // A job whose CancelJob went out before its transfer was dropped; its
    // end state is read back once the transfer is gone. Worker thread only.
    std::optional<int> cancelledJob_;
    // The device ended the feeder job after some of its pages (RetrieveImage:
    // ClientErrorJobIdNotFound): the settings for a job that scans on.
    // Worker thread only.
    std::optional<ScanSettings> jobEndedAfterPages_;
    // The end of the page fetched ahead, for its sane_start. Dropped by a
    // cancel. Worker thread only.
    struct Ahead {
        unsigned page = 0;
        SANE_Status status = SANE_STATUS_GOOD;
    };
    std::optional<Ahead> ahead_;
    std::thread thread_;
};

}  // namespace wsd
