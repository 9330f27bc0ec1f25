#include "scan_service.h"

#include "addressing_check.h"

#include "image_encoder.h"
#include "mtom_writer.h"
#include "page_cache.h"
#include "request_layout.h"
#include "status_events.h"
#include "ticket_validator.h"
#include "wsd/log.h"
#include "wsd/namespaces.h"
#include "wsd/strings.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace wsdsim {

using wsd::soap::Fault;
using wsd::xml::Node;
using wsd::xml::Writer;
namespace ns = wsd::ns;

namespace {

Node scanChild(Node parent, const char *local) { return parent.child({ns::Scan, ns::ScanPrerelease}, local); }

// What the ticket asked, for /log: tests see which Format and colour a client sent.
template <typename Call>
void noteTicket(Call &call, const ScanTicket &t)
{
    call.details.ticket = true;
    call.details.format = t.format.given ? t.format.value : std::string();
    call.details.colorProcessing = t.front.color.given ? t.front.color.value : std::string();
    call.details.contentType = t.contentType.given ? t.contentType.value : std::string();
}

// Above this the refuse-setting=resolution device refuses the resolutions it lists.
constexpr int RefusedResolutionAbove = 300;

// The WS-Scan name of the setting the refuse-setting knob refuses, when the
// ticket asks for it; empty otherwise.
std::string refusedSettingName(const ScanTicket &t, const std::string &knob)
{
    if (knob == "brightness" && t.brightness.given)
        return "Brightness";
    if (knob == "contrast" && t.contrast.given)
        return "Contrast";
    if (knob == "resolution" && (t.front.xResolution.value > RefusedResolutionAbove ||
                                 t.front.yResolution.value > RefusedResolutionAbove))
        return "Resolution";
    return "";
}

// The clip-region-by device's true scan area: narrower and shorter by
// clipBy/1000 inch than every MaximumSize it advertises.
Profile withTrueScanArea(const Profile &advertised, long clipBy)
{
    Profile p = advertised;
    const int by = static_cast<int>(std::clamp<long>(clipBy, 0, 1000000));
    for (SourceCaps *c : {&p.platen, &p.adfFront, &p.adfBack}) {
        c->maxWidth = std::max(c->minWidth, c->maxWidth - by);
        c->maxHeight = std::max(c->minHeight, c->maxHeight - by);
    }
    return p;
}

bool regionOverridden(const SideTicket &s)
{
    return s.xOffset.overridden || s.yOffset.overridden || s.width.overridden || s.height.overridden;
}

// What a ValidScanTicket holds in the refused setting's place.
void correctRefusedSetting(ScanTicket &t, const std::string &knob)
{
    if (knob == "brightness")
        t.brightness.value = 0;
    else if (knob == "contrast")
        t.contrast.value = 0;
    for (SideTicket *side : {&t.front, &t.back})
        if (knob == "resolution") {
            side->xResolution.value = std::min(side->xResolution.value, RefusedResolutionAbove);
            side->yResolution.value = std::min(side->yResolution.value, RefusedResolutionAbove);
        }
}

void writeReasons(Writer &w, const Job &job)
{
    if (job.reasons.empty())
        return;
    w.start("wscn", "JobStateReasons");
    for (const std::string &r : job.reasons)
        w.element("wscn", "JobStateReason", r);
    w.end();
}

void writeJobSummary(Writer &w, const Job &job)
{
    w.start("wscn", "JobSummary");
    w.element("wscn", "JobId", std::to_string(job.id));
    w.element("wscn", "JobName", job.ticket.jobName);
    w.element("wscn", "JobOriginatingUserName", job.ticket.userName);
    w.element("wscn", "JobState", jobStateName(job.state));
    writeReasons(w, job);
    w.element("wscn", "ScansCompleted", std::to_string(job.imagesSent));
    w.end();
}

void writeDocuments(Writer &w, const Job &job)
{
    w.start("wscn", "Documents");
    writeDocumentParameters(w, "DocumentFinalParameters", job.ticket, TicketStyle::FinalParameters);
    for (int i = 0; i < std::max(1, job.imagesSent); ++i) {
        w.start("wscn", "Document").start("wscn", "DocumentDescription");
        w.element("wscn", "DocumentName", "image" + std::to_string(i + 1));
        w.end().end();
    }
    w.end();
}

// ElementData's Name attribute for a requested QName, declaring its namespace when it is not wscn's.
void startElementData(Writer &w, const wsd::xml::QName &name, bool valid)
{
    w.start("wscn", "ElementData");
    if (name.ns == ns::Scan) {
        w.attr("Name", "wscn:" + name.local);
    } else if (name.ns.empty()) {
        w.attr("Name", name.local);
    } else {
        w.declare("req", name.ns.c_str());
        w.attr("Name", "req:" + name.local);
    }
    w.attr("Valid", valid ? "true" : "false");
}

// Names the operation a request asks for: the Action if it is a scan action, else the body element.
std::string operationOf(const wsd::soap::Message &m)
{
    for (const char *prefix : {ns::ScanActionPrefix, "http://schemas.microsoft.com/windows/2006/01/wdp/scan/"}) {
        std::string p = prefix;
        if (m.action.compare(0, p.size(), p) == 0)
            return m.action.substr(p.size());
    }
    if (!m.action.empty())
        return m.action;
    std::string local(m.payload.localName());
    const std::string suffix = "Request";
    if (local.size() > suffix.size() && local.compare(local.size() - suffix.size(), suffix.size(), suffix) == 0)
        local.resize(local.size() - suffix.size());
    return local;
}

// The image-file knob: a test's file (a hostile image) sent as it is, under
// a type that claims nothing, as a device that lies would.
std::shared_ptr<const EncodedImage> imageFromFile(const std::string &path)
{
    std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!file)
        throw std::runtime_error("cannot read " + path);
    auto image = std::make_shared<EncodedImage>();
    image->contentType = "application/octet-stream";
    char buffer[65536];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
        image->bytes.append(buffer, n);
    return image;
}

}  // namespace

