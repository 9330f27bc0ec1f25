#include "wsd/scanner.h"

#include "wsd/capabilities.h"
#include "wsd/device_locator.h"
#include "wsd/image_limits.h"
#include "wsd/job_control.h"
#include "wsd/job_refusal.h"
#include "wsd/job_registry.h"
#include "wsd/log.h"
#include "wsd/metadata.h"
#include "wsd/quirks.h"
#include "wsd/press_handover.h"
#include "wsd/scan_job_messages.h"
#include "wsd/served_devices.h"
#include "wsd/wsscan_client.h"

#include <sane/saneopts.h>

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>

namespace wsd {

namespace {

using Clock = std::chrono::steady_clock;
// sane_open waits at most this long for the panel subscription.
constexpr std::chrono::seconds MaxSubscribeWait{5};

// The scan service URLs from the device's metadata; empty when it has none
// (or the URL given is not a device endpoint at all).
std::vector<std::string> scanServicesFromMetadata(const DeviceRecord &device, const wsscan::Client &client)
{
    for (const std::string &url : device.deviceUrls) {
        auto metadata = client.call(wsscan::getMetadata(metadataTo(device, url), url));
        if (!metadata) {
            WSD_INFO("%s: no device metadata: %s", url.c_str(), metadata.error.c_str());
            continue;
        }
        std::vector<std::string> services = metadata->scanServiceUrls();
        if (services.empty())
            WSD_WARN("%s: %s %s hosts no scan service", url.c_str(), metadata->manufacturer.c_str(),
                     metadata->model.c_str());
        return services;
    }
    return {};
}

std::string hostName()
{
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    return host;
}

// A job a process of ours created and left behind (killed mid-scan) holds
// the scanner until the device times it out: cancel it. Only jobs the job
// registry holds for this device, whose creator is provably gone, and that
// the device still lists under the same name; at most MaxOrphanCancels.
constexpr std::size_t MaxOrphanCancels = 8;

void cancelOrphanedJobs(const std::string &device, const std::string &url, const wsscan::Client &client)
{
    JobRegistry registry;
    const std::vector<JobRecord> orphans = registry.takeOrphans(device, ProcessIdentity::self(), MaxOrphanCancels);
    if (orphans.empty())
        return;
    auto jobs = client.call(wsscan::getActiveJobs(url));
    if (!jobs) {
        WSD_DETAIL("GetActiveJobs: %s", jobs.error.c_str());
        for (const JobRecord &orphan : orphans)
            registry.record(orphan);  // the next sane_open asks again
        return;
    }
    for (const JobRecord &orphan : orphans) {
        for (const JobSummary &job : *jobs) {
            if (job.jobName != orphan.jobName || (orphan.jobId && job.jobId != orphan.jobId) ||
                jobStateIsFinal(job.state))
                continue;
            WSD_INFO("job %d was left by process %ld, which is gone: cancelling it", job.jobId, orphan.creator.pid);
            auto cancelled = client.call(wsscan::cancelJob(url, job.jobId));
            if (!cancelled && cancelled.failure != wsscan::Failure::Fault) {
                WSD_WARN("CancelJob for orphaned job %d: %s", job.jobId, cancelled.error.c_str());
                registry.record(orphan);  // no answer: the next sane_open tries again
            }
        }
    }
}

// A refused ticket that names no setting, or one of these.
bool refusalMayConcern(const std::vector<std::string> &named, std::initializer_list<const char *> settings)
{
    if (named.empty())
        return true;
    for (const char *s : settings)
        if (std::find(named.begin(), named.end(), s) != named.end())
            return true;
    return false;
}

std::string localUserName()
{
    if (const passwd *pw = getpwuid(getuid()))
        return pw->pw_name;
    return "sane";
}

// The table's quirks for the device, with its wsd.conf overrides.
Quirks deviceQuirks(const DeviceRecord &device, const Config &config)
{
    Quirks quirks = quirksFor(device.vendor, device.model);
    for (const QuirkOverride &o : config.quirks)
        if (o.device == device.saneName)
            applyQuirkOverrides(quirks, o.pairs, nullptr);
    return quirks;
}

}  // namespace

SANE_Status Scanner::open(const DeviceRecord &device, const Config &config, std::unique_ptr<Scanner> &out)
{
    // One deadline for every request below, however many addresses answer slowly.
    const auto deadline = Clock::now() + std::chrono::milliseconds(config.openDeadlineMs);
    wsscan::Client client(httpOptions(config));
    client.until(deadline);
    DeviceRecord record = device;
    // Given by URL or host and not located when the list was made (the
    // device was off, say): try again now, within the open deadline.
    if (record.endpointUuid.empty() && record.scanServiceUrls.empty()) {
        http::Options probeOptions = httpOptions(config);
        probeOptions.timeoutMs = std::min({probeOptions.timeoutMs, http::millisecondsLeft(deadline),
                                           std::max(config.discoveryTimeoutMs, 1000)});
        probeOptions.connectTimeoutMs = std::min(probeOptions.connectTimeoutMs, probeOptions.timeoutMs);
        locateDevice(record, probeOptions);
    }
    if (record.deviceUrls.empty() && !record.host.empty()) {
        WSD_ERROR("%s: no WSD scanner answers on host %s", record.saneName.c_str(), record.host.c_str());
        return SANE_STATUS_IO_ERROR;
    }
    if (record.scanServiceUrls.empty()) {
        record.scanServiceUrls = scanServicesFromMetadata(record, client);
        // A wsd.conf entry may name the scan service itself; some devices
        // (the scan-path quirk) serve it below the device URL.
        if (record.scanServiceUrls.empty()) {
            record.scanServiceUrls = record.deviceUrls;
            if (quirksFor(record.vendor, record.model).scanPathSuffix)
                for (const std::string &url : record.deviceUrls)
                    record.scanServiceUrls.push_back(scanPathUrl(url));
        }
    }
    if (record.scanServiceUrls.empty()) {
        WSD_ERROR("%s: no address to reach the scanner", record.saneName.c_str());
        return SANE_STATUS_INVAL;
    }

    for (const std::string &url : record.scanServiceUrls) {
        auto elements = client.call(wsscan::getScannerElements(url));
        if (elements.failure == wsscan::Failure::NoAnswer) {
            WSD_WARN("%s: %s", url.c_str(), elements.error.c_str());
            continue;
        }
        if (!elements) {
            WSD_ERROR("%s: GetScannerElements: %s", url.c_str(), elements.error.c_str());
            return SANE_STATUS_IO_ERROR;
        }
        if (ScanOptions::decodableFormats(elements->caps).empty()) {
            // Every ticket names its Format: a device with none we decode
            // cannot scan for us (WS-Scan FormatsSupported).
            std::string offered;
            for (const std::string &f : elements->caps.formats)
                offered += (offered.empty() ? "" : ", ") + f;
            WSD_ERROR("%s: the scanner offers no image format this backend decodes (it offers: %s)",
                      record.saneName.c_str(), offered.empty() ? "none" : offered.c_str());
            return SANE_STATUS_UNSUPPORTED;
        }
        // The address that answered goes first for the job's requests.
        auto it = std::find(record.scanServiceUrls.begin(), record.scanServiceUrls.end(), url);
        std::rotate(record.scanServiceUrls.begin(), it, it + 1);
        cancelOrphanedJobs(record.saneName, url, wsscan::Client(cancelHttpOptions(config)).until(deadline));
        Quirks quirks = deviceQuirks(record, config);
        if (quirks.landscapeMaxSize)
            trustLandscapeSizes(elements->caps);
        const ScannerStatusInfo status = elements->status;
        out.reset(new Scanner(record, config, quirks, std::move(*elements)));
        out->startPanel(config, status, deadline);
        WSD_INFO("opened %s at %s", record.saneName.c_str(), url.c_str());
        return SANE_STATUS_GOOD;
    }
    WSD_ERROR("%s: the scanner does not answer", record.saneName.c_str());
    return SANE_STATUS_IO_ERROR;
}

Scanner::Scanner(DeviceRecord device, const Config &config, const Quirks &quirks, ScannerElements elements)
    : device_(std::move(device)), http_(httpOptions(config)), closeHttp_(cancelHttpOptions(config)),
      startDeadlineMs_(config.startDeadlineMs), options_(elements), caps_(elements.caps)
{
    WSD_INFO("%s %s: quirks: %s", device_.vendor.c_str(), device_.model.c_str(), describeQuirks(quirks).c_str());
    skipTicketValidation_ = quirks.skipTicketValidation;
    WorkerConfig wc;
    wc.device = device_.saneName;
    wc.rotateBackSide = quirks.rotateBackSide;
    wc.http = http_;
    wc.serviceUrls = device_.scanServiceUrls;
    wc.cancelHttp = cancelHttpOptions(config);
    wc.stallTimeoutMs = config.stallTimeoutMs;
    wc.startDeadlineMs = config.startDeadlineMs;
    wc.busyWaitMs = config.busyWaitMs;
    wc.warmUpWaitMs = config.warmUpWaitMs;
    wc.events = jobEvents_;
    worker_ = std::make_unique<ScanWorker>(wc);
}

Scanner::~Scanner()
{
    // The worker first: a job it cancels now still ends by its events,
    // before the subscription goes.
    worker_.reset();
    panel_.reset();
    // The subscription of a press taken from another process: its token has
    // served (or the device refused it); nobody else renews or ends it.
    if (handedOver_) {
        auto done = wsscan::Client(closeHttp_).call(events::unsubscribe(*handedOver_));
        if (!done)
            WSD_INFO("%s: Unsubscribe: %s", handedOver_->address.c_str(), done.error.c_str());
    }
}

const SANE_Option_Descriptor *Scanner::descriptor(SANE_Int option) const { return options_.descriptor(option); }

SANE_Status Scanner::control(SANE_Int option, SANE_Action action, void *value, SANE_Int *info)
{
    if (scanning_ && action != SANE_ACTION_GET_VALUE)
        return SANE_STATUS_DEVICE_BUSY;
    // The status options follow the scanner's status events between scans.
    if (panel_)
        if (std::optional<ScannerStatusInfo> status = panel_->statusSince(&statusSeen_))
            options_.updateStatus(*status);
    return options_.control(option, action, value, info);
}

SANE_Status Scanner::parameters(SANE_Parameters *params) const
{
    if (!params)
        return SANE_STATUS_INVAL;
    if (!scanning_) {
        *params = options_.parameters();
        return SANE_STATUS_GOOD;
    }
    params->format = frame_.format;
    params->last_frame = SANE_TRUE;
    params->bytes_per_line = static_cast<SANE_Int>(frame_.bytesPerLine);
    params->pixels_per_line = frame_.pixelsPerLine;
    params->lines = frame_.lines;
    params->depth = frame_.depth;
    return SANE_STATUS_GOOD;
}

SANE_Status Scanner::checkScannerStatus(const ScanSettings &settings, Deadline deadline)
{
    auto elements = wsscan::Client(http_).until(deadline).call(wsscan::getScannerElements(device_.scanServiceUrls.front()));
    if (!elements) {
        // The job request will tell; do not refuse a scan on this alone.
        WSD_INFO("scanner status unknown before the scan: %s", elements.error.c_str());
        return SANE_STATUS_GOOD;
    }
    options_.updateStatus(elements->status);
    if (panel_)
        panel_->setStatus(elements->status);
    const std::optional<Refusal> refusal = refusalBeforeScan(elements->status, settings.source);
    if (!refusal)
        return SANE_STATUS_GOOD;
    if (refusal->warmingUp) {
        // CreateScanJob waits for the warm-up (warm-up-wait).
        WSD_INFO("the scanner is warming up");
        return SANE_STATUS_GOOD;
    }
    if (refusal->status == SANE_STATUS_DEVICE_BUSY &&
        deviceEndingCancelledJob(wsscan::Client(http_).until(deadline), device_.scanServiceUrls.front())) {
        // Busy ending a cancelled job: CreateScanJob waits for it to end.
        WSD_INFO("the scanner is ending a cancelled job");
        return SANE_STATUS_GOOD;
    }
    WSD_ERROR("scanner reports %s (%s): %s", elements->status.state.c_str(), sane_strstatus(refusal->status),
              refusal->message.c_str());
    return refusal->status;
}

// ValidateScanTicket, where the device offers it (WS-Scan ValidationInfo:
// an invalid ticket comes back as ValidScanTicket with the invalid settings
// changed). A format it would refuse is replaced by another it accepts,
// brightness and contrast it refuses are dropped, a region it only rounds or
// clips is taken as the device gives it; any other objection ends
// the scan before a job the device would refuse is made.
SANE_Status Scanner::validateTicket(ScanSettings &settings, Deadline deadline)
{
    if (skipTicketValidation_)
        return SANE_STATUS_GOOD;
    // Twice at most: once as asked, once more after a correction.
    for (int round = 0; round < 2; ++round) {
        auto validation = wsscan::Client(http_).until(deadline).call(
            wsscan::validateScanTicket(device_.scanServiceUrls.front(), settings));
        if (!validation) {
            WSD_DETAIL("ValidateScanTicket not available: %s", validation.error.c_str());
            return SANE_STATUS_GOOD;
        }
        if (validation->valid)
            return SANE_STATUS_GOOD;
        if (!validation->validTicket) {
            WSD_ERROR("the scanner refused the scan settings (ValidateScanTicket) without saying which; "
                      "if it scans with other clients, set the quirk skip-validation for it");
            return SANE_STATUS_INVAL;
        }
        std::vector<std::string> objections = objectedSettings(settings, *validation->validTicket);
        bool corrected = false;
        if (adoptRoundedRegion(settings, *validation->validTicket)) {
            WSD_INFO("the scanner rounds or clips the scan region: using its region");
            corrected = true;
        }
        if (objections.empty() && !corrected) {
            WSD_WARN("ValidateScanTicket calls the ticket invalid but changes nothing in it: going on");
            return SANE_STATUS_GOOD;
        }
        auto objectsTo = [&](const char *name) {
            return std::find(objections.begin(), objections.end(), name) != objections.end();
        };
        const std::vector<std::string> choices = options_.formatChoices();
        const std::string &proposed = validation->validTicket->format;
        if (objectsTo("Format") && std::find(choices.begin(), choices.end(), proposed) != choices.end()) {
            WSD_INFO("the device cannot send %s; using %s", settings.format.c_str(), proposed.c_str());
            settings.format = proposed;
            corrected = true;
            objections.erase(std::find(objections.begin(), objections.end(), "Format"));
        }
        for (auto [name, value] : {std::pair{"Brightness", &settings.brightness}, {"Contrast", &settings.contrast}}) {
            if (!objectsTo(name))
                continue;
            WSD_WARN("the scanner refuses the %s setting: scanning without it", name);
            value->reset();
            corrected = true;
            objections.erase(std::find(objections.begin(), objections.end(), name));
        }
        if (!objections.empty()) {
            WSD_ERROR("the scanner refused the scan settings: it objects to %s (ValidateScanTicket)",
                      joinSettingNames(objections).c_str());
            return SANE_STATUS_INVAL;
        }
        if (!corrected)
            return SANE_STATUS_GOOD;
    }
    return SANE_STATUS_GOOD;
}

void Scanner::startPanel(const Config &config, const ScannerStatusInfo &status, Deadline deadline)
{
    if (config.pushDestination == "off")
        return;
    if (servedByDaemon(device_.scanServiceUrls)) {
        // wsd-scand already shows this computer on the panel: a second
        // destination would list it twice.
        WSD_INFO("%s: wsd-scand serves this scanner's panel; this handle adds no destination",
                 device_.saneName.c_str());
        return;
    }
    PanelConfig panel;
    panel.serviceUrl = device_.scanServiceUrls.front();
    panel.endpoint = device_.endpointUuid;
    panel.displayName = config.pushDestination.empty() ? hostName() : config.pushDestination;
    panel.http = http_;
    panel.closeHttp = cancelHttpOptions(config);
    panel.status = status;
    panel.jobEvents = jobEvents_;
    if (std::optional<long long> handedOver = handover::liveDeadline(device_.scanServiceUrls))
        // A second past the deadline, so that the entry has expired when the
        // renewal thread looks (and Unsubscribes it when nobody took it).
        panel.subscribeAfter = Clock::now() + std::chrono::milliseconds(*handedOver - handover::nowMs()) +
                              std::chrono::seconds(1);
    // A device that ignores Subscribe must not hold sane_open for long.
    panel_ = PanelSubscription::start(panel, std::min(deadline, Clock::now() + MaxSubscribeWait));
    if (panel_)
        options_.addPanelOptions([p = panel_.get()] { return p->takeButton(); },
                                 [p = panel_.get()] { return p->pendingSource(); });
}

void Scanner::selectPanelSource(const std::string &keyword)
{
    std::optional<InputSource> source = inputSourceFromKeyword(keyword);
    if (!source)
        return;
    std::string name = saneName(*source);
    name.resize(std::max<std::size_t>(name.size() + 1, 64));
    SANE_Int info = 0;
    if (options_.control(options_.find(SANE_NAME_SCAN_SOURCE), SANE_ACTION_SET_VALUE, name.data(), &info) !=
        SANE_STATUS_GOOD)
        WSD_WARN("the panel chose the source %s, which the scanner did not list", keyword.c_str());
}

SANE_Status Scanner::start()
{
    // After sane_cancel a frontend may start again without reading on.
    if (scanning_ && !worker_->cancelledSinceStart())
        return SANE_STATUS_DEVICE_BUSY;
    scanning_ = false;
    worker_->beginStart();
    const Deadline deadline = Clock::now() + std::chrono::milliseconds(startDeadlineMs_);
    // A press at the panel makes the next new job the device-initiated one.
    std::optional<PanelPress> press;
    if (panel_ && !worker_->job().active)
        press = panel_->takePress();
    if (!press && queuedPress_ && !worker_->job().active)
        press = std::exchange(queuedPress_, std::nullopt);
    if (!press && !worker_->job().active && !handedOver_) {
        // A button daemon read the press in another process and closed its
        // handle before running its script (scanbd): this scan is that press.
        if (std::optional<handover::Entry> entry = handover::take(device_.scanServiceUrls)) {
            WSD_INFO("taking the panel press (ScanIdentifier %s) that another process handed over",
                     entry->press.scanIdentifier.c_str());
            press = entry->press;
            handedOver_ = entry->manager;
        }
    }
    if (press && !press->inputSource.empty())
        selectPanelSource(press->inputSource);
    ScanSettings settings = options_.settings();
    if (press) {
        settings.scanIdentifier = press->scanIdentifier;
        settings.destinationToken = press->destinationToken;
    }
    static const std::string user = localUserName() + "@" + hostName();
    settings.userName = user;
    // Unique: the job registry and the search for an unconfirmed job know it by this name.
    settings.jobName = uniqueJobName();
    if (!worker_->job().active) {
        SANE_Status status = checkScannerStatus(settings, deadline);
        if (status == SANE_STATUS_GOOD)
            status = validateTicket(settings, deadline);
        if (status != SANE_STATUS_GOOD)
            return status;
    }
    const ImageLimits limits = imageLimitsForScan(settings, caps_);
    const std::optional<int> threshold = options_.localThreshold();
    SANE_Status status = worker_->startPage(settings, limits, deadline, frame_, threshold);
    if (status == SANE_STATUS_INVAL && !worker_->job().active && (settings.brightness || settings.contrast) &&
        refusalMayConcern(worker_->job().refusedSettings, {"Brightness", "Contrast"}) &&
        !worker_->cancelledSinceStart()) {
        // A device may refuse the exposure settings it lists (ClientErrorInvalidScanTicket):
        // they are optional, the scan is not.
        WSD_WARN("the scanner refused the ticket: trying again without brightness and contrast");
        settings.brightness.reset();
        settings.contrast.reset();
        status = worker_->startPage(settings, limits, deadline, frame_, threshold);
    }
    if (status == SANE_STATUS_INVAL && !worker_->job().active &&
        refusalMayConcern(worker_->job().refusedSettings, {"Format"})) {
        // The device refused the format (ClientErrorFormatNotSupported):
        // fall back through the other formats it lists, best first.
        for (const std::string &format : options_.formatChoices()) {
            if (format == settings.format || worker_->cancelledSinceStart())
                continue;
            WSD_INFO("format %s refused; trying %s", settings.format.c_str(), format.c_str());
            settings.format = format;
            status = worker_->startPage(settings, limits, deadline, frame_, threshold);
            if (status != SANE_STATUS_INVAL)
                break;
        }
    }
    scanning_ = status == SANE_STATUS_GOOD;
    return status;
}

SANE_Status Scanner::read(SANE_Byte *data, SANE_Int max, SANE_Int *length)
{
    if (!length || !data || max <= 0)
        return SANE_STATUS_INVAL;
    *length = 0;
    if (!scanning_)
        return SANE_STATUS_EOF;
    SANE_Status status = worker_->read(data, max, length, !nonBlocking_);
    if (status != SANE_STATUS_GOOD)
        scanning_ = false;
    return status;
}

SANE_Status Scanner::setIoMode(SANE_Bool nonBlocking)
{
    if (!scanning_)
        return SANE_STATUS_INVAL;
    nonBlocking_ = nonBlocking == SANE_TRUE;
    return SANE_STATUS_GOOD;
}

SANE_Status Scanner::selectFd(SANE_Int *fd) const
{
    if (!fd || !scanning_)
        return SANE_STATUS_INVAL;
    *fd = worker_->selectFd();
    return SANE_STATUS_GOOD;
}

}  // namespace wsd
