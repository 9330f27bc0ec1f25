#include "wsd/panel_subscription.h"

#include "wsd/log.h"
#include "wsd/namespaces.h"
#include "wsd/soap.h"
#include "wsd/status_events.h"
#include "wsd/url.h"
#include "wsd/wsscan_client.h"

#include <algorithm>
#include <utility>

namespace wsd {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Renew once half the granted time has passed (DPWS: WSDAPI clients do the
// same), never more often than MinRenewInterval. After a failure, try again
// after FirstRetry, doubling up to RetryInterval: a device off the network
// for an hour sees two attempts a minute, one back on it sees us soon.
constexpr std::chrono::seconds MinRenewInterval = 1s;
constexpr std::chrono::seconds FirstRetry = 1s;
constexpr std::chrono::seconds RetryInterval = 30s;

// The wait after the failures'th failure in a row (counted from 0).
std::chrono::seconds backoff(int failures)
{
    std::chrono::seconds wait = FirstRetry;
    for (int i = 0; i < failures && wait < RetryInterval; ++i)
        wait *= 2;
    return std::min(wait, RetryInterval);
}

// A subscription about to expire is not worth handing over: the next
// process could not make the job before the device drops the token.
constexpr std::chrono::seconds MinHandOver = 2s;

std::string scanAction(const char *event) { return std::string(ns::ScanActionPrefix) + event; }

// What the status/job subscription asks for, from the widest; a set the
// device refuses is followed by the next, and after the last none is asked.
struct EventSet {
    const char *what;
    bool jobEvents;
};
constexpr EventSet EventSets[] = {
    {"the status and job events", true},
    {"the status events", false},
};

std::vector<std::string> eventActions(std::size_t set)
{
    std::vector<std::string> actions;
    for (const char *event :
         {"ScannerStatusSummaryEvent", "ScannerStatusConditionEvent", "ScannerStatusConditionClearedEvent"})
        actions.push_back(scanAction(event));
    if (EventSets[set].jobEvents)
        for (const char *event : {"JobStatusEvent", "JobEndStateEvent"})
            actions.push_back(scanAction(event));
    return actions;
}

// 202: a one-way message taken (DPWS answers event deliveries without a body).
constexpr unsigned Accepted = 202;
constexpr unsigned BadRequest = 400;
constexpr unsigned NotFound = 404;

// WS-Addressing: wsa:To is our NotifyTo Address, compared as a URI, so a
// device may spell the scheme in capitals or name the default port.
bool sameAddress(const std::string &to, const std::string &ours)
{
    if (to == ours)
        return true;
    const std::optional<std::string> toPath = url::path(to), ourPath = url::path(ours);
    return toPath && ourPath && *toPath == *ourPath && url::sameOrigin(to, ours);
}

}  // namespace

PanelSubscription::PanelSubscription(PanelConfig config)
    : config_(std::move(config)), clientContext_("sane-wsd-" + soap::newUuid()), session_(config_.http),
      panel_{"panel", "/wsd-events/" + soap::newUuid(), soap::newMessageId()},
      events_{"status and job", "/wsd-events/" + soap::newUuid(), soap::newMessageId()}, status_(config_.status)
{
    session_.setCancelFd(stopFd_.fd());
    events_.wanted = config_.jobEvents != nullptr;
}

std::unique_ptr<PanelSubscription> PanelSubscription::start(PanelConfig config, http::Deadline deadline)
try {
    std::unique_ptr<PanelSubscription> panel(new PanelSubscription(std::move(config)));
    std::string error;
    PanelSubscription *self = panel.get();
    panel->listener_ = events::EventListener::start(
        panel->config_.serviceUrl,
        [self](const std::string &path, const std::string &body) { return self->deliver(path, body); }, &error);
    if (!panel->listener_) {
        WSD_WARN("%s: no event listener, so no scans from the panel: %s", panel->config_.serviceUrl.c_str(),
                 error.c_str());
        return nullptr;
    }
    panel->panel_.notifyTo = panel->listener_->baseUrl() + panel->panel_.path;
    panel->events_.notifyTo = panel->listener_->baseUrl() + panel->events_.path;
    if (panel->config_.subscribeAfter) {
        // The renewal thread subscribes then (a Renew without a subscription fails).
        panel->panel_.renewAt = *panel->config_.subscribeAfter;
        WSD_INFO("%s: a press handed over by another process holds our name on the panel: subscribing later",
                 panel->config_.serviceUrl.c_str());
    } else if (!panel->subscribePanel(deadline)) {
        panel->listener_.reset();
        return nullptr;
    }
    // Without it the worker polls; the renewal thread tries again later
    // unless the device refused the events.
    if (panel->events_.wanted && !panel->subscribeEvents(deadline))
        panel->events_.renewAt = Clock::now() + backoff(panel->events_.failures++);
    panel->renewer_ = std::thread(&PanelSubscription::renewLoop, self);
    panel->restartWatch_ = restarts::watch(panel->config_.endpoint, [self] { self->deviceRestarted(); });
    return panel;
} catch (const std::exception &e) {
    // No descriptor or thread left: the handle works, without panel scans.
    WSD_WARN("no scans from the panel: %s", e.what());
    return nullptr;
}

PanelSubscription::~PanelSubscription()
{
    restartWatch_.reset();  // discovery calls nothing here from now on
    jobEventsLive(false);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    stopFd_.signal();
    wake_.notify_all();
    if (renewer_.joinable())
        renewer_.join();
    // Never handed over: nobody would be there to take its events.
    unsubscribe(events_);
    if (!handOver())
        unsubscribe(panel_);
    leaveLost(events_);
    leaveLost(panel_);
    listener_.reset();  // no event is handled after this
}

wsscan::Result<events::Subscribed> PanelSubscription::subscribeTo(const Subscription &s,
                                                                std::vector<std::string> actions,
                                                                bool withDestination, http::Deadline deadline)
{
    events::SubscribeRequest request;
    request.serviceUrl = config_.serviceUrl;
    request.notifyTo = s.notifyTo;
    request.identifier = s.identifier;
    request.actions = std::move(actions);
    request.expires = config_.expires;
    if (withDestination)
        request.destination = events::Destination{config_.displayName, clientContext_};
    return wsscan::Client(session_).until(deadline).call(events::subscribe(request));
}

void PanelSubscription::subscribed(Subscription &s, const events::Subscribed &answer)
{
    const std::chrono::seconds granted = answer.expires.value_or(config_.expires);
    s.manager = answer.manager;
    s.renewAt = Clock::now() + std::max<std::chrono::seconds>(granted / 2, MinRenewInterval);
    s.expiresAt = Clock::now() + granted;
    s.resubscribe = false;
}

bool PanelSubscription::subscribePanel(http::Deadline deadline)
{
    // A press handed over and never taken left its subscription, with our
    // name, on the panel: end it, so that the panel lists this computer once.
    for (const handover::Entry &stale : handover::takeExpired({config_.serviceUrl}, config_.handOverPath)) {
        WSD_INFO("%s: a press handed over was not taken in time: Unsubscribe", config_.serviceUrl.c_str());
        wsscan::Client(config_.closeHttp).until(deadline).call(events::unsubscribe(stale.manager));
    }
    auto answer = subscribeTo(panel_, {scanAction("ScanAvailableEvent")}, true, deadline);
    if (!answer) {
        WSD_WARN("%s: Subscribe to ScanAvailableEvent: %s", config_.serviceUrl.c_str(), answer.error.c_str());
        return false;
    }
    auto own = std::find_if(answer->destinations.begin(), answer->destinations.end(),
                            [&](const events::DestinationResponse &d) { return d.clientContext == clientContext_; });
    if (own == answer->destinations.end()) {
        // Without a DestinationToken no device-initiated job can be made.
        WSD_WARN("%s: SubscribeResponse has no DestinationToken for our destination", config_.serviceUrl.c_str());
        wsscan::Client(config_.closeHttp).call(events::unsubscribe(answer->manager));
        return false;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    subscribed(panel_, *answer);
    destinationToken_ = own->destinationToken;
    WSD_INFO("subscribed to panel scans at %s as \"%s\" for %llds; events to %s", config_.serviceUrl.c_str(),
             config_.displayName.c_str(), static_cast<long long>(answer->expires.value_or(config_.expires).count()),
             panel_.notifyTo.c_str());
    return true;
}

bool PanelSubscription::subscribeEvents(http::Deadline deadline)
{
    std::size_t set;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        set = eventSet_;
    }
    for (;;) {
        auto answer = subscribeTo(events_, eventActions(set), false, deadline);
        if (answer) {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                subscribed(events_, *answer);
            }
            WSD_INFO("subscribed to %s at %s for %llds; events to %s", EventSets[set].what,
                     config_.serviceUrl.c_str(),
                     static_cast<long long>(answer->expires.value_or(config_.expires).count()),
                     events_.notifyTo.c_str());
            jobEventsLive(EventSets[set].jobEvents);
            return true;
        }
        if (!answer.fault) {
            WSD_WARN("%s: Subscribe to %s: %s", config_.serviceUrl.c_str(), EventSets[set].what,
                     answer.error.c_str());
            return false;
        }
        // DPWS: a filter action the source does not offer is refused
        // (wsdp:FilterActionNotSupported); some devices fault otherwise, or
        // take one subscription per client only. The worker polls for what
        // is not sent; the panel needs none of it.
        const bool last = set + 1 >= std::size(EventSets);
        WSD_INFO("%s: Subscribe with %s refused (%s): %s", config_.serviceUrl.c_str(), EventSets[set].what,
                 answer.fault->subcode.c_str(), last ? "the job worker polls" : EventSets[set + 1].what);
        if (last) {
            jobEventsLive(false);
            std::lock_guard<std::mutex> lock(mutex_);
            events_.wanted = false;
            return false;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        eventSet_ = ++set;
    }
}

void PanelSubscription::jobEventsLive(bool live)
{
    if (config_.jobEvents)
        config_.jobEvents->setLive(live);
}

PanelSubscription::Renewal PanelSubscription::renew(Subscription &s)
{
    std::optional<events::SubscriptionManager> manager;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        manager = s.manager;
    }
    if (!manager)
        return Renewal::Refused;
    auto renewed = wsscan::Client(session_).call(events::renew(*manager, config_.expires));
    if (!renewed) {
        WSD_WARN("%s: Renew of the %s subscription: %s", manager->address.c_str(), s.what, renewed.error.c_str());
        // Only a fault says the device no longer has the subscription; no
        // answer (the network is down) leaves it there until it expires.
        return renewed.fault ? Renewal::Refused : Renewal::Unanswered;
    }
    const std::chrono::seconds granted = renewed->expires.value_or(config_.expires);
    std::lock_guard<std::mutex> lock(mutex_);
    s.renewAt = Clock::now() + std::max<std::chrono::seconds>(granted / 2, MinRenewInterval);
    s.expiresAt = Clock::now() + granted;
    WSD_DETAIL("renewed the %s subscription for %llds", s.what, static_cast<long long>(granted.count()));
    return Renewal::Renewed;
}