std::string breakXml(std::string envelope)
{
    // An end tag that does not match its start tag: not well-formed, yet close enough to tempt a lenient parser.
    auto at = envelope.rfind("</soap:Body>");
    if (at == std::string::npos)
        return envelope + "<";
    envelope.insert(at, "<wscn:Unclosed>");
    return envelope;
}

void writeJobStatus(Writer &w, const Job &job)
{
    w.start("wscn", "JobStatus");
    w.element("wscn", "JobId", std::to_string(job.id));
    w.element("wscn", "JobState", jobStateName(job.state));
    writeReasons(w, job);
    w.element("wscn", "ScansCompleted", std::to_string(job.imagesSent));
    w.element("wscn", "JobCreatedTime", job.createdTime);
    if (!job.completedTime.empty())
        w.element("wscn", "JobCompletedTime", job.completedTime);
    w.end();
}

int faultStatus(const Fault &f, const Knobs &knobs)
{
    if (knobs.faultsWithHttp200)
        return 200;
    return f.code == "Sender" ? 400 : 500;
}

std::string faultEnvelope(const std::string &relatesTo, const Fault &f)
{
    wsd::soap::Addressing a;
    a.to = ns::AnonymousReply;
    a.relatesTo = relatesTo;
    // WS-Addressing's own subcodes live in the wsa namespace, not wscn.
    if (f.subcode != "ActionNotSupported" && f.subcode != "DestinationUnreachable")
        return wsd::soap::buildFault(a, f);
    a.action = ns::FaultAction;
    return wsd::soap::buildEnvelope(a, {}, [&](Writer &w) {
        w.start("soap", "Fault");
        w.start("soap", "Code").element("soap", "Value", "soap:" + f.code);
        w.start("soap", "Subcode").element("soap", "Value", "wsa:" + f.subcode).end();
        w.end();
        w.start("soap", "Reason").start("soap", "Text").attr("xml:lang", "en").text(f.reason).end().end();
        if (!f.detail.empty())
            w.start("soap", "Detail").element("wsa", "Action", f.detail).end();
        w.end();
    });
}

std::string ScanService::envelope(Call &call, const BodyWriter &body)
{
    wsd::soap::Addressing a;
    a.to = ns::AnonymousReply;
    a.action = std::string(ns::ScanActionPrefix) + call.operation + "Response";
    a.relatesTo = call.message ? call.message->messageId : "";
    std::string text = wsd::soap::buildEnvelope(a, {{"wscn", ns::Scan}}, body);
    return call.knobs.malformedXml ? breakXml(std::move(text)) : text;
}

