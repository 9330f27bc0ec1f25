#include "event_log.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace wsdsim {

std::string utcNow(bool withMillis)
{
    auto now = std::chrono::system_clock::now();
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    long millis = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = buf;
    if (withMillis) {
        std::snprintf(buf, sizeof buf, ".%03ld", millis);
        out += buf;
    }
    return out + "Z";
}

std::string utcMicros(WallClock::time_point t)
{
    const long long micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06lldZ", micros % 1000000);
    return std::string(buf) + fraction;
}

void EventLog::add(const std::string &operation, long jobId, const std::string &outcome, const std::string &client,
                   WallClock::time_point at, const std::string &to, LogDetails details)
{
    std::string time = utcMicros(at);
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.push_back({std::move(time), operation, jobId, outcome, client, to, std::move(details)});
    while (entries_.size() > MaxEntries)
        entries_.pop_front();
}

void EventLog::clear()
{
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
}

size_t EventLog::size() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
}

std::deque<LogEntry> EventLog::entries() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_;
}

nlohmann::ordered_json EventLog::toJson() const
{
    nlohmann::ordered_json log = nlohmann::ordered_json::array();
    auto orNull = [](const std::string &v) { return v.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(v); };
    for (const LogEntry &e : entries()) {
        nlohmann::ordered_json entry = {{"time", e.time},
                                        {"operation", e.operation},
                                        {"jobId", e.jobId},
                                        {"outcome", e.outcome},
                                        {"client", e.client},
                                        {"to", e.to}};
        if (e.details.clientPort)
            entry["clientPort"] = e.details.clientPort;
        if (!e.details.reason.empty())
            entry["reason"] = e.details.reason;
        if (!e.details.subscription.empty())
            entry["subscription"] = e.details.subscription;
        if (e.details.destinations)
            entry["destinations"] = e.details.destinations;
        if (e.details.ticket)
            entry["ticket"] = {{"format", orNull(e.details.format)},
                               {"colorProcessing", orNull(e.details.colorProcessing)},
                               {"contentType", orNull(e.details.contentType)}};
        log.push_back(std::move(entry));
    }
    return {{"log", std::move(log)}};
}

}  // namespace wsdsim
