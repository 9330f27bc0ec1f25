#include "event_sender.h"

#include "event_messages.h"
#include "eventing_names.h"
#include "wsd/http.h"
#include "wsd/log.h"

namespace wsdsim {

namespace {

// The events drop-status-events holds back: the job and scanner status events.
bool isStatusEvent(const std::string &operation)
{
    return operation == "JobStatusEvent" || operation == "JobEndStateEvent" ||
           operation.rfind("ScannerStatus", 0) == 0;
}

}  // namespace

EventSender::EventSender(SimDevice &device) : device_(device)
{
    status_.refresh(device_);  // the baseline: later changes become events
    thread_ = std::thread([this] { run(); });
}

EventSender::~EventSender() { shutdown(); }

void EventSender::run()
{
    using Clock = std::chrono::steady_clock;
    for (;;) {
        // Wake for work, when the next subscription expires, or when a
        // warm-up ends (its status change is an event like any other).
        Clock::time_point until = device_.subscriptions.nextExpiry().value_or(Clock::now() + std::chrono::hours(1));
        const std::optional<Clock::time_point> warmUpEnd = device_.status.warmUpEnd(device_.knobs.get());
        if (warmUpEnd)
            until = std::min(until, *warmUpEnd);
        EventQueue::Work work = device_.events.wait(until);
        if (warmUpEnd && Clock::now() >= *warmUpEnd)
            work.statusCheck = true;
        for (const Subscription &s : device_.subscriptions.expire()) {
            LogDetails d;
            d.subscription = s.id;
            d.reason = "the subscription expired";
            device_.log.add("SubscriptionExpiry", 0, "expired", s.client, WallClock::now(), s.notifyTo.address, d);
            failures_.erase(s.id);
        }
        if (work.stopping)
            return;
        if (work.statusCheck)
            status_.refresh(device_);
        // Status events queued by the refresh go out in this round too.
        EventQueue::Work more = device_.events.take();
        work.messages.insert(work.messages.end(), more.messages.begin(), more.messages.end());
        for (const OutgoingMessage &m : work.messages)
            deliver(m, device_.knobs.get());
    }
}

void EventSender::deliver(const OutgoingMessage &m, const Knobs &knobs)
{
    std::optional<Subscription> s = device_.subscriptions.find(m.subscriptionId);
    LogDetails d;
    d.subscription = m.subscriptionId;
    if (!s) {
        d.reason = "the subscription ended before delivery";
        device_.log.add(m.operation, m.jobId, "dropped", m.client, WallClock::now(), m.url, d);
        return;
    }
    if (knobs.dropEvents || (knobs.dropStatusEvents && isStatusEvent(m.operation))) {
        d.reason = knobs.dropEvents ? "drop-events knob" : "drop-status-events knob";
        device_.log.add(m.operation, m.jobId, "dropped", m.client, WallClock::now(), m.url, d);
        return;
    }
    if (knobs.eventDelayMs > 0 && !device_.jobs.sleepUnlessStopping(std::chrono::milliseconds(knobs.eventDelayMs)))
        return;
    if (post(m)) {
        failures_.erase(m.subscriptionId);
        return;
    }
    if (++failures_[m.subscriptionId] >= MaxConsecutiveFailures) {
        failures_.erase(m.subscriptionId);
        if (std::optional<Subscription> gone = device_.subscriptions.remove(m.subscriptionId))
            endSubscription(*gone, eventing::DeliveryFailure,
                            std::to_string(MaxConsecutiveFailures) + " deliveries in a row failed");
    }
}

bool EventSender::post(const OutgoingMessage &m)
{
    wsd::http::Request request;
    request.url = m.url;
    request.body = m.envelope;
    request.connection = wsd::http::Request::Connection::Own;
    wsd::http::Options options;
    options.connectTimeoutMs = ConnectTimeoutMs;
    options.timeoutMs = DeliveryTimeoutMs;
    options.maxBodyBytes = 64 * 1024;
    wsd::http::Response response = wsd::http::post(request, options);
    bool ok = response.transportOk() && response.status >= 200 && response.status < 300;
    LogDetails d;
    d.subscription = m.subscriptionId;
    if (!response.transportOk())
        d.reason = response.error;
    else if (!ok)
        d.reason = "HTTP " + std::to_string(response.status);
    WSD_PROTO("wsd-sim: %s to %s: %s", m.operation.c_str(), m.url.c_str(), ok ? "delivered" : d.reason.c_str());
    device_.log.add(m.operation, m.jobId, ok ? "delivered" : "failed", m.client, WallClock::now(), m.url, d);
    return ok;
}

void EventSender::endSubscription(const Subscription &s, const char *status, const std::string &reason)
{
    std::string envelope = subscriptionEndEnvelope(s, device_.identity.serviceUrls, status, reason);
    if (envelope.empty()) {
        LogDetails d;
        d.subscription = s.id;
        d.reason = reason + "; no EndTo to tell";
        device_.log.add("SubscriptionEnd", 0, "not-sent", s.client, WallClock::now(), "", d);
        return;
    }
    post({"SubscriptionEnd", s.id, s.client, s.endTo->address, envelope, 0});
}

void EventSender::shutdown()
{
    if (shutDown_)
        return;
    shutDown_ = true;
    device_.events.stop();
    if (thread_.joinable())
        thread_.join();
    for (const Subscription &s : device_.subscriptions.clear())
        endSubscription(s, eventing::SourceShuttingDown, "The scanner is shutting down");
}

}  // namespace wsdsim