HttpReply ScanService::answer(Call &call, const BodyWriter &body)
{
    HttpReply r;
    r.contentType = "application/soap+xml; charset=utf-8";
    r.body = envelope(call, body);
    return r;
}

HttpReply ScanService::fault(Call &call, const Fault &f)
{
    call.outcome = "fault:" + (f.subcode.empty() ? f.code : f.subcode);
    call.details.reason = f.reason;
    HttpReply r;
    r.status = faultStatus(f, call.knobs);
    r.contentType = "application/soap+xml; charset=utf-8";
    r.body = faultEnvelope(call.message ? call.message->messageId : "", f);
    if (call.knobs.malformedXml)
        r.body = breakXml(std::move(r.body));
    return r;
}

HttpReply ScanService::handle(std::string_view body, const std::string &client,
                              std::chrono::system_clock::time_point arrived, unsigned clientPort)
{
    Call call;
    call.rawBody = body;
    call.client = client;
    call.details.clientPort = clientPort;
    call.knobs = device_.knobs.get();
    if (call.knobs.delayMs > 0)
        device_.jobs.sleepUnlessStopping(std::chrono::milliseconds(call.knobs.delayMs));

    std::string error;
    std::optional<wsd::soap::Message> message = wsd::soap::parse(body, &error);
    HttpReply reply;
    if (!message) {
        call.operation = "(unparsable)";
        // Not even a SOAP message: a SOAP-level Sender fault, no WS-Scan subcode.
        reply = fault(call, {"Sender", "", "The request is not a SOAP 1.2 envelope: " + error, ""});
    } else {
        call.message = &*message;
        call.operation = operationOf(*message);
        reply = dispatch(call);
    }
    WSD_PROTO("wsd-sim: %s job %ld from %s: %s", call.operation.c_str(), call.jobId, client.c_str(),
              call.outcome.c_str());
    device_.log.add(call.operation, call.jobId, call.outcome, client, arrived, message ? message->to : "",
                    call.details);
    return reply;
}

HttpReply ScanService::dispatch(Call &call)
{
    static const char *const known[] = {"GetScannerElements", "ValidateScanTicket", "CreateScanJob",
                                        "RetrieveImage",      "CancelJob",          "GetJobElements",
                                        "GetActiveJobs",      "GetJobHistory"};
    if (!call.knobs.anyTo)
        if (std::optional<std::string> wrong = wrongServiceTo(call.message->to, device_.identity.serviceUrls))
            return fault(call, destinationUnreachable(*wrong));
    if (call.knobs.refuseZoneTo)
        if (std::optional<std::string> wrong = zoneInTo(call.message->to))
            return fault(call, destinationUnreachable(*wrong));
    if (call.knobs.oneLineOnly)
        if (std::optional<std::string> why = multiLineLayout(call.rawBody))
            return fault(call, {"Sender", "", *why, ""});
    bool isKnown = false;
    for (const char *op : known)
        isKnown = isKnown || call.operation == op;
    if (!isKnown)
        return fault(call, {"Sender", "ActionNotSupported", "The action is not supported by this service",
                            call.message->action});
    if (!call.message->payload.isAny({ns::Scan, ns::ScanPrerelease}, (call.operation + "Request").c_str()))
        return fault(call, invalidArgs("The body does not hold a wscn:" + call.operation + "Request"));
    if (call.knobs.internalError)
        return fault(call, {"Receiver", "ServerErrorInternalError", "Internal error (simulated)", ""});

    if (call.operation == "GetScannerElements")
        return getScannerElements(call);
    if (call.operation == "ValidateScanTicket")
        return validateScanTicket(call);
    if (call.operation == "CreateScanJob" && call.knobs.createDelayMs > 0)
        device_.jobs.sleepUnlessStopping(std::chrono::milliseconds(call.knobs.createDelayMs));
    if (call.operation == "CreateScanJob")
        return spoilCreateAnswer(call, createScanJob(call));
    if (call.operation == "RetrieveImage")
        return retrieveImage(call);
    if (call.operation == "CancelJob")
        return cancelJob(call);
    if (call.operation == "GetJobElements")
        return getJobElements(call);
    if (call.operation == "GetActiveJobs")
        return getActiveJobs(call);
    return getJobHistory(call);
}

