#include "subscriptions.h"

#include "eventing_names.h"
#include "wsd/namespaces.h"
#include "wsd/soap.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <ctime>
#include <sstream>

namespace wsdsim {

std::optional<Subscription> SubscriptionTable::add(Subscription s, std::chrono::seconds granted)
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    live_.erase(std::remove_if(live_.begin(), live_.end(), [&](const Subscription &l) { return l.expires <= now; }),
                live_.end());
    if (live_.size() >= MaxSubscriptions)
        return std::nullopt;
    s.id = wsd::soap::newMessageId();
    for (PanelDestination &d : s.destinations)
        d.token = "token-" + wsd::soap::newUuid();
    s.expires = now + granted;
    live_.push_back(s);
    return s;
}

bool SubscriptionTable::renew(const std::string &id, std::chrono::seconds granted)
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    for (Subscription &s : live_)
        if (s.id == id && s.expires > now) {
            s.expires = now + granted;
            return true;
        }
    return false;
}

std::optional<std::chrono::seconds> SubscriptionTable::remaining(const std::string &id) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    for (const Subscription &s : live_)
        if (s.id == id && s.expires > now)
            return std::chrono::ceil<std::chrono::seconds>(s.expires - now);
    return std::nullopt;
}

std::optional<Subscription> SubscriptionTable::remove(const std::string &id)
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    for (auto it = live_.begin(); it != live_.end(); ++it)
        if (it->id == id && it->expires > now) {
            Subscription gone = std::move(*it);
            live_.erase(it);
            return gone;
        }
    return std::nullopt;
}

std::vector<Subscription> SubscriptionTable::expire()
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    std::vector<Subscription> gone;
    auto keep = std::stable_partition(live_.begin(), live_.end(), [&](const Subscription &s) { return s.expires > now; });
    std::move(keep, live_.end(), std::back_inserter(gone));
    live_.erase(keep, live_.end());
    return gone;
}

std::optional<SubscriptionTable::Clock::time_point> SubscriptionTable::nextExpiry() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::optional<Clock::time_point> next;
    for (const Subscription &s : live_)
        if (!next || s.expires < *next)
            next = s.expires;
    return next;
}

std::vector<Subscription> SubscriptionTable::subscribersTo(const std::string &action) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    std::vector<Subscription> out;
    for (const Subscription &s : live_)
        if (s.expires > now && s.actions.count(action))
            out.push_back(s);
    return out;
}

std::vector<PanelEntry> SubscriptionTable::panel() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    std::vector<PanelEntry> out;
    for (const Subscription &s : live_)
        if (s.expires > now)
            for (const PanelDestination &d : s.destinations)
                out.push_back({s.id, d});
    return out;
}

std::optional<Subscription> SubscriptionTable::find(const std::string &id) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    for (const Subscription &s : live_)
        if (s.id == id && s.expires > now)
            return s;
    return std::nullopt;
}

size_t SubscriptionTable::size() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    return static_cast<size_t>(
        std::count_if(live_.begin(), live_.end(), [&](const Subscription &s) { return s.expires > now; }));
}

std::vector<Subscription> SubscriptionTable::clear()
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Subscription> gone;
    gone.swap(live_);
    return gone;
}

std::string eventAction(const char *eventName) { return std::string(wsd::ns::ScanActionPrefix) + eventName; }

std::set<std::string> allEventActions()
{
    std::set<std::string> all;
    for (const char *name : eventing::ScanEvents)
        all.insert(eventAction(name));
    return all;
}

