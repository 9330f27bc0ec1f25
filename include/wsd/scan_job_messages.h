// The WS-Scan job operations (CreateScanJob, RetrieveImage, GetJobElements,
// CancelJob, GetActiveJobs, ValidateScanTicket): request builders (compact
// SOAP with the prefixes soap/wsa/wscn that strict firmware wants), response
// parsers, the ScanTicket in both directions and the fault table.
#pragma once

#include "wsd/scan_settings.h"
#include "wsd/soap.h"
#include "wsd/xml.h"

#include <sane/sane.h>

#include <optional>
#include <string>
#include <vector>

namespace wsd {

// Per side: what the device predicts (ValidateScanTicket) or will send
// (CreateScanJob). bytesPerLine is 0 for compressed formats.
struct ImageInfo {
    int pixelsPerLine = 0, lines = 0, bytesPerLine = 0;
};

struct CreatedJob {
    using Image = ImageInfo;
    int jobId = 0;
    std::string jobToken;
    Image front;
    std::optional<Image> back;
    ScanSettings finalParameters;  // DocumentFinalParameters: what the device will really do
};

struct TicketValidation {
    bool valid = false;
    std::optional<ScanSettings> validTicket;  // the device's corrected ticket when !valid
    ImageInfo front;
    std::optional<ImageInfo> back;
};

struct JobStatus {
    int jobId = 0;
    std::string state;                 // normalised by normalizeJobState
    std::vector<std::string> reasons;  // normalised by normalizeJobStateReason, "None" left out
    int scansCompleted = 0;
};

struct JobSummary {
    int jobId = 0;
    std::string jobName, userName;
    std::string state;
    std::vector<std::string> reasons;
    int scansCompleted = 0;
};

// Request builders. serviceUrl is the scan service address (wsa:To).
// CreateScanJob carries scanIdentifier and destinationToken only for scans
// started at the device panel (both empty otherwise).
std::string buildCreateScanJobRequest(const std::string &serviceUrl, const ScanSettings &settings,
                                      const std::string &scanIdentifier = std::string(),
                                      const std::string &destinationToken = std::string());
std::string buildValidateScanTicketRequest(const std::string &serviceUrl, const ScanSettings &settings);
std::string buildRetrieveImageRequest(const std::string &serviceUrl, int jobId, const std::string &jobToken,
                                      const std::string &documentName);
std::string buildCancelJobRequest(const std::string &serviceUrl, int jobId);
std::string buildGetJobElementsRequest(const std::string &serviceUrl, int jobId);
std::string buildGetActiveJobsRequest(const std::string &serviceUrl);
std::string buildGetJobHistoryRequest(const std::string &serviceUrl);

// Writes <wscn:ScanTicket> (JobDescription, then DocumentParameters in
// schema order). The writer's document must declare the prefix wscn.
void writeScanTicket(xml::Writer &writer, const ScanSettings &settings);

// Reads a ScanTicket-shaped element (DefaultScanTicket, ValidScanTicket,
// ScanTicket: JobDescription + DocumentParameters) or a DocumentParameters-
// shaped one (DocumentParameters, DocumentFinalParameters). Absent values
// stay at their ScanSettings defaults; a region without ScanRegion is the
// InputMediaSize.
ScanSettings parseScanTicket(const xml::Node &ticket);
ScanSettings parseDocumentParameters(const xml::Node &parameters);

// Response parsers: nullopt with *error on a fault, a wrong body or a
// missing required value (JobId, JobToken, JobState).
std::optional<CreatedJob> parseCreateScanJobResponse(const soap::Message &message, std::string *error);
std::optional<TicketValidation> parseValidateScanTicketResponse(const soap::Message &message,
                                                                std::string *error);
std::optional<JobStatus> parseGetJobElementsResponse(const soap::Message &message, std::string *error);
// GetActiveJobsResponse and GetJobHistoryResponse.
std::optional<std::vector<JobSummary>> parseJobSummaries(const soap::Message &message, std::string *error);
// The JobStatus element itself (also the body of JobStatusEvent).
std::optional<JobStatus> parseJobStatus(const xml::Node &jobStatus);

// Canonical spellings of JobState / JobStateReason values (WS-Scan JobState and
// JobStateReason: the element pages, the specification and the schema spell
// some differently):
// "Pending-Held" -> "Held", "Cancelled" -> "Canceled", "JobTransfering" ->
// "JobTransferring", case differences ignored. Unknown words come back
// unchanged: vendors add their own.
std::string normalizeJobState(const std::string &state);
std::string normalizeJobStateReason(const std::string &reason);
// Completed, Aborted, Canceled, and Terminating (cancelled, ending; A3).
bool jobStateIsFinal(const std::string &state);

// The SANE status a fault stands for, from one table on the Subcode's local
// name: NoImagesAvailable -> NO_DOCS, NotAcceptingJobs / TemporaryError ->
// DEVICE_BUSY, JobIdNotFound / JobCancelled -> CANCELLED, bad tickets ->
// INVAL, anything else IO_ERROR.
SANE_Status statusFromFault(const soap::Fault &fault);

}  // namespace wsd