void PanelSubscription::unsubscribe(Subscription &s)
{
    std::optional<events::SubscriptionManager> manager;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        manager = std::exchange(s.manager, std::nullopt);
    }
    if (!manager)
        return;
    auto done = wsscan::Client(config_.closeHttp).call(events::unsubscribe(*manager));
    if (!done)
        WSD_INFO("%s: Unsubscribe of the %s subscription: %s", manager->address.c_str(), s.what, done.error.c_str());
}

void PanelSubscription::leaveLost(Subscription &s)
{
    std::optional<events::SubscriptionManager> lost;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        lost = s.lost;
    }
    if (!lost)
        return;
    // Any answer will do (the device most likely forgot it): only then is
    // it sure that the device no longer lists it.
    auto done = wsscan::Client(config_.closeHttp).call(events::unsubscribe(*lost));
    if (!done && done.failure == wsscan::Failure::NoAnswer)
        return;
    WSD_INFO("%s: left the %s subscription given up on%s", lost->address.c_str(), s.what,
             done ? "" : " (the device no longer had it)");
    std::lock_guard<std::mutex> lock(mutex_);
    s.lost.reset();
}

bool PanelSubscription::handOver()
{
    handover::Entry entry;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // An unread press never reached the frontend: nobody would scan it.
        if (!press_ || buttonUnread_ || !panel_.manager)
            return false;
        const Clock::duration left = std::min<Clock::duration>(panel_.expiresAt - Clock::now(), handover::Lifetime);
        if (left < MinHandOver)
            return false;
        entry.deadlineMs = handover::nowMs() + std::chrono::duration_cast<std::chrono::milliseconds>(left).count();
        entry.serviceUrl = config_.serviceUrl;
        entry.manager = *panel_.manager;
        entry.press = *press_;
    }
    if (!handover::put(entry, config_.handOverPath))
        return false;
    WSD_INFO("%s: the panel press (ScanIdentifier %s) is handed over to the next sane_start on this scanner, "
             "with its subscription, for %llds",
             config_.serviceUrl.c_str(), entry.press.scanIdentifier.c_str(),
             static_cast<long long>((entry.deadlineMs - handover::nowMs()) / 1000));
    return true;
}

