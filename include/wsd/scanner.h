// One open SANE handle: the device's capabilities as options, and the worker
// that runs its scan jobs. The SANE entry points call these methods; they
// never throw (failures are logged and returned as SANE_Status).
#pragma once

#include "wsd/config.h"
#include "wsd/device_record.h"
#include "wsd/options.h"
#include "wsd/quirks.h"
#include "wsd/panel_subscription.h"
#include "wsd/scan_worker.h"

#include <sane/sane.h>

#include <memory>
#include <optional>

namespace wsd {

class Scanner {
public:
    // Reads the scanner's metadata (when the service URL is not known yet)
    // and its capabilities, and builds the options.
    static SANE_Status open(const DeviceRecord &device, const Config &config, std::unique_ptr<Scanner> &out);
    ~Scanner();  // hands over or ends the panel subscription, and ends a taken-over one

    const SANE_Option_Descriptor *descriptor(SANE_Int option) const;
    SANE_Status control(SANE_Int option, SANE_Action action, void *value, SANE_Int *info);
    SANE_Status parameters(SANE_Parameters *params) const;
    SANE_Status start();
    SANE_Status read(SANE_Byte *data, SANE_Int max, SANE_Int *length);
    void cancel() noexcept { worker_->cancel(); }
    SANE_Status setIoMode(SANE_Bool nonBlocking);
    // A press that a subscription of the caller's own received (wsd-scand):
    // the next new job is that device-initiated one, as with panel_'s.
    void queuePanelPress(PanelPress press) { queuedPress_ = std::move(press); }
    // The device as opened: the scan service that answered comes first.
    const DeviceRecord &device() const { return device_; }
    SANE_Status selectFd(SANE_Int *fd) const;

private:
    Scanner(DeviceRecord device, const Config &config, const Quirks &quirks, ScannerElements elements);
    // ScannerStatus right before a new job: jams, open covers, an empty
    // feeder and warming up are reported before a job is made.
    SANE_Status checkScannerStatus(const ScanSettings &settings, Deadline deadline);
    // ValidateScanTicket before the job: GOOD to go on (settings possibly
    // corrected), INVAL when the device refuses a setting it will not drop.
    SANE_Status validateTicket(ScanSettings &settings, Deadline deadline);
    // Subscribes to scans started at the panel (wsd.conf push-destination)
    // and to the status events (which update `status`, what open read), and
    // adds the panel's options when the device takes the subscription.
    void startPanel(const Config &config, const ScannerStatusInfo &status, Deadline deadline);
    // A panel press names its source: the source option follows it (with
    // the constraints of that source) when the device has it.
    void selectPanelSource(const std::string &keyword);

    DeviceRecord device_;
    http::Options http_;
    http::Options closeHttp_;  // requests at close: short
    int startDeadlineMs_;
    bool skipTicketValidation_ = false;  // the skip-validation quirk
    ScanOptions options_;
    ScannerCapabilities caps_;  // the device's largest areas bound each image
    // The job and status events the panel subscription passes to the
    // worker (live only while the device sends them).
    std::shared_ptr<JobEvents> jobEvents_ = std::make_shared<JobEvents>();
    std::unique_ptr<PanelSubscription> panel_;  // null: no scans from the panel
    std::unique_ptr<ScanWorker> worker_;        // reset before panel_ (~Scanner)
    std::optional<PanelPress> queuedPress_;     // queuePanelPress
    // The subscription of a press another process handed over, taken by
    // sane_start: Unsubscribed at close.
    std::optional<events::SubscriptionManager> handedOver_;
    unsigned long statusSeen_ = 0;  // the panel's status generation the options show
    bool scanning_ = false;      // between sane_start and the end of the page
    bool batchActive_ = false;   // an ADF job may have more pages
    bool nonBlocking_ = false;
    FrameFormat frame_;
};

}  // namespace wsd
