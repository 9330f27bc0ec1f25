// The WS-Scan service endpoint: the eight operations of INDEX §4 on top of
// the profile, the job table and the knobs. Every answer carries wsa:To
// anonymous, the ...Response action, RelatesTo the request's MessageID and a
// fresh MessageID; faults are SOAP 1.2 with wscn subcodes, HTTP 400 for
// Sender and 500 for Receiver (or 200 with the fault-http-200 knob).
#pragma once

#include <atomic>

#include <chrono>
#include <functional>
#include <string_view>

#include "http_reply.h"
#include "sim_device.h"
#include "wsd/soap.h"

namespace wsdsim {

class ScanService {
public:
    explicit ScanService(SimDevice &device) : device_(device) {}
    // arrived: when the request came in (the log's time); clientPort: its
    // peer TCP port (0: not known), logged to show connection reuse.
    HttpReply handle(std::string_view body, const std::string &client,
                     std::chrono::system_clock::time_point arrived = std::chrono::system_clock::now(),
                     unsigned clientPort = 0);

private:
    struct Call {
        const wsd::soap::Message *message = nullptr;
        std::string_view rawBody;  // the request as it came, for checks of its layout
        Knobs knobs;
        std::string client;
        std::string operation;
        long jobId = 0;
        std::string outcome = "ok";
        LogDetails details;
    };
    using BodyWriter = std::function<void(wsd::xml::Writer &)>;

    HttpReply dispatch(Call &call);
    // The create-answer-delay-ms, create-reset and create-garbage knobs.
    HttpReply spoilCreateAnswer(Call &call, HttpReply reply);
    HttpReply answer(Call &call, const BodyWriter &body);
    HttpReply fault(Call &call, const wsd::soap::Fault &f);

    HttpReply getScannerElements(Call &call);
    HttpReply validateScanTicket(Call &call);
    HttpReply createScanJob(Call &call);
    HttpReply retrieveImage(Call &call);
    HttpReply cancelJob(Call &call);
    HttpReply getJobElements(Call &call);
    HttpReply getActiveJobs(Call &call);
    HttpReply getJobHistory(Call &call);

    // JobId from the request payload; a fault reply when it is missing or out of range.
    std::optional<long> jobIdOf(Call &call, HttpReply &faultReply);
    std::string envelope(Call &call, const BodyWriter &body);

    SimDevice &device_;
    // one-page-jobs: sheets earlier one-page jobs took from the feeder; an
    // empty feeder is loaded again once a job found it empty.
    std::atomic<long> feederSheetsTaken_{0};
};

// <wscn:JobStatus> of a job: GetJobElements and JobStatusEvent write the same.
void writeJobStatus(wsd::xml::Writer &w, const Job &job);
// Turns a well-formed SOAP message into one that is not (malformed-xml knob).
std::string breakXml(std::string envelope);
// HTTP status a device sends with a fault of this code.
int faultStatus(const wsd::soap::Fault &f, const Knobs &knobs);
// A fault envelope; wsa:ActionNotSupported gets the wsa prefix, the rest wscn.
std::string faultEnvelope(const std::string &relatesTo, const wsd::soap::Fault &f);

}  // namespace wsdsim
