// One way to call a WS-Scan (or WS-Transfer Get) operation: an Operation
// names it, holds its request and its response parser; Client::call posts
// it, reads the envelope, turns a fault into a SANE status (one fault
// table, statusFromFault) and decodes the payload. Every request/response
// exchange of the backend but RetrieveImage's streamed body goes through it.
#pragma once

#include "wsd/capabilities.h"
#include "wsd/http.h"
#include "wsd/metadata.h"
#include "wsd/scan_job_messages.h"
#include "wsd/soap.h"

#include <sane/sane.h>

#include <optional>
#include <string>
#include <vector>

namespace wsd::wsscan {

// How far a call got before it failed.
enum class Failure {
    None,
    NoAnswer,    // no HTTP response: refused, reset, timed out, cancelled
    Unreadable,  // an answer that is not a SOAP envelope
    Fault,       // a SOAP fault: the device refused
    Invalid,     // an envelope whose payload is not this operation's answer
};

// A request to one address and the parser of its answer's payload.
template <typename T>
struct Operation {
    const char *name;  // for the log: "CreateScanJob"
    std::string url;
    std::string body;
    std::optional<T> (*parse)(const soap::Message &, std::string *);
};

struct CallStatus {
    Failure failure = Failure::None;
    SANE_Status status = SANE_STATUS_GOOD;  // IO_ERROR, or the fault's status
    std::string error;                      // why it failed, for the log
    std::optional<soap::Fault> fault;
    long httpStatus = 0;
    // Some of the request left us: the device may have acted on it even
    // though no usable answer came.
    bool requestSent = false;
};

template <typename T>
struct Result : CallStatus {
    std::optional<T> value;
    explicit operator bool() const { return value.has_value(); }
    T &operator*() { return *value; }
    T *operator->() { return &*value; }
};

class Client {
public:
    // Each call a request of its own (through options.pool, if set).
    explicit Client(http::Options options) : options_(std::move(options)) {}
    // Each call on the session's connection, watching its cancel fd.
    explicit Client(http::Session &session) : session_(&session) {}

    // Every call ends by this time point (sane_open's and sane_start's
    // deadlines); once it has passed, calls fail without being sent.
    Client &until(std::optional<http::Deadline> deadline)
    {
        deadline_ = deadline;
        return *this;
    }

    template <typename T>
    Result<T> call(const Operation<T> &operation) const
    {
        Result<T> result;
        std::optional<soap::Message> message = exchange(operation.url, operation.body, result);
        if (!message)
            return result;
        std::string error;
        result.value = operation.parse(*message, &error);
        if (!result.value) {
            result.failure = Failure::Invalid;
            result.status = SANE_STATUS_IO_ERROR;
            result.error = error;
        }
        return result;
    }

private:
    // Posts and reads the envelope; nullopt with status filled on failure
    // (a fault included).
    std::optional<soap::Message> exchange(const std::string &url, const std::string &body, CallStatus &status) const;

    http::Options options_;
    http::Session *session_ = nullptr;
    std::optional<http::Deadline> deadline_;
};

// The answer of an operation whose response carries nothing we read (CancelJob).
struct Acknowledged {};

Operation<DeviceMetadata> getMetadata(const std::string &deviceAddress, const std::string &url);
Operation<ScannerElements> getScannerElements(const std::string &serviceUrl);
Operation<TicketValidation> validateScanTicket(const std::string &serviceUrl, const ScanSettings &settings);
Operation<CreatedJob> createScanJob(const std::string &serviceUrl, const ScanSettings &settings);
Operation<JobStatus> getJobElements(const std::string &serviceUrl, int jobId);
Operation<std::vector<JobSummary>> getActiveJobs(const std::string &serviceUrl);
Operation<Acknowledged> cancelJob(const std::string &serviceUrl, int jobId);

}  // namespace wsd::wsscan