HttpReply ScanService::getScannerElements(Call &call)
{
    std::vector<Node> names = scanChild(call.message->payload, "RequestedElements").children(ns::Scan, "Name");
    if (names.empty())
        return fault(call, invalidArgs("RequestedElements holds no Name"));
    const Profile &p = device_.profile;
    // A device winding a cancelled job down and refusing jobs meanwhile is
    // not Idle ("available and can start processing a new job").
    bool processing = scannerProcessing(device_, call.knobs);
    return answer(call, [&](Writer &w) {
        w.start("wscn", "GetScannerElementsResponse").start("wscn", "ScannerElements");
        for (Node name : names) {
            wsd::xml::QName q = name.resolveQName(name.text());
            const std::string *section = nullptr;
            bool status = false;
            if (q.ns == ns::Scan) {
                if (q.local == "ScannerDescription")
                    section = &p.scannerDescriptionXml;
                else if (q.local == "ScannerConfiguration")
                    section = call.knobs.transposeMaxSize ? &p.transposedConfigurationXml
                                                          : &p.scannerConfigurationXml;
                else if (q.local == "DefaultScanTicket")
                    section = &p.defaultScanTicketXml;
                status = q.local == "ScannerStatus";
            }
            bool valid = status || (section && !section->empty());
            startElementData(w, q, valid);
            if (status)
                device_.status.write(w, call.knobs, processing);
            else if (valid)
                w.raw(*section);
            w.end();
        }
        w.end().end();
    });
}

HttpReply ScanService::validateScanTicket(Call &call)
{
    Node ticketNode = scanChild(call.message->payload, "ScanTicket");
    if (!ticketNode)
        return fault(call, invalidArgs("ValidateScanTicketRequest without ScanTicket"));
    ScanTicket requested;
    std::string error;
    if (!parseScanTicket(ticketNode, requested, &error))
        return fault(call, invalidArgs(error));
    noteTicket(call, requested);
    TicketCheck check = checkTicket(withTrueScanArea(device_.profile, call.knobs.clipRegionBy), requested,
                                    CheckMode::Validate);
    if (!refusedSettingName(check.final, call.knobs.refuseSetting).empty()) {
        correctRefusedSetting(check.final, call.knobs.refuseSetting);
        check.valid = false;
    }
    return answer(call, [&](Writer &w) {
        w.start("wscn", "ValidateScanTicketResponse").start("wscn", "ValidationInfo");
        if (call.knobs.validateWrong) {
            // Wrong, and without the ValidScanTicket WS-Scan requires with it.
            w.element("wscn", "ValidTicket", "false");
            writeImageInformation(w, check.final);
            w.end().end();
            return;
        }
        w.element("wscn", "ValidTicket", check.valid ? "true" : "false");
        writeImageInformation(w, check.final);
        if (!check.valid) {
            w.start("wscn", "ValidScanTicket");
            w.start("wscn", "JobDescription");
            w.element("wscn", "JobName", check.final.jobName);
            w.element("wscn", "JobOriginatingUserName", check.final.userName);
            w.end();
            writeDocumentParameters(w, "DocumentParameters", check.final, TicketStyle::Request);
            w.end();
        }
        w.end().end();
    });
}

