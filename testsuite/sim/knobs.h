// Behaviour knobs: the ways a test makes the simulated device slow, busy,
// jammed or broken. Set from the command line and at run time through the
// control endpoint; every operation works on a snapshot taken when it starts.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace wsdsim {

struct Knobs {
    long paceBytesPerSecond = 0;    // pace: image transfer rate, 0 = as fast as possible
    long delayMs = 0;               // delay-ms: added before every scan service answer
    long createDelayMs = 0;         // create-delay-ms: added before the CreateScanJob answer only
    // The job is made, then its CreateScanJob answer is late, cut or broken:
    long createAnswerDelayMs = 0;   // create-answer-delay-ms: the answer waits this long
    bool createReset = false;       // create-reset: the connection closes with no answer
    bool createGarbage = false;     // create-garbage: the answer is bytes that are not XML
    // Redirects to another origin (an absolute URL, empty = off):
    std::string redirectSoap;       // redirect-soap: every scan service request gets 302 there
    std::string redirectImage;      // redirect-image: RetrieveImage gets 307 there
    bool busy = false;              // busy: CreateScanJob -> ServerErrorNotAcceptingJobs
    long jamAfterImages = 0;        // jam-after: paper jam once N images were sent (0 = never)
    bool coverOpen = false;         // cover-open: CoverOpen condition, no jobs accepted
    bool emptyAdf = false;          // empty-adf: the feeder holds no paper
    bool emptyAdfAtRetrieve = false;  // empty-adf-at=retrieve: fault at RetrieveImage, not CreateScanJob
    long adfPages = 3;              // adf-pages: sheets in the feeder for each ADF job
    long resetAfterBytes = -1;      // reset-after: drop the connection after K image bytes
    long stallAfterBytes = -1;      // stall-after: stop sending after K image bytes, forever
    long truncateImageBytes = -1;   // truncate-image: image part cut to K bytes, MIME still well-formed
    long contentLengthExcess = 0;   // content-length-excess: Content-Length N bytes more than sent
    bool malformedXml = false;      // malformed-xml: SOAP answers are not well-formed
    bool internalError = false;     // internal-error: every scan operation fails, Receiver fault, HTTP 500
    bool faultsWithHttp200 = false; // fault-http-200: faults travel with HTTP 200
    bool noLeadingCrlf = false;     // no-leading-crlf: multipart body starts with "--boundary"
    long jobTimeoutSeconds = 60;    // job-timeout: abort jobs nobody retrieves from
    // A cancelled job's wind-down (WS-Scan CancelJobRequest: Terminating, then Canceled):
    long terminatingMs = 0;         // terminating-ms: how long a cancelled job stays Terminating
    bool terminatingRefusesJobs = true;  // terminating-refuses-jobs: CreateScanJob refused meanwhile
    bool texture = false;           // texture: paper texture and sensor noise in the images
    bool anyTo = false;             // any-to: accept requests whatever their wsa:To (a lenient device)
    std::string imageFile;          // image-file: RetrieveImage sends this file's bytes, not the page
    bool ignoreRegion = false;      // ignore-region: images are the source's whole area, whatever the ScanRegion
    long finalResolution = 0;       // final-resolution: scans at N dpi whatever the ticket asks (0 = as asked)
    bool onePageJobs = false;       // one-page-jobs: a feeder job takes one sheet, then is forgotten
    // transpose-max-size: GetScannerElements sends every MaximumSize with
    // Width and Height swapped (a portrait area advertised landscape);
    // tickets are still checked against the true area.
    bool transposeMaxSize = false;
    bool oneLineOnly = false;       // one-line-only: the scan service refuses a request laid out over lines
    bool refuseZoneTo = false;      // refuse-zone-to: a wsa:To whose IPv6 host carries a %zone is refused
    bool printerMatchFirst = false; // printer-match-first: ProbeMatches holds a print endpoint's record first
    std::string xaddrsHost;         // xaddrs-host: discovery XAddrs name this host instead of the address
    // WS-Eventing event source and the panel (device-initiated scans):
    bool panelOnlyJobs = false;     // panel-only-jobs: host-initiated CreateScanJob -> ServerErrorNotAcceptingJobs
    long maxExpirySeconds = 3600;   // max-expiry-s: longest subscription granted (Subscribe and Renew)
    bool refuseRenew = false;       // refuse-renew: Renew -> wse:UnableToRenew
    long eventDelayMs = 0;          // event-delay-ms: each event POST waits this long first
    bool dropEvents = false;        // drop-events: events are not delivered (logged "dropped")
    // drop-status-events: the job events (JobStatusEvent, JobEndStateEvent)
    // and the scanner status events are not delivered (logged "dropped"),
    // though subscriptions to them are taken; ScanAvailableEvent and
    // SubscriptionEnd still are (a device whose status events never come).
    bool dropStatusEvents = false;
    // warm-up-ms: for this long after start or /reboot the scanner
    // calibrates (ScannerStateReason Calibrating) and refuses jobs.
    long warmUpMs = 0;
    // empty-adf-refuses: an empty feeder refuses CreateScanJob with
    // ServerErrorNotAcceptingJobs and no InputTrayEmpty condition (Canon MF410).
    bool emptyAdfRefuses = false;
    // refuse-setting: a listed setting the device refuses ("brightness",
    // "contrast", or "resolution" above 300 dpi): ClientErrorInvalidScanTicket
    // from CreateScanJob; ValidateScanTicket corrects it (0, 300 dpi).
    std::string refuseSetting;
    // validate-wrong: ValidateScanTicket answers ValidTicket=false, with no
    // ValidScanTicket, to every ticket (CreateScanJob takes them).
    bool validateWrong = false;
    // require-job-information: CreateScanJob refuses a ScanTicket whose
    // JobDescription has no JobInformation (Canon TR7500).
    bool requireJobInformation = false;
    // stopped-reason: a ScannerStateReason (e.g. InternalStorageFull,
    // LampError, AttentionRequired) that stops the scanner: ScannerState
    // Stopped with that reason, CreateScanJob refused with
    // ServerErrorNotAcceptingJobs. Empty (default): none.
    std::string stoppedReason;
    // clip-region-by: the scan area is N/1000 inch narrower and shorter
    // than every MaximumSize says; ValidateScanTicket clips a region to it
    // (ValidTicket=false with the clipped ValidScanTicket), CreateScanJob
    // refuses a region reaching beyond it. 0 (default): the area advertised.
    long clipRegionBy = 0;
};

class KnobBoard {
public:
    Knobs get() const;
    // Sets one knob by its name ("pace", "busy", ...). Booleans take
    // true/false/1/0, numbers decimal. False with *error for an unknown name
    // or a bad value; the knobs stay as they were.
    bool set(const std::string &name, const std::string &value, std::string *error);
    // All or nothing.
    bool setAll(const std::map<std::string, std::string> &values, std::string *error);
    static const std::vector<std::string> &names();
    // {"pace": 0, "busy": false, ...}
    nlohmann::ordered_json toJson() const;

private:
    mutable std::mutex mutex_;
    Knobs knobs_;
};

}  // namespace wsdsim
