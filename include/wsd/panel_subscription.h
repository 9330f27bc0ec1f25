// Scans started at the device's panel, for one open SANE handle: an event
// listener, a WS-Eventing subscription to ScanAvailableEvent with one
// WS-Scan ScanDestination (our name on the panel), its renewal before it
// expires (and a new subscription when the device ends or forgets it), and
// Unsubscribe when the handle closes. A press on the panel becomes a
// pending press: the `scan` option reads it once, sane_start takes it. A
// press the frontend read but did not scan when it closes the handle is
// handed over to the next process (wsd/press_handover.h), with the
// subscription it needs.
// A second subscription, to the same listener at another NotifyTo path,
// asks for the scanner's status events, so that the status options follow
// the device between scans, and for the job events, which the job worker
// follows (JobEvents) instead of polling; a device that refuses them is
// asked without the job events, then not at all (the worker polls). It
// has no destination, is never handed over and is always Unsubscribed at
// close: the events of a job run from a handed-over press never go to a
// closed handle's listener, where failed deliveries would make the device
// end the subscription whose DestinationToken the next process needs.
// Each of the two, on its own: a Renew lost to a network outage is tried
// again (with backoff) while the subscription lasts, and only then replaced
// by a new Subscribe, after an Unsubscribe of the one given up on, so the
// panel never lists us twice and the device never sends the events twice.
//
// Threads: the frontend's (options, sane_start, the destructor), the
// renewal thread started here, and the listener's (libmicrohttpd). All that
// more than one of them touches is under mutex_.
#pragma once

#include "wsd/device_restarts.h"
#include "wsd/event_fd.h"
#include "wsd/event_listener.h"
#include "wsd/events.h"
#include "wsd/http.h"
#include "wsd/job_events.h"
#include "wsd/press_handover.h"
#include "wsd/subscription_messages.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace wsd {

struct PanelConfig {
    std::string serviceUrl;   // the scan service: the event source
    std::string endpoint;     // the WS-Discovery endpoint address, "" when unknown
    std::string displayName;  // what the panel lists (wsd.conf push-destination)
    http::Options http;       // Subscribe and Renew
    http::Options closeHttp;  // Unsubscribe at close: short, a closing handle does not wait long
    std::chrono::seconds expires{3600};  // asked for; the device grants what it grants
    // Called on the listener's thread after a press is pending (outside the
    // lock), so that a daemon need not poll takeButton; may be empty.
    std::function<void()> onPress;
    ScannerStatusInfo status;            // as GetScannerElements told it at open: events update it
    // Another process's press for this scanner is handed over until then:
    // subscribe only after it (its subscription is still on the panel, with
    // our name), unless deviceRestarted() comes first.
    std::optional<std::chrono::steady_clock::time_point> subscribeAfter;
    std::string handOverPath = handover::defaultPath();  // where a press is handed over
    // The job worker's view of the job and status events: live while the
    // status/job subscription the device took includes them. Null (a daemon
    // that reads no status): no status/job subscription is made.
    std::shared_ptr<JobEvents> jobEvents;
};

class PanelSubscription {
public:
    // Starts the listener and subscribes (within deadline); nullptr when
    // either fails: the device then offers no panel scans to this handle.
    static std::unique_ptr<PanelSubscription> start(PanelConfig config, http::Deadline deadline);
    // Stops renewing, hands a read but unscanned press over (else
    // Unsubscribes), stops the listener.
    ~PanelSubscription();
    PanelSubscription(const PanelSubscription &) = delete;
    PanelSubscription &operator=(const PanelSubscription &) = delete;

    // The `scan` option: true once for each press, false until the next
    // (reading clears it, as button daemons expect); the press itself stays
    // pending for sane_start.
    bool takeButton();
    // The pending press's input source (WS-Scan keyword), empty without one.
    std::string pendingSource() const;
    // sane_start: the pending press, now consumed; nullopt for a pull scan.
    std::optional<PanelPress> takePress();

    // The scanner's status as the events left it, when it changed since
    // *seen (which is then updated); nullopt otherwise.
    std::optional<ScannerStatusInfo> statusSince(unsigned long *seen) const;
    // A GetScannerElements answer: the newest status, which events update from now on.
    void setStatus(const ScannerStatusInfo &status);

    // The device restarted (discovery saw its Hello): Renew at once, and
    // Subscribe again when the device no longer knows the subscription.
    void deviceRestarted();