HttpReply ScanService::createScanJob(Call &call)
{
    Node request = call.message->payload;
    // A device-initiated job (WS-Scan CreateScanJobRequest) names the press
    // at the panel by its ScanIdentifier and the destination by its token.
    Node scanIdentifierNode = scanChild(request, "ScanIdentifier");
    Node tokenNode = scanChild(request, "DestinationToken");
    const bool fromPanel = scanIdentifierNode || tokenNode;
    const std::string scanIdentifier = std::string(wsd::trim(scanIdentifierNode.text()));
    const std::string token = std::string(wsd::trim(tokenNode.text()));
    std::optional<PanelPress> press = fromPanel ? device_.panel.find(scanIdentifier) : std::nullopt;
    if (fromPanel && !press)
        return fault(call, {"Sender", "ClientErrorInvalidScanIdentifier",
                            "No scan with this ScanIdentifier was started at the device panel", ""});
    if (press && press->destinationToken != token)
        return fault(call, {"Sender", "ClientErrorInvalidDestinationToken",
                            "The DestinationToken is not the one of the destination chosen at the panel", ""});
    // The token is the subscription's: once it is Unsubscribed or expired,
    // the destination is gone from the panel, and its press with it.
    if (press && !device_.subscriptions.find(press->subscriptionId))
        return fault(call, {"Sender", "ClientErrorInvalidDestinationToken",
                            "The subscription of the destination chosen at the panel has ended", ""});
    if (!fromPanel && call.knobs.panelOnlyJobs)
        return fault(call, {"Receiver", "ServerErrorNotAcceptingJobs",
                            "This scanner takes only jobs started at its panel", ""});
    Node ticketNode = scanChild(request, "ScanTicket");
    if (!ticketNode)
        return fault(call, invalidArgs("CreateScanJobRequest without ScanTicket"));
    ScanTicket requested;
    std::string error;
    if (!parseScanTicket(ticketNode, requested, &error))
        return fault(call, invalidArgs(error));
    noteTicket(call, requested);
    const Knobs &k = call.knobs;
    if (k.requireJobInformation && requested.jobInformation.empty())
        return fault(call, invalidArgs("The JobDescription has no JobInformation"));
    TicketCheck check = checkTicket(withTrueScanArea(device_.profile, k.clipRegionBy), requested, CheckMode::Create);
    if (check.fault)
        return fault(call, *check.fault);
    if (k.clipRegionBy && (regionOverridden(check.final.front) || regionOverridden(check.final.back)))
        return fault(call, invalidArgs("The ScanRegion reaches beyond the scan area"));
    // The paper is where the user put it: the ticket must scan from there.
    if (press && (press->source == "Platen") != (check.final.inputSource.value == "Platen"))
        return fault(call, invalidArgs("The scan was started at the panel from " + press->source + ", not from " +
                                       check.final.inputSource.value));
    const std::string refused = refusedSettingName(check.final, k.refuseSetting);
    if (!refused.empty())
        return fault(call, {"Sender", "ClientErrorInvalidScanTicket",
                            "The ScanTicket is invalid: this " + refused + " is not supported", ""});
    if (!k.stoppedReason.empty())
        return fault(call, {"Receiver", "ServerErrorNotAcceptingJobs", "The scanner is stopped: " + k.stoppedReason, ""});
    if (device_.status.warmingUp(k))
        return fault(call, {"Receiver", "ServerErrorNotAcceptingJobs", "The scanner is warming up", ""});
    if (k.busy)
        return fault(call, {"Receiver", "ServerErrorNotAcceptingJobs", "The scanner is busy", ""});
    if (k.coverOpen)
        return fault(call, {"Receiver", "ServerErrorNotAcceptingJobs", "The scanner cover is open", ""});
    if (k.terminatingRefusesJobs && device_.jobs.terminating())
        return fault(call, {"Receiver", "ServerErrorNotAcceptingJobs", "A cancelled job is still terminating", ""});

    ScanTicket t = check.final;
    if (k.finalResolution > 0) {
        // Scans at its own resolution and says so in DocumentFinalParameters.
        const int dpi = static_cast<int>(k.finalResolution);
        for (SideTicket *side : {&t.front, &t.back})
            side->xResolution.value = side->yResolution.value = dpi;
    }
    int planned = 1;
    int firstSheet = 1;
    if (t.inputSource.value != "Platen") {
        int sheets = k.emptyAdf ? 0 : press ? press->pages : static_cast<int>(k.adfPages);
        if (k.onePageJobs) {
            // Each job takes one sheet of what earlier jobs left, whatever
            // ImagesToTransfer says (Ricoh Aficio MP 201, sane-airscan#334).
            sheets = std::min(1, std::max(0, sheets - static_cast<int>(feederSheetsTaken_.load())));
            if (sheets == 0)
                feederSheetsTaken_ = 0;  // found empty: the next batch finds it loaded
            else
                firstSheet = static_cast<int>(++feederSheetsTaken_);
        }
        planned = sheets * (t.inputSource.value == "ADFDuplex" ? 2 : 1);
        if (t.imagesToTransfer.value > 0)
            planned = std::min(planned, t.imagesToTransfer.value);
        if (planned == 0 && k.emptyAdfRefuses)
            return fault(call, {"Receiver", "ServerErrorNotAcceptingJobs", "Not accepting jobs", ""});
        if (planned == 0 && !k.emptyAdfAtRetrieve)
            return fault(call, {"Sender", "ClientErrorNoImagesAvailable", "The document feeder is empty", ""});
    }
    if (press && device_.panel.claim(scanIdentifier, token, nullptr) != PressClaim::Ok)
        return fault(call, {"Sender", "ClientErrorInvalidScanIdentifier",
                            "The scan started at the panel was taken up meanwhile", ""});
    if (press)
        call.details.subscription = press->subscriptionId;  // the log tells a panel job by its subscription
    device_.status.clearJam();
    device_.events.requestStatusCheck();
    Job job = device_.jobs.create(t, planned, std::chrono::seconds(k.jobTimeoutSeconds), false, call.client, firstSheet);
    call.jobId = job.id;
    return answer(call, [&](Writer &w) {
        w.start("wscn", "CreateScanJobResponse");
        w.element("wscn", "JobId", std::to_string(job.id));
        w.element("wscn", "JobToken", job.token);
        writeImageInformation(w, t);
        writeDocumentParameters(w, "DocumentFinalParameters", t, TicketStyle::FinalParameters);
        w.end();
    });
}