bool PanelSubscription::due(const Subscription &s) const
{
    return s.wanted && (s.resubscribe || Clock::now() >= s.renewAt);
}

void PanelSubscription::refresh(Subscription &s, std::unique_lock<std::mutex> &lock)
{
    // Ended by the device, lost, or run out while the device was out of
    // reach: the device has forgotten it, only a new Subscribe helps.
    const bool gone = s.resubscribe || !s.manager || Clock::now() >= s.expiresAt;
    if (s.manager && gone) {
        // Run out here while Renews got no answer: one of them may still
        // reach the device (a connection's data is resent once the link is
        // back) and keep the subscription alive there.
        s.lost = std::exchange(s.manager, std::nullopt);
        if (&s == &events_)
            jobEventsLive(false);
    }
    lock.unlock();
    // Left before the next Subscribe; one whose Unsubscribe got no answer
    // (the link came back a moment later) is tried again before each Renew
    // of the new one, as a Renew held up by the outage may revive it yet.
    leaveLost(s);
    // A Renew the device refuses (it rebooted and forgot us) is followed by
    // a new Subscribe. One it does not answer is not: the device may still
    // list the subscription, and a second one would show this computer
    // twice on the panel (or send the events twice).
    const Renewal renewal = gone ? Renewal::Refused : renew(s);
    const http::Deadline deadline = Clock::now() + std::chrono::milliseconds(config_.http.timeoutMs);
    const bool ok =
        renewal == Renewal::Renewed ||
        (renewal == Renewal::Refused && (&s == &panel_ ? subscribePanel(deadline) : subscribeEvents(deadline)));
    lock.lock();
    if (ok) {
        if (s.failures > 0)
            WSD_WARN("%s: the %s subscription for \"%s\" is back", config_.serviceUrl.c_str(), s.what,
                     config_.displayName.c_str());
        s.failures = 0;
        return;
    }
    // Cut short by the handle closing: the subscription may well still
    // exist, and the destructor Unsubscribes it.
    if (stop_)
        return;
    const Clock::time_point now = Clock::now();
    const std::chrono::seconds retry = backoff(s.failures);
    if (renewal == Renewal::Unanswered && now < s.expiresAt) {
        // The last try falls on the expiry at the latest; from then on, Subscribe.
        s.renewAt = std::min(now + retry, s.expiresAt);
    } else {
        if (&s == &events_)
            jobEventsLive(false);  // the worker polls until a subscription is back
        if (renewal == Renewal::Unanswered && s.manager)
            s.lost = s.manager;
        s.manager.reset();
        s.resubscribe = false;
        s.renewAt = now + retry;
        // Refused for good (subscribeEvents): not asked again.
        if (!s.wanted)
            return;
    }
    WSD_WARN("%s: the %s subscription for \"%s\" is %s; trying again in %llds", config_.serviceUrl.c_str(), s.what,
             config_.displayName.c_str(), s.manager ? "not renewed yet" : "lost",
             static_cast<long long>(retry.count()));
    ++s.failures;
}

