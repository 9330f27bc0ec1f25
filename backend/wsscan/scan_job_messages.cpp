#include "wsd/scan_job_messages.h"

#include "wsd/namespaces.h"
#include "wsd/scan_xml.h"
#include "wsd/strings.h"

#include <algorithm>

namespace wsd {

namespace {

namespace sx = scanxml;

constexpr long MaxId = 2147483647L;
constexpr long MaxExtent = 100000;  // 100 inches in 1/1000 inch
constexpr long MaxResolution = 100000;

std::string action(const char *operation) { return std::string(ns::ScanActionPrefix) + operation; }

std::string request(const std::string &serviceUrl, const char *operation,
                    const std::function<void(xml::Writer &)> &body)
{
    soap::Addressing a;
    a.to = serviceUrl;
    a.action = action(operation);
    a.replyToAnonymous = true;
    return soap::buildEnvelope(a, {{"wscn", ns::Scan}}, body);
}

void writeSide(xml::Writer &w, const char *side, const ScanSettings &s)
{
    w.start("wscn", side);
    w.start("wscn", "ScanRegion");
    w.element("wscn", "ScanRegionXOffset", std::to_string(s.xOffset));
    w.element("wscn", "ScanRegionYOffset", std::to_string(s.yOffset));
    w.element("wscn", "ScanRegionWidth", std::to_string(s.width));
    w.element("wscn", "ScanRegionHeight", std::to_string(s.height));
    w.end();
    if (!s.colorEntry.empty())
        w.element("wscn", "ColorProcessing", s.colorEntry);
    w.start("wscn", "Resolution");
    w.element("wscn", "Width", std::to_string(s.xResolution));
    w.element("wscn", "Height", std::to_string(s.yResolution > 0 ? s.yResolution : s.xResolution));
    w.end();
    w.end();
}

ImageInfo readImageInfo(const xml::Node &node)
{
    ImageInfo info;
    info.pixelsPerLine = sx::integer(node, "PixelsPerLine", 0, MaxId).value_or(0);
    info.lines = sx::integer(node, "NumberOfLines", 0, MaxId).value_or(0);
    info.bytesPerLine = sx::integer(node, "BytesPerLine", 0, MaxId).value_or(0);
    return info;
}

void readImageInformation(const xml::Node &info, ImageInfo &front, std::optional<ImageInfo> &back)
{
    front = readImageInfo(sx::child(info, "MediaFrontImageInfo"));
    if (xml::Node b = sx::child(info, "MediaBackImageInfo"))
        back = readImageInfo(b);
}

// Case-insensitive lookup of a word in a table of canonical spellings and aliases.
struct Spelling {
    const char *seen;
    const char *canonical;
};

std::string canonical(const std::string &word, std::initializer_list<Spelling> table)
{
    for (const Spelling &s : table)
        if (equalsIgnoreCase(word, s.seen))
            return s.canonical;
    return word;
}

std::vector<std::string> readReasons(const xml::Node &node)
{
    std::vector<std::string> out;
    for (const std::string &r : sx::keywords(sx::child(node, "JobStateReasons"), "JobStateReason")) {
        std::string c = normalizeJobStateReason(r);
        if (c != "None" && std::find(out.begin(), out.end(), c) == out.end())
            out.push_back(std::move(c));
    }
    return out;
}

// The docs example misspells DocumentFinalParameters; accept that spelling too.
xml::Node finalParametersOf(const xml::Node &parent)
{
    xml::Node n = sx::child(parent, "DocumentFinalParameters");
    return n ? n : sx::child(parent, "DocumentFinalParamters");
}

struct FaultMapping {
    const char *subcode;
    SANE_Status status;
};

// The one place where faults become SANE statuses (WS-Scan "Common WSD Scan Service
// operation error codes"; the Subcode is compared by local name, and every
// fault is handled on every operation).
constexpr FaultMapping FaultTable[] = {
    {"ClientErrorNoImagesAvailable", SANE_STATUS_NO_DOCS},
    {"ServerErrorNotAcceptingJobs", SANE_STATUS_DEVICE_BUSY},
    {"ServerErrorTemporaryError", SANE_STATUS_DEVICE_BUSY},
    {"ClientErrorJobIdNotFound", SANE_STATUS_CANCELLED},
    {"ClientErrorJobCancelled", SANE_STATUS_CANCELLED},
    {"ClientErrorFormatNotSupported", SANE_STATUS_INVAL},
    // Not in the WS-Scan list, but sent by devices for a setting they refuse.
    {"ClientErrorInvalidScanTicket", SANE_STATUS_INVAL},
    {"ClientErrorConflictingRequiredParameters", SANE_STATUS_INVAL},
    {"InvalidArgs", SANE_STATUS_INVAL},
    {"ClientErrorInvalidScanIdentifier", SANE_STATUS_INVAL},
    {"ClientErrorInvalidDestinationToken", SANE_STATUS_INVAL},
    {"ClientErrorInvalidDetinationToken", SANE_STATUS_INVAL},  // Samsung's spelling
};

}  // namespace

void writeScanTicket(xml::Writer &w, const ScanSettings &s)
{
    w.start("wscn", "ScanTicket");
    w.start("wscn", "JobDescription");
    w.element("wscn", "JobName", s.jobName.empty() ? "Scan" : s.jobName);
    w.element("wscn", "JobOriginatingUserName", s.userName.empty() ? "sane" : s.userName);
    // Optional in WS-Scan (JobDescription), required by some devices (Canon
    // TR7500 refuses CreateScanJob without it): always sent.
    w.element("wscn", "JobInformation", "Scan to a computer (SANE)");
    w.end();
    w.start("wscn", "DocumentParameters");
    if (!s.format.empty())
        w.element("wscn", "Format", s.format);
    if (s.compressionQuality)
        w.element("wscn", "CompressionQualityFactor", std::to_string(*s.compressionQuality));
    w.element("wscn", "ImagesToTransfer", std::to_string(s.imagesToTransfer));
    w.element("wscn", "InputSource", s.source);
    if (!s.contentType.empty())
        w.element("wscn", "ContentType", s.contentType);
    // The medium is the smallest one holding the region (XOffset + Width <=
    // InputMediaSize Width, WS-Scan ScanRegion).
    w.start("wscn", "InputSize").start("wscn", "InputMediaSize");
    w.element("wscn", "Width", std::to_string(s.xOffset + s.width));
    w.element("wscn", "Height", std::to_string(s.yOffset + s.height));
    w.end().end();
    if (s.contrast || s.brightness) {
        w.start("wscn", "Exposure").start("wscn", "ExposureSettings");
        if (s.contrast)
            w.element("wscn", "Contrast", std::to_string(*s.contrast));
        if (s.brightness)
            w.element("wscn", "Brightness", std::to_string(*s.brightness));
        w.end().end();
    }
    w.start("wscn", "MediaSides");
    writeSide(w, "MediaFront", s);
    if (s.duplex())
        writeSide(w, "MediaBack", s);
    w.end();
    w.end();
    w.end();
}

ScanSettings parseDocumentParameters(const xml::Node &p)
{
    ScanSettings s;
    s.format = sx::text(p, "Format");
    if (std::optional<int> q = sx::integer(p, "CompressionQualityFactor", 0, 100))
        s.compressionQuality = q;
    s.imagesToTransfer = sx::integer(p, "ImagesToTransfer", 0, MaxId).value_or(s.imagesToTransfer);
    std::string source = sx::text(p, "InputSource");
    if (!source.empty())
        s.source = source;
    s.contentType = sx::text(p, "ContentType");
    xml::Node settings = sx::path(p, {"Exposure", "ExposureSettings"});
    if (std::optional<int> v = sx::integer(settings, "Contrast", -1000, 1000))
        s.contrast = v;
    if (std::optional<int> v = sx::integer(settings, "Brightness", -1000, 1000))
        s.brightness = v;

    xml::Node front = sx::path(p, {"MediaSides", "MediaFront"});
    s.colorEntry = sx::text(front, "ColorProcessing");
    xml::Node resolution = sx::child(front, "Resolution");
    s.xResolution = sx::integer(resolution, "Width", 1, MaxResolution).value_or(0);
    s.yResolution = sx::integer(resolution, "Height", 1, MaxResolution).value_or(s.xResolution);

    xml::Node media = sx::path(p, {"InputSize", "InputMediaSize"});
    xml::Node region = sx::child(front, "ScanRegion");
    s.xOffset = sx::integer(region, "ScanRegionXOffset", 0, MaxExtent).value_or(0);
    s.yOffset = sx::integer(region, "ScanRegionYOffset", 0, MaxExtent).value_or(0);
    s.width = sx::integer(region, "ScanRegionWidth", 1, MaxExtent)
                  .value_or(sx::integer(media, "Width", 1, MaxExtent).value_or(0));
    s.height = sx::integer(region, "ScanRegionHeight", 1, MaxExtent)
                   .value_or(sx::integer(media, "Height", 1, MaxExtent).value_or(0));
    return s;
}

ScanSettings parseScanTicket(const xml::Node &ticket)
{
    xml::Node parameters = sx::child(ticket, "DocumentParameters");
    ScanSettings s = parseDocumentParameters(parameters ? parameters : ticket);
    xml::Node description = sx::child(ticket, "JobDescription");
    s.jobName = sx::text(description, "JobName");
    s.userName = sx::text(description, "JobOriginatingUserName");
    return s;
}

std::string buildCreateScanJobRequest(const std::string &serviceUrl, const ScanSettings &settings,
                                      const std::string &scanIdentifier, const std::string &destinationToken)
{
    return request(serviceUrl, "CreateScanJob", [&](xml::Writer &w) {
        w.start("wscn", "CreateScanJobRequest");
        if (!scanIdentifier.empty())
            w.element("wscn", "ScanIdentifier", scanIdentifier);
        if (!destinationToken.empty())
            w.element("wscn", "DestinationToken", destinationToken);
        writeScanTicket(w, settings);
        w.end();
    });
}

std::string buildValidateScanTicketRequest(const std::string &serviceUrl, const ScanSettings &settings)
{
    return request(serviceUrl, "ValidateScanTicket", [&](xml::Writer &w) {
        w.start("wscn", "ValidateScanTicketRequest");
        writeScanTicket(w, settings);
        w.end();
    });
}

std::string buildRetrieveImageRequest(const std::string &serviceUrl, int jobId, const std::string &jobToken,
                                      const std::string &documentName)
{
    return request(serviceUrl, "RetrieveImage", [&](xml::Writer &w) {
        w.start("wscn", "RetrieveImageRequest");
        w.element("wscn", "JobId", std::to_string(jobId));
        w.element("wscn", "JobToken", jobToken);
        w.start("wscn", "DocumentDescription").element("wscn", "DocumentName", documentName).end();
        w.end();
    });
}

std::string buildCancelJobRequest(const std::string &serviceUrl, int jobId)
{
    return request(serviceUrl, "CancelJob", [&](xml::Writer &w) {
        w.start("wscn", "CancelJobRequest").element("wscn", "JobId", std::to_string(jobId)).end();
    });
}

std::string buildGetJobElementsRequest(const std::string &serviceUrl, int jobId)
{
    return request(serviceUrl, "GetJobElements", [&](xml::Writer &w) {
        w.start("wscn", "GetJobElementsRequest");
        w.element("wscn", "JobId", std::to_string(jobId));
        w.start("wscn", "RequestedElements").element("wscn", "Name", "wscn:JobStatus").end();
        w.end();
    });
}

std::string buildGetActiveJobsRequest(const std::string &serviceUrl)
{
    return request(serviceUrl, "GetActiveJobs",
                   [](xml::Writer &w) { w.start("wscn", "GetActiveJobsRequest").end(); });
}

std::string buildGetJobHistoryRequest(const std::string &serviceUrl)
{
    return request(serviceUrl, "GetJobHistory",
                   [](xml::Writer &w) { w.start("wscn", "GetJobHistoryRequest").end(); });
}

std::optional<CreatedJob> parseCreateScanJobResponse(const soap::Message &message, std::string *error)
{
    xml::Node payload = sx::responsePayload(message, "CreateScanJobResponse", error);
    if (!payload)
        return std::nullopt;
    CreatedJob job;
    std::optional<int> id = sx::integer(payload, "JobId", 1, MaxId);
    job.jobToken = sx::text(payload, "JobToken");
    if (!id || job.jobToken.empty()) {
        if (error)
            *error = "CreateScanJobResponse without a valid JobId and JobToken";
        return std::nullopt;
    }
    job.jobId = *id;
    readImageInformation(sx::child(payload, "ImageInformation"), job.front, job.back);
    job.finalParameters = parseDocumentParameters(finalParametersOf(payload));
    return job;
}

std::optional<TicketValidation> parseValidateScanTicketResponse(const soap::Message &message, std::string *error)
{
    xml::Node payload = sx::responsePayload(message, "ValidateScanTicketResponse", error);
    if (!payload)
        return std::nullopt;
    xml::Node info = sx::child(payload, "ValidationInfo");
    std::optional<bool> valid = sx::boolean(info, "ValidTicket");
    if (!valid) {
        if (error)
            *error = "ValidateScanTicketResponse without ValidationInfo/ValidTicket";
        return std::nullopt;
    }
    TicketValidation out;
    out.valid = *valid;
    readImageInformation(sx::child(info, "ImageInformation"), out.front, out.back);
    if (xml::Node ticket = sx::child(info, "ValidScanTicket"))
        out.validTicket = parseScanTicket(ticket);
    return out;
}

std::optional<JobStatus> parseJobStatus(const xml::Node &node)
{
    std::optional<int> id = sx::integer(node, "JobId", 1, MaxId);
    std::string state = sx::text(node, "JobState");
    if (!id || state.empty())
        return std::nullopt;
    JobStatus status;
    status.jobId = *id;
    status.state = normalizeJobState(state);
    status.reasons = readReasons(node);
    status.scansCompleted = sx::integer(node, "ScansCompleted", 0, MaxId).value_or(0);
    return status;
}

std::optional<JobStatus> parseGetJobElementsResponse(const soap::Message &message, std::string *error)
{
    xml::Node payload = sx::responsePayload(message, "GetJobElementsResponse", error);
    if (!payload)
        return std::nullopt;
    // ElementData is matched by the element it holds: the docs example names
    // it with an unprefixed "JobStatus" that resolves to no namespace.
    for (const xml::Node &data : sx::children(sx::child(payload, "JobElements"), "ElementData")) {
        std::optional<std::string> validText = data.attr("Valid");
        if (validText && !xml::parseBool(*validText).value_or(false))
            continue;
        if (xml::Node node = sx::child(data, "JobStatus")) {
            if (std::optional<JobStatus> status = parseJobStatus(node))
                return status;
            break;
        }
    }
    if (error)
        *error = "GetJobElementsResponse without a valid JobStatus";
    return std::nullopt;
}

std::optional<std::vector<JobSummary>> parseJobSummaries(const soap::Message &message, std::string *error)
{
    xml::Node list;
    std::string ignored;
    if (xml::Node payload = sx::responsePayload(message, "GetActiveJobsResponse", &ignored))
        list = sx::child(payload, "ActiveJobs");
    else if (xml::Node payload = sx::responsePayload(message, "GetJobHistoryResponse", error))
        list = sx::child(payload, "JobHistory");
    else
        return std::nullopt;
    std::vector<JobSummary> jobs;
    for (const xml::Node &n : sx::children(list, "JobSummary")) {
        std::optional<int> id = sx::integer(n, "JobId", 1, MaxId);
        if (!id)
            continue;
        JobSummary j;
        j.jobId = *id;
        j.jobName = sx::text(n, "JobName");
        j.userName = sx::text(n, "JobOriginatingUserName");
        j.state = normalizeJobState(sx::text(n, "JobState"));
        j.reasons = readReasons(n);
        j.scansCompleted = sx::integer(n, "ScansCompleted", 0, MaxId).value_or(0);
        jobs.push_back(std::move(j));
    }
    return jobs;
}

std::string normalizeJobState(const std::string &state)
{
    return canonical(state, {{"Aborted", "Aborted"},
                             {"Canceled", "Canceled"},
                             {"Cancelled", "Canceled"},
                             {"Completed", "Completed"},
                             {"Creating", "Creating"},
                             {"Held", "Held"},
                             {"Pending-Held", "Held"},
                             {"PendingHeld", "Held"},
                             {"Pending", "Pending"},
                             {"Processing", "Processing"},
                             {"Started", "Started"},
                             {"Terminating", "Terminating"}});
}

std::string normalizeJobStateReason(const std::string &reason)
{
    return canonical(reason, {{"JobTransfering", "JobTransferring"},
                              {"JobTransferring", "JobTransferring"},
                              {"JobScanningAndTransfering", "JobScanningAndTransferring"},
                              {"JobScanningAndTransferring", "JobScanningAndTransferring"},
                              {"JobScanning", "JobScanning"},
                              {"JobCompletedSuccessfully", "JobCompletedSuccessfully"},
                              {"JobCompletedWithErrors", "JobCompletedWithErrors"},
                              {"JobCompletedWithWarnings", "JobCompletedWithWarnings"},
                              {"JobCanceledAtDevice", "JobCanceledAtDevice"},
                              {"JobCancelledAtDevice", "JobCanceledAtDevice"},
                              {"JobTimedOut", "JobTimedOut"},
                              {"ImageTransferError", "ImageTransferError"},
                              {"DocumentFormatError", "DocumentFormatError"},
                              {"InvalidScanTicket", "InvalidScanTicket"},
                              {"ScannerStopped", "ScannerStopped"},
                              {"CompressionError", "CompressionError"},
                              {"None", "None"}});
}

bool jobStateIsFinal(const std::string &state)
{
    std::string s = normalizeJobState(state);
    return s == "Completed" || s == "Aborted" || s == "Canceled" || s == "Terminating";
}

SANE_Status statusFromFault(const soap::Fault &fault)
{
    for (const FaultMapping &m : FaultTable)
        if (fault.subcode == m.subcode)
            return m.status;
    // ClientErrorFormatNotSupported's siblings (the WS-Scan validation order
    // names ClientErrorDocumentFormatNotSupported; vendors add more): the
    // ticket asks for something the device does not do.
    const std::string &s = fault.subcode;
    const std::string suffix = "NotSupported";
    if (s.rfind("ClientError", 0) == 0 && s.size() > suffix.size() &&
        s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0)
        return SANE_STATUS_INVAL;
    return SANE_STATUS_IO_ERROR;
}

}  // namespace wsd