HttpReply ScanService::spoilCreateAnswer(Call &call, HttpReply reply)
{
    const Knobs &k = call.knobs;
    if (!call.jobId)
        return reply;  // no job made: nothing for a client to lose
    if (k.createAnswerDelayMs > 0)
        device_.jobs.sleepUnlessStopping(std::chrono::milliseconds(k.createAnswerDelayMs));
    if (k.createReset) {
        call.outcome = "dropped";
        reply.dropConnection = true;
    } else if (k.createGarbage) {
        call.outcome = "garbage";
        reply.body = "\x1f\x8b garbage, not an envelope \xff\xfe";
    }
    return reply;
}

std::optional<long> ScanService::jobIdOf(Call &call, HttpReply &faultReply)
{
    Node idNode = scanChild(call.message->payload, "JobId");
    if (!idNode) {
        faultReply = fault(call, invalidArgs("The request has no JobId"));
        return std::nullopt;
    }
    auto id = wsd::xml::parseInt(idNode.text(), 1, 2147483647L);
    if (!id) {
        faultReply = fault(call, {"Sender", "ClientErrorJobIdNotFound", "JobId out of range: " + idNode.text(), ""});
        return std::nullopt;
    }
    call.jobId = *id;
    return id;
}

HttpReply ScanService::retrieveImage(Call &call)
{
    HttpReply faultReply;
    auto id = jobIdOf(call, faultReply);
    if (!id)
        return faultReply;
    std::string token = scanChild(call.message->payload, "JobToken").text();
    RetrieveResult r = device_.jobs.beginRetrieve(*id, token, static_cast<int>(call.knobs.jamAfterImages));
    switch (r.status) {
    case RetrieveStatus::UnknownJob:
        return fault(call, {"Sender", "ClientErrorJobIdNotFound", "No job with this JobId", ""});
    case RetrieveStatus::BadToken:
        return fault(call, {"Sender", "ClientErrorInvalidJobToken", "The JobToken does not match the JobId", ""});
    case RetrieveStatus::NoImages:
        if (call.knobs.onePageJobs && r.job.ticket.inputSource.value != "Platen")
            return fault(call, {"Sender", "ClientErrorJobIdNotFound", "The job ended with its page", ""});
        return fault(call, {"Sender", "ClientErrorNoImagesAvailable", "No more images", ""});
    case RetrieveStatus::Canceled:
        return fault(call, {"Sender", "ClientErrorJobCancelled", "The job was cancelled", ""});
    case RetrieveStatus::Failed:
        return fault(call, {"Receiver", "OperationFailed", "The job was aborted", ""});
    case RetrieveStatus::Busy:
        return fault(call, {"Receiver", "ServerErrorTemporaryError", "An image of this job is being sent", ""});
    case RetrieveStatus::Jammed:
        device_.status.raiseJam();
        device_.events.requestStatusCheck();
        return fault(call, {"Receiver", "OperationFailed", "Paper jam", ""});
    case RetrieveStatus::Ok:
        break;
    }
    const Job &job = r.job;
    PageSpec spec = pageSpecFor(job.ticket, job.sheetOf(r.imageIndex), job.backOf(r.imageIndex));
    spec.texture = call.knobs.texture;
    if (call.knobs.ignoreRegion) {
        // The whole area of the source, from its origin (Kyocera ECOSYS
        // M2040dn in WSD mode, sane-airscan#162).
        const SourceCaps &caps = device_.profile.caps(job.ticket.inputSource.value, spec.back);
        spec.xOffset = spec.yOffset = 0;
        spec.width = caps.maxWidth;
        spec.height = caps.maxHeight;
    }
    std::shared_ptr<const EncodedImage> image;
    try {
        image = call.knobs.imageFile.empty() ? encodePageCached(spec) : imageFromFile(call.knobs.imageFile);
    } catch (const std::exception &e) {
        device_.jobs.finishImage(job.id, false, std::chrono::seconds(call.knobs.jobTimeoutSeconds));
        return fault(call, {"Receiver", "ServerErrorInternalError", std::string("Image encoding failed: ") + e.what(), ""});
    }
    MtomWriter mtom(!call.knobs.noLeadingCrlf);
    std::string soapPart = envelope(call, [&](Writer &w) {
        w.start("wscn", "RetrieveImageResponse").start("wscn", "ScanData");
        w.start("xop", "Include").declare("xop", ns::Xop).attr("href", mtom.imageHref()).end();
        w.end().end();
    });
    HttpReply reply;
    reply.contentType = mtom.contentType();
    reply.transfer = std::make_shared<ImageTransfer>(device_.jobs, device_.log, job.id,
                                                     mtom.head(soapPart, image->contentType), image->bytes,
                                                     mtom.tail(), call.knobs, call.client);
    return reply;
}