void PanelSubscription::renewLoop()
{
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
        // deviceRestarted() may bring a renewAt forward: the predicate reads it anew.
        Clock::time_point next = panel_.renewAt;
        if (events_.wanted)
            next = std::min(next, events_.renewAt);
        wake_.wait_until(lock, next, [this] { return stop_ || due(panel_) || due(events_); });
        for (Subscription *s : {&panel_, &events_})
            if (!stop_ && due(*s))
                refresh(*s, lock);
    }
}

std::optional<events::SubscriptionManager> PanelSubscription::manager() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return panel_.manager;
}

bool PanelSubscription::takeButton()
{
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(buttonUnread_, false);
}

std::string PanelSubscription::pendingSource() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return press_ ? press_->inputSource : std::string();
}

std::optional<PanelPress> PanelSubscription::takePress()
{
    std::lock_guard<std::mutex> lock(mutex_);
    buttonUnread_ = false;
    return std::exchange(press_, std::nullopt);
}

unsigned PanelSubscription::deliver(const std::string &path, const std::string &body)
{
    Subscription *s = path == panel_.path ? &panel_ : path == events_.path ? &events_ : nullptr;
    if (!s) {
        WSD_WARN("event listener: refused an event for %s, which is no subscription of ours", path.c_str());
        return NotFound;
    }
    std::string error;
    std::optional<events::Notification> n = events::parseNotification(body, &error);
    if (!n) {
        WSD_WARN("event listener: refused an unreadable event: %s", error.c_str());
        return BadRequest;
    }
    // WS-Addressing: the notification is addressed to our NotifyTo EPR, whose
    // reference parameter (wse:Identifier) comes back as a header.
    if (!sameAddress(n->to, s->notifyTo) || (!n->identifier.empty() && n->identifier != s->identifier)) {
        WSD_WARN("event listener: refused %s addressed to %s (identifier \"%s\"), not to our %s subscription",
                 events::eventName(n->event), n->to.c_str(), n->identifier.c_str(), s->what);
        return BadRequest;
    }
    if (const auto *press = std::get_if<events::ScanAvailable>(&n->event)) {
        if (s != &panel_) {
            WSD_WARN("event listener: refused ScanAvailableEvent sent to the %s subscription", s->what);
            return BadRequest;
        }
        return onScanAvailable(*press);
    }
    if (const auto *end = std::get_if<events::SubscriptionEnd>(&n->event))
        return onSubscriptionEnd(*s, *end);
    // The job worker's share: the status, and its own job's events.
    const bool forWorker = config_.jobEvents && config_.jobEvents->apply(n->event);
    std::lock_guard<std::mutex> lock(mutex_);
    if (events::applyStatusEvent(status_, n->event)) {
        ++statusGeneration_;
        WSD_PROTO("event listener: %s (scanner %s)", events::eventName(n->event), status_.state.c_str());
        return Accepted;
    }
    // Another client's job, or a job event nobody waits for.
    WSD_PROTO("event listener: %s %s", forWorker ? "for the job worker:" : "ignored", events::eventName(n->event));
    return Accepted;
}

