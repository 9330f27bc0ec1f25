// What the simulated device received, for tests to assert on: one entry per
// SOAP operation with its JobId and outcome. Bounded; the oldest entries go.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <deque>
#include <mutex>
#include <string>

namespace wsdsim {

using WallClock = std::chrono::system_clock;

// What a request asked and why it was refused, for the operations that
// carry a scan ticket; empty strings are left out of the JSON.
struct LogDetails {
    std::string reason;           // a fault's Reason text
    bool ticket = false;          // the request held a ScanTicket
    std::string format;           // its Format, empty when absent
    std::string colorProcessing;  // its front ColorProcessing, empty when absent
    std::string contentType;      // its ContentType, empty when absent
    std::string subscription;     // the WS-Eventing subscription (wse:Identifier) concerned
    unsigned destinations = 0;    // a Subscribe's ScanDestinations (the panel's entries it made)
    unsigned clientPort = 0;      // the request's peer TCP port, 0 when not known
};

struct LogEntry {
    std::string time;       // UTC, ISO 8601 with microseconds: when the request arrived (or the event happened)
    std::string operation;  // CreateScanJob, Get (metadata), Probe, ...
    long jobId = 0;         // 0 when the operation names no job
    std::string outcome;    // "ok", "fault:<subcode>", or a transfer result such as "aborted:ImageTransferError"
    std::string client;     // peer address
    std::string to;         // the request's wsa:To, "" when it had none or was no SOAP request
    LogDetails details;
};

class EventLog {
public:
    static constexpr size_t MaxEntries = 10000;

    // `at`: when the request arrived; benchmarks compare it with the
    // client's own clock, so it is taken before the request is handled.
    void add(const std::string &operation, long jobId, const std::string &outcome, const std::string &client,
             WallClock::time_point at = WallClock::now(), const std::string &to = std::string(),
             LogDetails details = {});
    void clear();
    size_t size() const;
    // {"log":[{"time":...,"operation":...,"jobId":...,"outcome":...,"client":...,"to":...}, ...]}, plus
    // "reason" for a refusal and "ticket":{"format":...,"colorProcessing":...,"contentType":...} (null when absent)
    // for a request with a ScanTicket, "subscription" for eventing operations and events,
    // "destinations" for a Subscribe that put destinations on the panel.
    nlohmann::ordered_json toJson() const;
    std::deque<LogEntry> entries() const;

private:
    mutable std::mutex mutex_;
    std::deque<LogEntry> entries_;
};

// Current UTC time as xs:dateTime ("2026-11-23T20:01:02.345Z"); withMillis false drops the fraction.
std::string utcNow(bool withMillis = true);
// `t` as xs:dateTime with microseconds ("2026-11-23T20:01:02.345678Z").
std::string utcMicros(WallClock::time_point t);

}  // namespace wsdsim