    // The listener's handler (public for the unit tests, which play the
    // device): checks and applies one notification, returns the HTTP status.
    unsigned deliver(const std::string &path, const std::string &body);
    // The live panel subscription's manager (nullopt between a lost
    // subscription and the next), for a daemon that Unsubscribes it after a crash.
    std::optional<events::SubscriptionManager> manager() const;
    // The addresses the device posts our events to: the panel
    // subscription's, and the status/job subscription's.
    const std::string &notifyTo() const { return panel_.notifyTo; }
    const std::string &eventsNotifyTo() const { return events_.notifyTo; }

private:
    // One of the handle's two subscriptions. The fields before manager are
    // fixed for the handle's life (notifyTo set in start() before any
    // Subscribe tells it to anyone): the NotifyTo address and the identifier
    // the device echoes; events must name both, and only the device learns
    // them. The others are under mutex_.
    struct Subscription {
        Subscription(const char *what, std::string path, std::string identifier)
            : what(what), path(std::move(path)), identifier(std::move(identifier))
        {
        }
        const char *what;  // for the log
        std::string path;
        std::string identifier;
        std::string notifyTo;
        std::optional<events::SubscriptionManager> manager;  // set while subscribed
        std::chrono::steady_clock::time_point renewAt;
        std::chrono::steady_clock::time_point expiresAt;  // as granted by the last Subscribe or Renew
        // Given up on after Renews that got no answer: the device may still
        // list it, so it is Unsubscribed before the next Subscribe (again
        // before each Renew while that gets no answer, and at close).
        std::optional<events::SubscriptionManager> lost;
        bool resubscribe = false;  // the device ended it
        bool wanted = true;        // false: never (again) asked for
        int failures = 0;          // tries in a row that failed: the backoff before the next
    };

    explicit PanelSubscription(PanelConfig config);
    // Subscribe; true when the device took it (state updated under mutex_).
    bool subscribePanel(http::Deadline deadline);
    // A device that refuses the job events is asked without them; one that
    // refuses the status events too is not asked again (wanted false).
    bool subscribeEvents(http::Deadline deadline);
    // The subscription's manager and times from the device's answer (under mutex_).
    void subscribed(Subscription &s, const events::Subscribed &answer);
    // The status/job subscription with the job events is live, or no more.
    void jobEventsLive(bool live);
    wsscan::Result<events::Subscribed> subscribeTo(const Subscription &s, std::vector<std::string> actions,
                                                   bool withDestination, http::Deadline deadline);
    // Called for a due subscription with lock held on mutex_, and returns
    // with it held: renews s, else (the device ended or forgot it, or it ran
    // out while Renews got no answer) Subscribes it again, and sets when to
    // try next.
    void refresh(Subscription &s, std::unique_lock<std::mutex> &lock);
    // Renewed: s's renewAt and expiresAt updated. Refused: the device
    // answered with a fault (or we hold no subscription). Unanswered: no answer.
    enum class Renewal { Renewed, Refused, Unanswered };
    Renewal renew(Subscription &s);
    void unsubscribe(Subscription &s);
    // Unsubscribes s.lost, if any; it is forgotten once the device answered.
    void leaveLost(Subscription &s);
    // At close: a press the frontend read and did not scan, with the live
    // panel subscription it belongs to, stored for the next process; true when stored.
    bool handOver();
    void renewLoop();
    bool due(const Subscription &s) const;  // under mutex_
    unsigned onScanAvailable(const events::ScanAvailable &event);
    unsigned recordPress(const events::ScanAvailable &event);  // under mutex_
    unsigned onSubscriptionEnd(Subscription &s, const events::SubscriptionEnd &end);

    const PanelConfig config_;
    const std::string clientContext_;
    std::unique_ptr<events::EventListener> listener_;  // set once in start()
    // Subscribe and Renew: the frontend's thread in start(), then the
    // renewal thread only. stopFd_ drops a request in flight when the
    // handle closes, so sane_close never waits for a silent device.
    EventFd stopFd_;
    http::Session session_;

    mutable std::mutex mutex_;  // guards everything below, and the subscriptions' changing fields
    std::condition_variable wake_;
    Subscription panel_;   // ScanAvailableEvent with our destination: the one handed over
    Subscription events_;  // the status and job events, no destination
    std::string destinationToken_;
    bool stop_ = false;
    std::optional<PanelPress> press_;
    bool buttonUnread_ = false;
    ScannerStatusInfo status_;
    unsigned long statusGeneration_ = 0;  // bumped by each status event and setStatus
    // The event sets the device may take for events_ (EventSets),
    // from the widest: one it refused is not asked again.
    std::size_t eventSet_ = 0;

    std::thread renewer_;  // renewLoop; started last, joined first
    std::unique_ptr<restarts::Watch> restartWatch_;  // set after renewer_, reset first
};

}  // namespace wsd