namespace {

// DPWS matches a filter URI against an action by whole path segments:
// ".../wdp/scan" selects ".../wdp/scan/JobStatusEvent", ".../wdp/sc" nothing.
bool selects(const std::string &filterUri, const std::string &action)
{
    if (filterUri == action)
        return true;
    std::string prefix = filterUri;
    if (prefix.empty())
        return false;
    if (prefix.back() != '/')
        prefix += '/';
    return action.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

std::optional<std::set<std::string>> selectedActions(const std::string &filterText, std::string *unsupported)
{
    std::istringstream words(filterText);
    std::set<std::string> selected;
    std::string uri;
    const std::set<std::string> all = allEventActions();
    bool any = false;
    while (words >> uri) {
        any = true;
        bool matched = false;
        for (const std::string &action : all)
            if (selects(uri, action)) {
                selected.insert(action);
                matched = true;
            }
        if (!matched) {
            if (unsupported)
                *unsupported = uri;
            return std::nullopt;
        }
    }
    if (!any) {
        if (unsupported)
            *unsupported = "(empty filter)";
        return std::nullopt;
    }
    return selected;
}

std::optional<long long> parseDurationSeconds(const std::string &raw)
{
    // xs:duration: P[nY][nM][nD][T[nH][nM][n[.n]S]], at least one part.
    std::string text = raw;
    text.erase(std::remove_if(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); }), text.end());
    if (text.size() < 3 || text[0] != 'P')
        return std::nullopt;
    double seconds = 0;
    bool inTime = false, anyPart = false;
    size_t i = 1;
    const char *dateUnits = "YMD", *timeUnits = "HMS";
    const char *order = dateUnits;
    while (i < text.size()) {
        if (text[i] == 'T') {
            if (inTime || i + 1 == text.size())
                return std::nullopt;
            inTime = true;
            order = timeUnits;
            ++i;
            continue;
        }
        size_t start = i;
        while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
            ++i;
        if (i == start || i == text.size() || i - start > 12)
            return std::nullopt;
        std::string number = text.substr(start, i - start);
        if (std::count(number.begin(), number.end(), '.') > 1 || number.find_first_of("0123456789") == std::string::npos)
            return std::nullopt;
        char unit = text[i++];
        const char *at = std::strchr(order, unit);
        if (!at || (number.find('.') != std::string::npos && unit != 'S' ))
            return std::nullopt;
        order = at + 1;  // units come in order, each at most once
        double value = std::stod(number);
        static const double dateFactor[] = {365 * 86400.0, 30 * 86400.0, 86400.0};
        static const double timeFactor[] = {3600.0, 60.0, 1.0};
        seconds += value * (inTime ? timeFactor[at - timeUnits] : dateFactor[at - dateUnits]);
        anyPart = true;
    }
    if (!anyPart || seconds > 1e12)
        return std::nullopt;
    return static_cast<long long>(std::ceil(seconds));
}

std::optional<std::chrono::system_clock::time_point> parseDateTime(const std::string &raw)
{
    std::string text = raw;
    text.erase(std::remove_if(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); }), text.end());
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6 || consumed != 19)
        return std::nullopt;
    size_t i = 19;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
            ++i;
    }
    long offsetSeconds = 0;
    std::string zone = text.substr(i);
    if (zone == "Z") {
        offsetSeconds = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
               std::isdigit(static_cast<unsigned char>(zone[1])) && std::isdigit(static_cast<unsigned char>(zone[2])) &&
               std::isdigit(static_cast<unsigned char>(zone[4])) && std::isdigit(static_cast<unsigned char>(zone[5]))) {
        offsetSeconds = (std::stol(zone.substr(1, 2)) * 3600 + std::stol(zone.substr(4, 2)) * 60) * (zone[0] == '-' ? -1 : 1);
    } else {
        // Without a zone the time is local to somewhere unknown: refused.
        return std::nullopt;
    }
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return std::nullopt;
    // The system clock spans 1678 to 2262: an expiry after 2200 ("never") is as
    // good as 2200, one before 1970 as past as 1970.
    tm.tm_year = std::clamp(tm.tm_year, 1970, 2200) - 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return std::chrono::system_clock::from_time_t(t - offsetSeconds);
}

}  // namespace wsdsim
