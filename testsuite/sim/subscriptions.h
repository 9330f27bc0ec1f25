// The scan service's WS-Eventing subscriptions (WS-Eventing 2004/08 as
// profiled by DPWS): who gets which events at which NotifyTo, until when,
// and the panel destinations (WS-Scan ScanDestination) each one registered
// with its DestinationToken. An expired subscription is gone for every
// lookup at once; expire() hands the expired ones over for the log.
// Thread-safe; the clock is injectable so that tests need not wait.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wsdsim {

// A WS-Addressing 2004/08 endpoint reference: the address and the
// reference parameters/properties a message to it carries as SOAP headers.
struct EndpointReference {
    std::string address;
    std::vector<std::string> referenceHeaders;  // each a standalone XML element
};

struct PanelDestination {
    std::string displayName;    // ClientDisplayName: what the panel shows
    std::string clientContext;  // ClientContext: echoed in ScanAvailableEvent
    std::string token;          // DestinationToken the device hands out
};

struct Subscription {
    std::string id;  // the wse:Identifier reference parameter of the SubscriptionManager
    std::string client;
    EndpointReference notifyTo;
    std::optional<EndpointReference> endTo;
    std::set<std::string> actions;  // full event action URIs
    std::vector<PanelDestination> destinations;
    std::chrono::steady_clock::time_point expires;
};

// One destination as the panel lists it.
struct PanelEntry {
    std::string subscriptionId;
    PanelDestination destination;
};

class SubscriptionTable {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr size_t MaxSubscriptions = 64;
    static constexpr size_t MaxDestinations = 16;  // per subscription

    explicit SubscriptionTable(std::function<Clock::time_point()> now = Clock::now) : now_(std::move(now)) {}

    // Gives the subscription its Identifier, a DestinationToken per
    // destination and its expiry; nullopt when the table is full.
    std::optional<Subscription> add(Subscription s, std::chrono::seconds granted);
    // The new expiry of a live subscription; false when it is unknown or expired.
    bool renew(const std::string &id, std::chrono::seconds granted);
    // Time left, nullopt when unknown or expired.
    std::optional<std::chrono::seconds> remaining(const std::string &id) const;
    std::optional<Subscription> remove(const std::string &id);
    // Removes the expired subscriptions and returns them.
    std::vector<Subscription> expire();
    // When the next subscription expires, nullopt when there is none.
    std::optional<Clock::time_point> nextExpiry() const;
    // The live subscriptions whose filter selects `action`.
    std::vector<Subscription> subscribersTo(const std::string &action) const;
    std::vector<PanelEntry> panel() const;
    std::optional<Subscription> find(const std::string &id) const;
    size_t size() const;
    // Device reboot or shutdown: forgets every subscription and returns them.
    std::vector<Subscription> clear();

private:
    std::function<Clock::time_point()> now_;
    mutable std::mutex mutex_;
    std::vector<Subscription> live_;  // in subscription order: the panel's order
};

// The event actions a DPWS Action-dialect filter text selects: each
// white-space separated URI is an event action or a segment-wise prefix of
// some (DPWS 2006/02 §6.1.1). nullopt with *unsupported naming the first
// URI that selects none of this service's events (wsdp:FilterActionNotSupported).
std::optional<std::set<std::string>> selectedActions(const std::string &filterText, std::string *unsupported);
// Every event action of the scan service.
std::set<std::string> allEventActions();
// "ScanAvailableEvent" -> its full action URI.
std::string eventAction(const char *eventName);

// xs:duration ("PT30M", "P0Y0M0DT30H0M0S") in whole seconds, rounded up;
// nullopt for anything else, negative durations included.
std::optional<long long> parseDurationSeconds(const std::string &text);
// xs:dateTime with a zone ("2026-12-07T05:00:00Z", "...+01:00") as a system clock time.
std::optional<std::chrono::system_clock::time_point> parseDateTime(const std::string &text);

}  // namespace wsdsim
