// Delivers what the event queue holds: each event or SubscriptionEnd is an
// HTTP POST (libcurl, bounded by timeouts) to the subscriber's NotifyTo or
// EndTo address, logged with its outcome. It also ends subscriptions that
// expire, publishes status events when asked to compare, ends a
// subscription whose deliveries keep failing (SubscriptionEnd with
// DeliveryFailure, as WS-Eventing 2004/08 lets an event source), and at
// shutdown sends SubscriptionEnd SourceShuttingDown to every subscriber
// that gave an EndTo.
#pragma once

#include <map>
#include <string>
#include <thread>

#include "sim_device.h"
#include "status_events.h"

namespace wsdsim {

class EventSender {
public:
    static constexpr int MaxConsecutiveFailures = 3;
    static constexpr int ConnectTimeoutMs = 2000;
    static constexpr int DeliveryTimeoutMs = 5000;

    explicit EventSender(SimDevice &device);
    ~EventSender();  // shutdown()
    EventSender(const EventSender &) = delete;
    EventSender &operator=(const EventSender &) = delete;

    // Stops delivering, then tells the subscribers the source shuts down. Idempotent.
    void shutdown();

private:
    void run();
    void deliver(const OutgoingMessage &m, const Knobs &knobs);
    // One POST, logged; true when the subscriber answered 2xx.
    bool post(const OutgoingMessage &m);
    void endSubscription(const Subscription &s, const char *status, const std::string &reason);

    SimDevice &device_;
    StatusEvents status_;
    std::map<std::string, int> failures_;  // consecutive failed deliveries per subscription
    std::thread thread_;
    bool shutDown_ = false;
};

}  // namespace wsdsim
