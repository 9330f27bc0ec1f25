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
// A subscription about to expire is not worth handing over: the next
// process could not make the job before the device drops the token.
constexpr std::chrono::seconds MinHandOver = 2s;

std::string scanAction(const char *event) { return std::string(ns::ScanActionPrefix) + event; }

// What Subscribe asks for, from the widest; a set the device refuses is
// followed by the next. ScanAvailableEvent is in each (the panel).
struct EventSet {
    const char *what;
    bool statusEvents, jobEvents;
};
constexpr EventSet EventSets[] = {
    {"the status and job events", true, true},
    {"the status events", true, false},
    {"ScanAvailableEvent alone", false, false},
};

std::vector<std::string> eventActions(std::size_t set)
{
    std::vector<std::string> actions = {scanAction("ScanAvailableEvent")};
    if (EventSets[set].statusEvents)
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
    : config_(std::move(config)), path_("/wsd-events/" + soap::newUuid()), identifier_(soap::newMessageId()),
      clientContext_("sane-wsd-" + soap::newUuid()), session_(config_.http), status_(config_.status)
{
    session_.setCancelFd(stopFd_.fd());
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
    panel->notifyTo_ = panel->listener_->baseUrl() + panel->path_;
    if (panel->config_.subscribeAfter) {
        // The renewal thread subscribes then (a Renew without a subscription fails).
        panel->renewAt_ = *panel->config_.subscribeAfter;
        WSD_INFO("%s: a press handed over by another process holds our name on the panel: subscribing later",
                 panel->config_.serviceUrl.c_str());
    } else if (!panel->subscribe(deadline)) {
        panel->listener_.reset();
        return nullptr;
    }
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
    if (!handOver())
        unsubscribe();
    leaveLost();
    listener_.reset();  // no event is handled after this
}

wsscan::Result<events::Subscribed> PanelSubscription::subscribeTo(std::vector<std::string> actions,
                                                                http::Deadline deadline)
{
    events::SubscribeRequest request;
    request.serviceUrl = config_.serviceUrl;
    request.notifyTo = notifyTo();
    request.identifier = identifier_;
    request.actions = std::move(actions);
    request.expires = config_.expires;
    request.destination = events::Destination{config_.displayName, clientContext_};
    return wsscan::Client(session_).until(deadline).call(events::subscribe(request));
}

bool PanelSubscription::subscribe(http::Deadline deadline)
{
    std::size_t set;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        set = eventSet_;
    }
    // A press handed over and never taken left its subscription, with our
    // name, on the panel: end it, so that the panel lists this computer once.
    for (const handover::Entry &stale : handover::takeExpired({config_.serviceUrl}, config_.handOverPath)) {
        WSD_INFO("%s: a press handed over was not taken in time: Unsubscribe", config_.serviceUrl.c_str());
        wsscan::Client(config_.closeHttp).until(deadline).call(events::unsubscribe(stale.manager));
    }
    auto subscribed = subscribeTo(eventActions(set), deadline);
    while (!subscribed && subscribed.fault && set + 1 < std::size(EventSets)) {
        // DPWS: a filter action the source does not offer is refused
        // (wsdp:FilterActionNotSupported); some devices fault otherwise.
        // The panel is what matters; the worker polls for what is not sent.
        WSD_INFO("%s: Subscribe with %s refused (%s): %s", config_.serviceUrl.c_str(), EventSets[set].what,
                 subscribed.fault->subcode.c_str(), EventSets[set + 1].what);
        ++set;
        subscribed = subscribeTo(eventActions(set), deadline);
        if (subscribed) {
            std::lock_guard<std::mutex> lock(mutex_);
            eventSet_ = set;
        }
    }
    if (!subscribed) {
        WSD_WARN("%s: Subscribe to ScanAvailableEvent: %s", config_.serviceUrl.c_str(), subscribed.error.c_str());
        return false;
    }
    auto own = std::find_if(subscribed->destinations.begin(), subscribed->destinations.end(),
                            [&](const events::DestinationResponse &d) { return d.clientContext == clientContext_; });
    if (own == subscribed->destinations.end()) {
        // Without a DestinationToken no device-initiated job can be made.
        WSD_WARN("%s: SubscribeResponse has no DestinationToken for our destination", config_.serviceUrl.c_str());
        wsscan::Client(config_.closeHttp).call(events::unsubscribe(subscribed->manager));
        return false;
    }
    const std::chrono::seconds granted = subscribed->expires.value_or(config_.expires);
    std::unique_lock<std::mutex> lock(mutex_);
    manager_ = subscribed->manager;
    destinationToken_ = own->destinationToken;
    renewAt_ = Clock::now() + std::max<std::chrono::seconds>(granted / 2, MinRenewInterval);
    expiresAt_ = Clock::now() + granted;
    resubscribe_ = false;
    WSD_INFO("subscribed to panel scans at %s as \"%s\" for %llds (%s); events to %s", config_.serviceUrl.c_str(),
             config_.displayName.c_str(), static_cast<long long>(granted.count()), EventSets[set].what,
             notifyTo().c_str());
    lock.unlock();
    jobEventsLive(EventSets[set].jobEvents);
    return true;
}

