#include "wsd/wsscan_client.h"

namespace wsd::wsscan {

std::optional<soap::Message> Client::exchange(const std::string &url, const std::string &body, CallStatus &status) const
{
    http::Request request{url, body};
    status.status = SANE_STATUS_IO_ERROR;
    if (deadline_) {
        request.timeoutMs = http::millisecondsLeft(*deadline_);
        if (request.timeoutMs == 0) {
            status.failure = Failure::NoAnswer;
            status.error = "the deadline passed before the request";
            return std::nullopt;
        }
    }
    http::Response response;
    if (session_)
        session_->post(request, response);
    else
        response = http::post(request, options_);
    status.httpStatus = response.status;
    status.requestSent = response.requestSent;
    if (!response.transportOk()) {
        status.failure = Failure::NoAnswer;
        status.error = response.error;
        return std::nullopt;
    }
    std::string error;
    std::optional<soap::Message> message = soap::parse(response.body, &error);
    if (!message) {
        status.failure = Failure::Unreadable;
        status.error = "HTTP " + std::to_string(response.status) + ", unreadable answer: " + error;
        return std::nullopt;
    }
    if (message->fault) {
        const soap::Fault &fault = *message->fault;
        status.failure = Failure::Fault;
        status.status = statusFromFault(fault);
        status.error = "refused: " + fault.code + "/" + fault.subcode + ": " + fault.reason;
        status.fault = fault;
        return std::nullopt;
    }
    status.status = SANE_STATUS_GOOD;
    return message;
}

namespace {

std::optional<Acknowledged> anyEnvelope(const soap::Message &, std::string *) { return Acknowledged{}; }

}  // namespace

Operation<DeviceMetadata> getMetadata(const std::string &deviceAddress, const std::string &url)
{
    return {"Get", url, buildGetMetadataRequest(deviceAddress, url), parseMetadata};
}

Operation<ScannerElements> getScannerElements(const std::string &serviceUrl)
{
    return {"GetScannerElements", serviceUrl, buildGetScannerElementsRequest(serviceUrl), parseScannerElements};
}

Operation<TicketValidation> validateScanTicket(const std::string &serviceUrl, const ScanSettings &settings)
{
    return {"ValidateScanTicket", serviceUrl, buildValidateScanTicketRequest(serviceUrl, settings),
            parseValidateScanTicketResponse};
}

Operation<CreatedJob> createScanJob(const std::string &serviceUrl, const ScanSettings &settings)
{
    return {"CreateScanJob", serviceUrl,
            buildCreateScanJobRequest(serviceUrl, settings, settings.scanIdentifier, settings.destinationToken),
            parseCreateScanJobResponse};
}

Operation<JobStatus> getJobElements(const std::string &serviceUrl, int jobId)
{
    return {"GetJobElements", serviceUrl, buildGetJobElementsRequest(serviceUrl, jobId), parseGetJobElementsResponse};
}

Operation<std::vector<JobSummary>> getActiveJobs(const std::string &serviceUrl)
{
    return {"GetActiveJobs", serviceUrl, buildGetActiveJobsRequest(serviceUrl), parseJobSummaries};
}

// Any envelope that is not a fault: devices answer CancelJob with bodies of
// their own making, and the job's end state is read back separately.
Operation<Acknowledged> cancelJob(const std::string &serviceUrl, int jobId)
{
    return {"CancelJob", serviceUrl, buildCancelJobRequest(serviceUrl, jobId), anyEnvelope};
}

}  // namespace wsd::wsscan