void PanelSubscription::deviceRestarted()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        WSD_INFO("%s restarted: checking the panel subscriptions", config_.serviceUrl.c_str());
        panel_.renewAt = events_.renewAt = Clock::now();
    }
    wake_.notify_all();
}

std::optional<ScannerStatusInfo> PanelSubscription::statusSince(unsigned long *seen) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (statusGeneration_ == *seen)
        return std::nullopt;
    *seen = statusGeneration_;
    return status_;
}

void PanelSubscription::setStatus(const ScannerStatusInfo &status)
{
    if (config_.jobEvents)
        config_.jobEvents->setStatus(status);
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
    ++statusGeneration_;
}

unsigned PanelSubscription::onScanAvailable(const events::ScanAvailable &event)
{
    const unsigned status = recordPress(event);
    if (status == Accepted && config_.onPress)
        config_.onPress();
    return status;
}

unsigned PanelSubscription::recordPress(const events::ScanAvailable &event)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (!panel_.manager) {
        WSD_WARN("event listener: refused ScanAvailableEvent: no live subscription");
        return NotFound;
    }
    if (event.clientContext != clientContext_) {
        WSD_WARN("event listener: refused ScanAvailableEvent for ClientContext \"%s\", not ours",
                 event.clientContext.c_str());
        return BadRequest;
    }
    press_ = PanelPress{event.scanIdentifier, destinationToken_, event.inputSource};
    buttonUnread_ = true;
    WSD_INFO("scan requested at the panel (ScanIdentifier %s, source %s)", event.scanIdentifier.c_str(),
             event.inputSource.empty() ? "not named" : event.inputSource.c_str());
    return Accepted;
}

unsigned PanelSubscription::onSubscriptionEnd(Subscription &s, const events::SubscriptionEnd &end)
{
    std::unique_lock<std::mutex> lock(mutex_);
    if (!s.manager ||
        (!end.identifier.empty() && !s.manager->identifier.empty() && end.identifier != s.manager->identifier)) {
        WSD_WARN("event listener: refused SubscriptionEnd for a subscription that is not ours");
        return BadRequest;
    }
    WSD_INFO("the device ended the %s subscription (%s: %s); subscribing again", s.what, end.status.c_str(),
             end.reason.c_str());
    s.manager.reset();
    s.resubscribe = true;
    lock.unlock();
    if (&s == &events_)
        jobEventsLive(false);
    wake_.notify_all();
    return Accepted;
}

}  // namespace wsd