void PanelSubscription::jobEventsLive(bool live)
{
    if (config_.jobEvents)
        config_.jobEvents->setLive(live);
}

PanelSubscription::Renewal PanelSubscription::renew()
{
    std::optional<events::SubscriptionManager> manager;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        manager = manager_;
    }
    if (!manager)
        return Renewal::Refused;
    auto renewed = wsscan::Client(session_).call(events::renew(*manager, config_.expires));
    if (!renewed) {
        WSD_WARN("%s: Renew: %s", manager->address.c_str(), renewed.error.c_str());
        // Only a fault says the device no longer has the subscription; no
        // answer (the network is down) leaves it on the panel until it expires.
        return renewed.fault ? Renewal::Refused : Renewal::Unanswered;
    }
    const std::chrono::seconds granted = renewed->expires.value_or(config_.expires);
    std::lock_guard<std::mutex> lock(mutex_);
    renewAt_ = Clock::now() + std::max<std::chrono::seconds>(granted / 2, MinRenewInterval);
    expiresAt_ = Clock::now() + granted;
    WSD_DETAIL("renewed the panel subscription for %llds", static_cast<long long>(granted.count()));
    return Renewal::Renewed;
}

void PanelSubscription::unsubscribe()
{
    std::optional<events::SubscriptionManager> manager;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        manager = std::exchange(manager_, std::nullopt);
    }
    if (!manager)
        return;
    auto done = wsscan::Client(config_.closeHttp).call(events::unsubscribe(*manager));
    if (!done)
        WSD_INFO("%s: Unsubscribe: %s", manager->address.c_str(), done.error.c_str());
}

void PanelSubscription::leaveLost()
{
    std::optional<events::SubscriptionManager> lost;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        lost = lost_;
    }
    if (!lost)
        return;
    // Any answer will do (the device most likely forgot it): only then is
    // it sure that the device no longer lists it.
    auto done = wsscan::Client(config_.closeHttp).call(events::unsubscribe(*lost));
    if (!done && done.failure == wsscan::Failure::NoAnswer)
        return;
    WSD_INFO("%s: left the subscription given up on%s", lost->address.c_str(),
             done ? "" : " (the device no longer had it)");
    std::lock_guard<std::mutex> lock(mutex_);
    lost_.reset();
}