HttpReply ScanService::cancelJob(Call &call)
{
    HttpReply faultReply;
    auto id = jobIdOf(call, faultReply);
    if (!id)
        return faultReply;
    // WS-Scan CancelJobRequest: a finished job, or one the client has no
    // rights to, is an error; ClientErrorJobIdNotFound is the one code the
    // operation adds, and it does not tell another client's job apart from
    // an unknown one.
    switch (device_.jobs.cancelFor(*id, call.client, std::chrono::milliseconds(call.knobs.terminatingMs))) {
    case CancelStatus::UnknownJob:
        return fault(call, {"Sender", "ClientErrorJobIdNotFound", "No active job with this JobId", ""});
    case CancelStatus::NotOwner:
        return fault(call, {"Sender", "ClientErrorJobIdNotFound", "No job with this JobId for this client", ""});
    case CancelStatus::Terminating:
    case CancelStatus::Canceled:
        break;
    }
    return answer(call, [](Writer &w) { w.start("wscn", "CancelJobResponse").end(); });
}

HttpReply ScanService::getJobElements(Call &call)
{
    HttpReply faultReply;
    auto id = jobIdOf(call, faultReply);
    if (!id)
        return faultReply;
    std::vector<Node> names = scanChild(call.message->payload, "RequestedElements").children(ns::Scan, "Name");
    if (names.empty())
        return fault(call, invalidArgs("RequestedElements holds no Name"));
    std::optional<Job> job = device_.jobs.find(*id);
    if (!job)
        return fault(call, {"Sender", "ClientErrorJobIdNotFound", "No job with this JobId", ""});
    return answer(call, [&](Writer &w) {
        w.start("wscn", "GetJobElementsResponse").start("wscn", "JobElements");
        for (Node name : names) {
            wsd::xml::QName q = name.resolveQName(name.text());
            bool scan = q.ns == ns::Scan;
            bool valid = scan && (q.local == "JobStatus" || q.local == "ScanTicket" || q.local == "Documents");
            startElementData(w, q, valid);
            if (valid && q.local == "JobStatus")
                writeJobStatus(w, *job);
            else if (valid && q.local == "ScanTicket")
                writeScanTicket(w, job->ticket);
            else if (valid)
                writeDocuments(w, *job);
            w.end();
        }
        w.end().end();
    });
}

HttpReply ScanService::getActiveJobs(Call &call)
{
    std::vector<Job> jobs = device_.jobs.activeJobs();
    return answer(call, [&](Writer &w) {
        w.start("wscn", "GetActiveJobsResponse").start("wscn", "ActiveJobs");
        for (const Job &j : jobs)
            writeJobSummary(w, j);
        w.end().end();
    });
}

HttpReply ScanService::getJobHistory(Call &call)
{
    std::vector<Job> jobs = device_.jobs.history();
    return answer(call, [&](Writer &w) {
        w.start("wscn", "GetJobHistoryResponse").start("wscn", "JobHistory");
        for (const Job &j : jobs)
            writeJobSummary(w, j);
        w.end().end();
    });
}

}  // namespace wsdsim