bool PanelSubscription::handOver()
{
    handover::Entry entry;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // An unread press never reached the frontend: nobody would scan it.
        if (!press_ || buttonUnread_ || !manager_)
            return false;
        const Clock::duration left = std::min<Clock::duration>(expiresAt_ - Clock::now(), handover::Lifetime);
        if (left < MinHandOver)
            return false;
        entry.deadlineMs = handover::nowMs() + std::chrono::duration_cast<std::chrono::milliseconds>(left).count();
        entry.serviceUrl = config_.serviceUrl;
        entry.manager = *manager_;
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

void PanelSubscription::renewLoop()
{
    std::chrono::seconds retry = FirstRetry;
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
        // deviceRestarted() may bring renewAt_ forward: the predicate reads it anew.
        wake_.wait_until(lock, renewAt_, [this] { return stop_ || resubscribe_ || Clock::now() >= renewAt_; });
        if (stop_)
            break;
        // Ended by the device, lost, or run out while the device was out of
        // reach: the device has forgotten it, only a new Subscribe helps.
        const bool gone = resubscribe_ || !manager_ || Clock::now() >= expiresAt_;
        if (manager_ && gone) {
            // Run out here while Renews got no answer: one of them may
            // still reach the device (a connection's data is resent once
            // the link is back) and keep the subscription alive there.
            lost_ = std::exchange(manager_, std::nullopt);
            jobEventsLive(false);
        }
        lock.unlock();
        if (gone)
            leaveLost();
        // A Renew the device refuses (it rebooted and forgot us) is followed
        // by a new Subscribe. One it does not answer is not: the device may
        // still list the subscription, and a second one would show this
        // computer twice on the panel.
        const Renewal renewal = gone ? Renewal::Refused : renew();
        const bool ok = renewal == Renewal::Renewed ||
                        (renewal == Renewal::Refused &&
                         subscribe(Clock::now() + std::chrono::milliseconds(config_.http.timeoutMs)));
        lock.lock();
        if (ok) {
            if (retry != FirstRetry)
                WSD_WARN("%s: the panel subscription for \"%s\" is back", config_.serviceUrl.c_str(),
                         config_.displayName.c_str());
            retry = FirstRetry;
            continue;
        }
        // Cut short by the handle closing: the subscription may well still
        // exist, and the destructor Unsubscribes it.
        if (stop_)
            break;
        const Clock::time_point now = Clock::now();
        if (renewal == Renewal::Unanswered && now < expiresAt_) {
            // The last try falls on the expiry at the latest; from then on, Subscribe.
            renewAt_ = std::min(now + retry, expiresAt_);
        } else {
            jobEventsLive(false);  // the worker polls until a subscription is back
            if (renewal == Renewal::Unanswered)
                lost_ = manager_;
            manager_.reset();
            resubscribe_ = false;
            renewAt_ = now + retry;
        }
        WSD_WARN("%s: the panel subscription for \"%s\" is %s; trying again in %llds", config_.serviceUrl.c_str(),
                 config_.displayName.c_str(), manager_ ? "not renewed yet" : "lost",
                 static_cast<long long>(retry.count()));
        retry = std::min(retry * 2, std::chrono::seconds(RetryInterval));
    }
}

std::optional<events::SubscriptionManager> PanelSubscription::manager() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return manager_;
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
    if (path != path_) {
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
    if (!sameAddress(n->to, notifyTo()) || (!n->identifier.empty() && n->identifier != identifier_)) {
        WSD_WARN("event listener: refused %s addressed to %s (identifier \"%s\"), not to our subscription",
                 events::eventName(n->event), n->to.c_str(), n->identifier.c_str());
        return BadRequest;
    }
    if (const auto *press = std::get_if<events::ScanAvailable>(&n->event))
        return onScanAvailable(*press);
    if (const auto *end = std::get_if<events::SubscriptionEnd>(&n->event))
        return onSubscriptionEnd(*end);
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
        WSD_INFO("%s restarted: checking the panel subscription", config_.serviceUrl.c_str());
        renewAt_ = Clock::now();
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
    if (!manager_) {
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

unsigned PanelSubscription::onSubscriptionEnd(const events::SubscriptionEnd &end)
{
    std::unique_lock<std::mutex> lock(mutex_);
    if (!manager_ || (!end.identifier.empty() && !manager_->identifier.empty() && end.identifier != manager_->identifier)) {
        WSD_WARN("event listener: refused SubscriptionEnd for a subscription that is not ours");
        return BadRequest;
    }
    WSD_INFO("the device ended the panel subscription (%s: %s); subscribing again", end.status.c_str(),
             end.reason.c_str());
    manager_.reset();
    resubscribe_ = true;
    lock.unlock();
    jobEventsLive(false);
    wake_.notify_all();
    return Accepted;
}

}  // namespace wsd
