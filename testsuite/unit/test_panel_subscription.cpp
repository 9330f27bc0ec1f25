// PanelSubscription against a scripted event source on loopback: Subscribe
// with our destination, the event listener taking a ScanAvailableEvent
// (and refusing events not meant for us), the press read once by the
// button and taken by sane_start, renewal before expiry (and across
// unanswered Renews, each subscription on its own), a new Subscribe after
// SubscriptionEnd, and Unsubscribe when the handle closes; a press
// read but not scanned handed over at close instead, with its
// subscription, and the hand-over file itself (wsd/press_handover.h); the
// status/job events' subscription apart from the panel's.
#include "../sim/http_server.h"
#include "wsd/http.h"
#include "wsd/namespaces.h"
#include "wsd/panel_subscription.h"
#include "wsd/press_handover.h"
#include "wsd/soap.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// Last: check.h defines a macro named fail.
#include "suites.h"

namespace {

using namespace std::chrono_literals;

const std::string Wse = "http://schemas.xmlsoap.org/ws/2004/08/eventing";

// A hand-over file in a fresh directory of its own, removed afterwards: no
// test hands a press over to the user's real one.
struct TempHandOver {
    char dir[64] = "/tmp/wsd-handover-XXXXXX";
    std::string path;
    TempHandOver()
    {
        ck_assert_ptr_nonnull(mkdtemp(dir));
        path = std::string(dir) + "/sub/panel-presses";
    }
    ~TempHandOver()
    {
        for (const char *suffix : {"", ".lock", ".new"})
            std::remove((path + suffix).c_str());
        rmdir((std::string(dir) + "/sub").c_str());
        rmdir(dir);
    }
};

// Answers the WS-Eventing operations as a device does and records them.
class ScriptedSource {
public:
    std::string expires = "PT3600S";
    bool holdRenew = false;  // a Renew gets no answer until release()
    bool refuseRenew = false;  // a Renew gets a fault, as from a device that rebooted and forgot us
    // The next this many Renews get no answer before the client gives up
    // (network loss: the device never saw them, or its answer never came).
    int unansweredRenews = 0;
    int unansweredUnsubscribes = 0;  // as unansweredRenews
    // An Unsubscribe of this subscription (wse:Identifier) gets no answer until release().
    std::string holdUnsubscribeOf;
    bool refuseJobEvents = false;  // a Subscribe whose filter names JobEndStateEvent gets a fault
    bool refuseSecond = false;  // a Subscribe without a ScanDestination gets a fault: one subscription per client

    ScriptedSource()
        : server_({"127.0.0.1"}, 0, [this](const wsdsim::HttpRequest &r) { return answer(r); })
    {
    }
    ~ScriptedSource() { release(); }

    void release()
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            released_ = true;
        }
        seen_.notify_all();
    }

    std::string serviceUrl() const { return wsdsim::httpUrl("127.0.0.1", server_.port(), "/wsd/scan"); }

    // Waits (a generous hang guard, no timing asserted) until `action` came `count` times.
    bool waitFor(const std::string &action, std::size_t count)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        return seen_.wait_for(lock, 30s, [&] { return countLocked(action) >= count; });
    }
    std::size_t count(const std::string &action)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return countLocked(action);
    }
    // Waits (a hang guard) until `action` came `count` times for the subscription `identifier`.
    bool waitFor(const std::string &action, const std::string &identifier, std::size_t count)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        return seen_.wait_for(lock, 30s, [&] {
            std::size_t n = 0;
            for (const auto &r : requests_)
                n += r.first == action &&
                     wsd::soap::parse(r.second)->header.child(wsd::ns::Eventing, "Identifier").text() == identifier;
            return n >= count;
        });
    }
    // The requests so far, oldest first: "Action Identifier" (none for a Subscribe).
    std::vector<std::string> sequence()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<std::string> seen;
        for (const auto &r : requests_)
            seen.push_back(r.first + " " +
                           wsd::soap::parse(r.second)->header.child(wsd::ns::Eventing, "Identifier").text());
        return seen;
    }
    // The Subscribes without a ScanDestination: the status/job subscription's.
    std::size_t eventSubscribes()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::size_t n = 0;
        for (const auto &r : requests_)
            n += r.first == "Subscribe" && !wsd::soap::parse(r.second)->payload.child(wsd::ns::Scan, "ScanDestinations");
        return n;
    }
    wsd::soap::Message first(const std::string &action)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const auto &r : requests_)
            if (r.first == action)
                return *wsd::soap::parse(r.second);
        ck_abort_msg("no %s came", action.c_str());
        return {};
    }
    wsd::soap::Message last(const std::string &action)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = requests_.rbegin(); it != requests_.rend(); ++it)
            if (it->first == action)
                return *wsd::soap::parse(it->second);
        ck_abort_msg("no %s came", action.c_str());
        return {};
    }

private:
    std::size_t countLocked(const std::string &action) const
    {
        std::size_t n = 0;
        for (const auto &r : requests_)
            n += r.first == action;
        return n;
    }

    wsdsim::HttpReply answer(const wsdsim::HttpRequest &request)
    {
        auto m = wsd::soap::parse(request.body);
        ck_assert(m.has_value());
        const std::string action = m->action.substr(Wse.size() + 1);
        std::string body;
        if (action == "Subscribe" && refuseJobEvents &&
            m->payload.child(wsd::ns::Eventing, "Filter").text().find("JobEndStateEvent") != std::string::npos) {
            return faultReply(*m, action, request.body, "FilterActionNotSupported");
        }
        if (action == "Subscribe" && refuseSecond && !m->payload.child(wsd::ns::Scan, "ScanDestinations"))
            return faultReply(*m, action, request.body, "EventSourceUnableToProcess");
        if (action == "Subscribe") {
            std::string context =
                m->payload.path(wsd::ns::Scan, {"ScanDestinations", "ScanDestination", "ClientContext"}).text();
            body = "<wse:SubscribeResponse><wse:SubscriptionManager><wsa:Address>" + serviceUrl() +
                   "</wsa:Address><wsa:ReferenceParameters><wse:Identifier>urn:uuid:sub-" +
                   std::to_string(count("Subscribe")) + "</wse:Identifier></wsa:ReferenceParameters>"
                   "</wse:SubscriptionManager><wse:Expires>" + expires + "</wse:Expires><wscn:DestinationResponses>"
                   "<wscn:DestinationResponse><wscn:ClientContext>" + context + "</wscn:ClientContext>"
                   "<wscn:DestinationToken>token-1</wscn:DestinationToken></wscn:DestinationResponse>"
                   "</wscn:DestinationResponses></wse:SubscribeResponse>";
        } else if (action == "Renew" && refuseRenew) {
            return faultReply(*m, action, request.body, "UnableToRenew");
        } else if (action == "Renew") {
            body = "<wse:RenewResponse><wse:Expires>" + expires + "</wse:Expires></wse:RenewResponse>";
        } else {
            body = "<wse:UnsubscribeResponse/>";
        }
        wsd::soap::Addressing a;
        a.to = wsd::ns::AnonymousReply;
        a.action = m->action + "Response";
        a.relatesTo = m->messageId;
        wsdsim::HttpReply reply;
        reply.contentType = "application/soap+xml";
        reply.body = wsd::soap::buildEnvelope(a, {{"wse", Wse.c_str()}, {"wscn", wsd::ns::Scan}},
                                              [&](wsd::xml::Writer &w) { w.raw(body); });
        std::unique_lock<std::mutex> lock(mutex_);
        requests_.emplace_back(action, request.body);
        seen_.notify_all();
        if (action == "Renew" && holdRenew)
            seen_.wait(lock, [this] { return released_; });
        if (action == "Renew" && unansweredRenews > 0) {
            --unansweredRenews;
            // Longer than the client waits (impatient() below); cut short at release().
            seen_.wait_for(lock, 3s, [this] { return released_; });
        }
        if (action == "Unsubscribe" && unansweredUnsubscribes > 0) {
            --unansweredUnsubscribes;
            seen_.wait_for(lock, 3s, [this] { return released_; });
        }
        if (action == "Unsubscribe" && !holdUnsubscribeOf.empty() &&
            m->header.child(wsd::ns::Eventing, "Identifier").text() == holdUnsubscribeOf)
            seen_.wait(lock, [this] { return released_; });
        return reply;
    }

    wsdsim::HttpReply faultReply(const wsd::soap::Message &m, const std::string &action, const std::string &request,
                                 const char *subcode)
    {
        wsd::soap::Addressing a;
        a.to = wsd::ns::AnonymousReply;
        a.relatesTo = m.messageId;
        wsdsim::HttpReply fault;
        fault.status = 500;
        fault.contentType = "application/soap+xml";
        fault.body = wsd::soap::buildFault(a, {"Receiver", subcode, "refused", ""});
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.emplace_back(action, request);
        seen_.notify_all();
        return fault;
    }

    std::mutex mutex_;
    std::condition_variable seen_;
    std::vector<std::pair<std::string, std::string>> requests_;
    bool released_ = false;
    wsdsim::HttpServer server_;  // last: stops before what its handler uses goes

public:
    TempHandOver handOver;
};

wsd::PanelConfig config(const ScriptedSource &source)
{
    wsd::PanelConfig c;
    c.serviceUrl = source.serviceUrl();
    c.displayName = "test host";
    c.http.connectTimeoutMs = c.http.timeoutMs = 5000;
    c.closeHttp = c.http;
    c.handOverPath = source.handOver.path;
    return c;
}

std::unique_ptr<wsd::PanelSubscription> subscribed(ScriptedSource &source,
                                                   std::shared_ptr<wsd::JobEvents> jobEvents = nullptr)
{
    wsd::PanelConfig c = config(source);
    c.jobEvents = std::move(jobEvents);
    auto panel = wsd::PanelSubscription::start(c, std::chrono::steady_clock::now() + 10s);
    ck_assert(panel);
    return panel;
}

std::string jobEndState(const std::string &to, int jobId)
{
    wsd::soap::Addressing a;
    a.to = to;
    a.action = std::string(wsd::ns::ScanActionPrefix) + "JobEndStateEvent";
    return wsd::soap::buildEnvelope(a, {{"wscn", wsd::ns::Scan}}, [&](wsd::xml::Writer &w) {
        w.start("wscn", "JobEndStateEvent").start("wscn", "JobEndState");
        w.element("wscn", "JobId", std::to_string(jobId)).element("wscn", "JobCompletedState", "Canceled");
        w.start("wscn", "JobCompletedStateReasons").element("wscn", "JobStateReason", "JobCanceledByUser").end();
        w.end().end();
    });
}

std::string scanAvailable(const std::string &to, const std::string &identifier, const std::string &context,
                          const std::string &extra = "")
{
    wsd::soap::Addressing a;
    a.to = to;
    a.action = std::string(wsd::ns::ScanActionPrefix) + "ScanAvailableEvent";
    return wsd::soap::buildEnvelope(
        a, {{"wse", Wse.c_str()}, {"wscn", wsd::ns::Scan}},
        [&](wsd::xml::Writer &w) {
            w.start("wscn", "ScanAvailableEvent").element("wscn", "ClientContext", context);
            w.element("wscn", "ScanIdentifier", "scan-id-5").element("wscn", "InputSource", "ADF").end();
            if (!extra.empty())
                w.raw(extra);
        },
        [&](wsd::xml::Writer &w) {
            if (!identifier.empty())
                w.element("wse", "Identifier", identifier);
        });
}

long post(const std::string &url, const std::string &body)
{
    wsd::http::Options o;
    o.connectTimeoutMs = o.timeoutMs = 5000;
    return wsd::http::post({url, body}, o).status;
}

// The ClientContext and NotifyTo identifier we subscribed with.
std::string subscribedText(ScriptedSource &source, std::initializer_list<const char *> path, const char *ns)
{
    return source.last("Subscribe").payload.path(ns, path).text();
}

// The ClientContext of the panel's subscription, the first Subscribe with a destination.
std::string panelContext(ScriptedSource &source)
{
    return source.first("Subscribe")
        .payload.path(wsd::ns::Scan, {"ScanDestinations", "ScanDestination", "ClientContext"})
        .text();
}

}  // namespace

START_TEST(press_reaches_the_options_and_the_job)
{
    ScriptedSource source;
    auto panel = subscribed(source);
    auto subscribe = source.last("Subscribe");
    ck_assert(subscribe.payload.path(wsd::ns::Scan, {"ScanDestinations", "ScanDestination", "ClientDisplayName"})
                  .text() == "test host");
    const std::string context =
        subscribedText(source, {"ScanDestinations", "ScanDestination", "ClientContext"}, wsd::ns::Scan);
    const std::string identifier = subscribe.payload.path(wsd::ns::Eventing, {"Delivery", "NotifyTo"})
                                       .child(wsd::ns::Addressing, "ReferenceParameters")
                                       .child(wsd::ns::Eventing, "Identifier")
                                       .text();
    const std::string notifyTo = panel->notifyTo();
    ck_assert(subscribe.payload.path(wsd::ns::Eventing, {"Delivery", "NotifyTo"}).child(wsd::ns::Addressing, "Address")
                  .text() == notifyTo);
    ck_assert(notifyTo.rfind("http://127.0.0.1:", 0) == 0);  // the address that routes to the device

    ck_assert(!panel->takeButton());
    ck_assert(!panel->takePress());
    ck_assert_int_eq(post(notifyTo, scanAvailable(notifyTo, identifier, context)), 202);
    ck_assert(panel->takeButton());
    ck_assert(!panel->takeButton());  // reading clears the button ...
    const std::string pending = panel->pendingSource();
    ck_assert_str_eq(pending.c_str(), "ADF");  // ... not the press
    auto press = panel->takePress();
    ck_assert(press.has_value());
    ck_assert_str_eq(press->scanIdentifier.c_str(), "scan-id-5");
    ck_assert_str_eq(press->destinationToken.c_str(), "token-1");
    ck_assert(!panel->takePress());

    panel.reset();
    ck_assert_int_eq(static_cast<int>(source.count("Unsubscribe")), 1);
    ck_assert(source.last("Unsubscribe").header.child(wsd::ns::Eventing, "Identifier").text() == "urn:uuid:sub-0");
}
END_TEST

START_TEST(events_not_for_us_refused)
{
    ScriptedSource source;
    auto panel = subscribed(source);
    const std::string context =
        subscribedText(source, {"ScanDestinations", "ScanDestination", "ClientContext"}, wsd::ns::Scan);
    const std::string notifyTo = panel->notifyTo();
    const std::string base = notifyTo.substr(0, notifyTo.find("/wsd-events/"));
    // Another path, another identifier, another destination, another To.
    ck_assert_int_eq(post(base + "/wsd-events/guess", scanAvailable(notifyTo, "", context)), 404);
    ck_assert_int_eq(post(notifyTo, scanAvailable(notifyTo, "urn:uuid:forged", context)), 400);
    ck_assert_int_eq(post(notifyTo, scanAvailable(notifyTo, "", "someone-else")), 400);
    ck_assert_int_eq(post(notifyTo, scanAvailable(base + "/elsewhere", "", context)), 400);
    // Malformed and oversized bodies.
    ck_assert_int_eq(post(notifyTo, "<not-soap/>"), 400);
    ck_assert_int_eq(post(notifyTo, scanAvailable(notifyTo, "", context, "<!--" + std::string(70000, '-') + "-->")),
                     413);
    ck_assert(!panel->takeButton());
    ck_assert(!panel->takePress());
    // Our own address spelt otherwise (a URI all the same) is ours.
    ck_assert_int_eq(post(notifyTo, scanAvailable("HTTP" + notifyTo.substr(4), "", context)), 202);
    ck_assert(panel->takeButton());
}
END_TEST

START_TEST(renews_and_resubscribes)
{
    ScriptedSource source;
    source.expires = "PT2S";  // renewed after a second
    auto panel = subscribed(source);
    ck_assert(source.waitFor("Renew", 2));
    ck_assert(source.last("Renew").header.child(wsd::ns::Eventing, "Identifier").text() == "urn:uuid:sub-0");

    // The device ends the subscription (it shuts down): a new Subscribe follows.
    const std::string notifyTo = panel->notifyTo();
    wsd::soap::Addressing a;
    a.to = notifyTo;
    a.action = Wse + "/SubscriptionEnd";
    std::string end = wsd::soap::buildEnvelope(a, {{"wse", Wse.c_str()}}, [&](wsd::xml::Writer &w) {
        w.start("wse", "SubscriptionEnd").start("wse", "SubscriptionManager");
        w.element("wsa", "Address", source.serviceUrl());
        w.start("wsa", "ReferenceParameters").element("wse", "Identifier", "urn:uuid:sub-0").end().end();
        w.element("wse", "Status", Wse + "/SourceShuttingDown").end();
    });
    ck_assert_int_eq(post(notifyTo, end), 202);
    ck_assert(source.waitFor("Subscribe", 2));
}
END_TEST

START_TEST(refused_renew_subscribes_again)
{
    ScriptedSource source;
    source.expires = "PT2S";
    source.refuseRenew = true;
    auto panel = subscribed(source);
    ck_assert(source.waitFor("Renew", 1));
    ck_assert(source.waitFor("Subscribe", 2));  // the device forgot us: a new subscription
}
END_TEST

// A client that gives up on a Subscribe or Renew after half a second (on
// an Unsubscribe, which a test holds on purpose, only after a hang guard's time).
std::unique_ptr<wsd::PanelSubscription> impatient(ScriptedSource &source,
                                                  std::shared_ptr<wsd::JobEvents> jobEvents = nullptr)
{
    wsd::PanelConfig c = config(source);
    c.http.connectTimeoutMs = c.http.timeoutMs = 500;
    c.closeHttp.timeoutMs = 30000;
    c.jobEvents = std::move(jobEvents);
    auto panel = wsd::PanelSubscription::start(c, std::chrono::steady_clock::now() + 10s);
    ck_assert(panel);
    return panel;
}

START_TEST(unanswered_renew_renews_again)
{
    ScriptedSource source;
    source.expires = "PT4S";
    source.unansweredRenews = 1;  // the network is back before the subscription expires
    auto panel = impatient(source);
    ck_assert(source.waitFor("Renew", 2));
    // The same subscription renewed: a new Subscribe would list us twice.
    ck_assert(source.last("Renew").header.child(wsd::ns::Eventing, "Identifier").text() == "urn:uuid:sub-0");
    ck_assert_int_eq(static_cast<int>(source.count("Subscribe")), 1);
    ck_assert(panel->manager().has_value());
}
END_TEST

START_TEST(unanswered_until_expiry_subscribes_again)
{
    ScriptedSource source;
    source.expires = "PT2S";
    source.unansweredRenews = 1000;  // the network stays down past the expiry
    auto panel = impatient(source);
    ck_assert(source.waitFor("Renew", 1));
    // Run out: a new Subscribe (not another Renew) follows, after an
    // Unsubscribe of the old one, which a Renew delayed by the network may
    // have kept alive on the device.
    ck_assert(source.waitFor("Subscribe", 2));
    ck_assert_int_eq(static_cast<int>(source.count("Unsubscribe")), 1);
    ck_assert(source.last("Unsubscribe").header.child(wsd::ns::Eventing, "Identifier").text() == "urn:uuid:sub-0");
}
END_TEST

// A subscription given up on whose Unsubscribe got no answer (the link was
// back a moment later): the new one is made all the same, and the old one
// is left before the new one's first Renew.
START_TEST(lost_subscription_left_before_the_next_renew)
{
    ScriptedSource source;
    source.expires = "PT2S";
    source.unansweredRenews = 1;  // the device out of reach until the subscription ran out
    source.unansweredUnsubscribes = 1;
    wsd::PanelConfig c = config(source);
    c.http.connectTimeoutMs = c.http.timeoutMs = c.closeHttp.connectTimeoutMs = c.closeHttp.timeoutMs = 500;
    auto panel = wsd::PanelSubscription::start(c, std::chrono::steady_clock::now() + 10s);
    ck_assert(panel);
    ck_assert(source.waitFor("Renew", "urn:uuid:sub-1", 1));
    const std::vector<std::string> seen = source.sequence();
    const auto renewed = std::find(seen.begin(), seen.end(), "Renew urn:uuid:sub-1");
    ck_assert_int_eq(static_cast<int>(std::count(seen.begin(), renewed, "Unsubscribe urn:uuid:sub-0")), 2);
    ck_assert_int_eq(static_cast<int>(std::count(seen.begin(), seen.end(), "Subscribe ")), 2);
}
END_TEST

// The status/job subscription across a short outage: each subscription's
// first Renew unanswered, the next answered before the expiry. Both are
// renewed, none made anew, and the worker stays on the events: an
// unanswered Renew gives nothing up.
START_TEST(unanswered_renews_keep_the_job_events)
{
    ScriptedSource source;
    source.expires = "PT6S";
    source.unansweredRenews = 2;  // the panel's Renew, then the events'
    auto jobEvents = std::make_shared<wsd::JobEvents>();
    auto panel = impatient(source, jobEvents);
    ck_assert(source.waitFor("Renew", 2));
    ck_assert(jobEvents->live());
    ck_assert(source.waitFor("Renew", "urn:uuid:sub-0", 2));
    ck_assert(source.waitFor("Renew", "urn:uuid:sub-1", 2));
    ck_assert_int_eq(static_cast<int>(source.count("Subscribe")), 2);
    ck_assert(jobEvents->live());
    panel.reset();
    ck_assert_int_eq(static_cast<int>(source.count("Unsubscribe")), 2);  // each once: none given up on
}
END_TEST

// Waits (a hang guard) until jobEvents says live: its fd is readable after each change.
bool becomesLive(wsd::JobEvents &jobEvents)
{
    for (;;) {
        jobEvents.clearWake();
        if (jobEvents.live())
            return true;
        pollfd p{jobEvents.fd(), POLLIN, 0};
        if (poll(&p, 1, 30000) <= 0)
            return false;
    }
}

// The status/job subscription run out while its Renews got no answer: the
// worker polls from then on, the subscription given up on is Unsubscribed
// before a new one is made (else a Renew held up by the network could keep
// it, and the device send each event twice), and with the new one the
// worker follows the events again.
START_TEST(events_given_up_on_left_before_subscribing_again)
{
    ScriptedSource source;
    source.expires = "PT2S";
    source.unansweredRenews = 1000;  // the network stays down past the expiry ...
    source.holdUnsubscribeOf = "urn:uuid:sub-1";  // ... and while the events' is left
    auto jobEvents = std::make_shared<wsd::JobEvents>();
    auto panel = impatient(source, jobEvents);
    ck_assert(jobEvents->live());
    ck_assert(source.waitFor("Unsubscribe", "urn:uuid:sub-1", 1));
    ck_assert(!jobEvents->live());
    ck_assert_int_eq(static_cast<int>(source.eventSubscribes()), 1);  // not made anew before the Unsubscribe
    source.release();  // the network is back: every request answered
    ck_assert(becomesLive(*jobEvents));
    ck_assert_int_eq(static_cast<int>(source.eventSubscribes()), 2);
    // The panel's, given up on too, left the same way.
    ck_assert(source.waitFor("Unsubscribe", "urn:uuid:sub-0", 1));
}
END_TEST

START_TEST(close_does_not_wait_for_a_silent_device)
{
    ScriptedSource source;
    source.expires = "PT2S";
    source.holdRenew = true;
    auto panel = subscribed(source);
    ck_assert(source.waitFor("Renew", 1));
    // The Renew hangs on the device; closing drops it and still Unsubscribes
    // (a hang here is caught by the test's timeout).
    panel.reset();
    ck_assert_int_eq(static_cast<int>(source.count("Unsubscribe")), 1);
    source.release();
}
END_TEST

START_TEST(job_events_reach_the_worker)
{
    ScriptedSource source;
    auto jobEvents = std::make_shared<wsd::JobEvents>();
    auto panel = subscribed(source, jobEvents);
    ck_assert_int_eq(static_cast<int>(source.count("Subscribe")), 2);  // the panel's, then the events'
    auto subscribe = source.last("Subscribe");
    const std::string filter = subscribe.payload.child(wsd::ns::Eventing, "Filter").text();
    ck_assert(filter.find("JobStatusEvent") != std::string::npos);
    ck_assert(filter.find("JobEndStateEvent") != std::string::npos);
    ck_assert(filter.find("ScannerStatusSummaryEvent") != std::string::npos);
    ck_assert(filter.find("ScanAvailableEvent") == std::string::npos);
    ck_assert(!subscribe.payload.child(wsd::ns::Scan, "ScanDestinations"));  // no second name on the panel
    ck_assert(subscribe.payload.path(wsd::ns::Eventing, {"Delivery", "NotifyTo"}).child(wsd::ns::Addressing, "Address")
                  .text() == panel->eventsNotifyTo());
    ck_assert(panel->eventsNotifyTo() != panel->notifyTo());
    ck_assert(jobEvents->live());

    jobEvents->watch(41);
    const std::string notifyTo = panel->eventsNotifyTo();
    ck_assert_int_eq(post(notifyTo, jobEndState(notifyTo, 40)), 202);  // another client's job: answered, ignored
    ASSERT_STRING_EQ(jobEvents->endedState(41), "");
    ck_assert_int_eq(post(notifyTo, jobEndState(notifyTo, 41)), 202);
    ASSERT_STRING_EQ(jobEvents->endedState(41), "Canceled");

    panel.reset();  // the handle closes: nothing more will come
    ck_assert(!jobEvents->live());
}
END_TEST

START_TEST(job_events_refused_keeps_the_status_events)
{
    ScriptedSource source;
    source.refuseJobEvents = true;
    auto jobEvents = std::make_shared<wsd::JobEvents>();
    auto panel = subscribed(source, jobEvents);
    ck_assert_int_eq(static_cast<int>(source.count("Subscribe")), 3);  // the panel's, then two for the events
    const std::string filter = source.last("Subscribe").payload.child(wsd::ns::Eventing, "Filter").text();
    ck_assert(filter.find("JobEndStateEvent") == std::string::npos);
    ck_assert(filter.find("ScannerStatusSummaryEvent") != std::string::npos);
    ck_assert(!jobEvents->live());  // the worker polls
}
END_TEST

// The panel subscription carries ScanAvailableEvent alone; the events'
// subscription is renewed, re-made and Unsubscribed on its own, even when
// the panel's is handed over (its events would go to a closed listener).
START_TEST(events_subscription_apart_from_the_panel)
{
    ScriptedSource source;
    auto jobEvents = std::make_shared<wsd::JobEvents>();
    auto panel = subscribed(source, jobEvents);
    auto events = source.last("Subscribe");  // the events' (sub-1)
    const std::string eventsIdentifier = events.payload.path(wsd::ns::Eventing, {"Delivery", "NotifyTo"})
                                             .child(wsd::ns::Addressing, "ReferenceParameters")
                                             .child(wsd::ns::Eventing, "Identifier")
                                             .text();
    ck_assert(!events.payload.child(wsd::ns::Scan, "ScanDestinations"));
    // A press sent to the events' address is not one.
    ck_assert_int_eq(post(panel->eventsNotifyTo(), scanAvailable(panel->eventsNotifyTo(), eventsIdentifier, "x")), 400);
    ck_assert(!panel->takeButton());

    // The device ends the events' subscription: only it is made again.
    wsd::soap::Addressing a;
    a.to = panel->eventsNotifyTo();
    a.action = Wse + "/SubscriptionEnd";
    std::string end = wsd::soap::buildEnvelope(a, {{"wse", Wse.c_str()}}, [&](wsd::xml::Writer &w) {
        w.start("wse", "SubscriptionEnd").start("wse", "SubscriptionManager");
        w.element("wsa", "Address", source.serviceUrl());
        w.start("wsa", "ReferenceParameters").element("wse", "Identifier", "urn:uuid:sub-1").end().end();
        w.element("wse", "Status", Wse + "/DeliveryFailure").end();
    });
    ck_assert_int_eq(post(panel->eventsNotifyTo(), end), 202);
    ck_assert(source.waitFor("Subscribe", 3));
    ck_assert(!source.last("Subscribe").payload.child(wsd::ns::Scan, "ScanDestinations"));

    // A press read and not scanned: the panel's subscription is handed
    // over, the events' (now sub-2) Unsubscribed.
    ck_assert_int_eq(post(panel->notifyTo(), scanAvailable(panel->notifyTo(), "", panelContext(source))), 202);
    ck_assert(panel->takeButton());
    panel.reset();
    ck_assert_int_eq(static_cast<int>(source.count("Unsubscribe")), 1);
    ck_assert(source.last("Unsubscribe").header.child(wsd::ns::Eventing, "Identifier").text() == "urn:uuid:sub-2");
    auto entry = wsd::handover::take({source.serviceUrl()}, source.handOver.path);
    ck_assert(entry.has_value());
    ck_assert_str_eq(entry->manager.identifier.c_str(), "urn:uuid:sub-0");
    ck_assert(!jobEvents->live());
}
END_TEST

// A device that takes one subscription per client: the panel works, the worker polls.
START_TEST(second_subscription_refused)
{
    ScriptedSource source;
    source.refuseSecond = true;
    auto jobEvents = std::make_shared<wsd::JobEvents>();
    auto panel = subscribed(source, jobEvents);
    ck_assert_int_eq(static_cast<int>(source.count("Subscribe")), 3);  // the panel's, then both event sets
    ck_assert(!jobEvents->live());
    ck_assert_int_eq(post(panel->notifyTo(), scanAvailable(panel->notifyTo(), "", panelContext(source))), 202);
    ck_assert(panel->takeButton());
    ck_assert(panel->takePress());
    panel.reset();
    ck_assert_int_eq(static_cast<int>(source.count("Unsubscribe")), 1);
    ck_assert(source.last("Unsubscribe").header.child(wsd::ns::Eventing, "Identifier").text() == "urn:uuid:sub-0");
}
END_TEST

START_TEST(read_press_handed_over_at_close)
{
    ScriptedSource source;
    auto panel = subscribed(source);
    const std::string context =
        subscribedText(source, {"ScanDestinations", "ScanDestination", "ClientContext"}, wsd::ns::Scan);
    ck_assert_int_eq(post(panel->notifyTo(), scanAvailable(panel->notifyTo(), "", context)), 202);
    ck_assert(panel->takeButton());  // a button daemon saw it, then closes to run its script
    panel.reset();
    ck_assert_int_eq(static_cast<int>(source.count("Unsubscribe")), 0);  // the token lives on

    const std::vector<std::string> services = {source.serviceUrl()};
    auto deadline = wsd::handover::liveDeadline(services, source.handOver.path);
    ck_assert(deadline.has_value());
    ck_assert(*deadline > wsd::handover::nowMs());
    auto entry = wsd::handover::take(services, source.handOver.path);
    ck_assert(entry.has_value());
    ck_assert_str_eq(entry->press.scanIdentifier.c_str(), "scan-id-5");
    ck_assert_str_eq(entry->press.destinationToken.c_str(), "token-1");
    ck_assert_str_eq(entry->press.inputSource.c_str(), "ADF");
    ck_assert_str_eq(entry->manager.identifier.c_str(), "urn:uuid:sub-0");
    ck_assert(entry->manager.address == source.serviceUrl());
    ck_assert(!wsd::handover::take(services, source.handOver.path));  // taken once
}
END_TEST

START_TEST(unread_or_scanned_press_not_handed_over)
{
    for (bool scanned : {false, true}) {
        ScriptedSource source;
        auto panel = subscribed(source);
        const std::string context =
            subscribedText(source, {"ScanDestinations", "ScanDestination", "ClientContext"}, wsd::ns::Scan);
        ck_assert_int_eq(post(panel->notifyTo(), scanAvailable(panel->notifyTo(), "", context)), 202);
        if (scanned) {
            ck_assert(panel->takeButton());
            ck_assert(panel->takePress());
        }
        panel.reset();
        ck_assert_int_eq(static_cast<int>(source.count("Unsubscribe")), 1);
        ck_assert(!wsd::handover::take({source.serviceUrl()}, source.handOver.path));
    }
}
END_TEST

START_TEST(later_subscribe_ends_a_stale_hand_over)
{
    ScriptedSource source;
    wsd::handover::Entry stale;
    stale.serviceUrl = source.serviceUrl();
    stale.manager.address = source.serviceUrl();
    stale.manager.identifier = "urn:uuid:stale";
    stale.manager.referenceParameters = {"<wse:Identifier xmlns:wse=\"" + Wse + "\">urn:uuid:stale</wse:Identifier>"};
    stale.press = {"scan-id-1", "token-0", "Platen"};
    stale.deadlineMs = wsd::handover::nowMs() - 1;  // nobody took it in time
    ck_assert(wsd::handover::put(stale, source.handOver.path));

    wsd::PanelConfig c = config(source);
    c.subscribeAfter = std::chrono::steady_clock::now();
    auto panel = wsd::PanelSubscription::start(c, std::chrono::steady_clock::now() + 10s);
    ck_assert(panel);
    ck_assert(source.waitFor("Subscribe", 1));  // from the renewal thread
    ck_assert_int_eq(static_cast<int>(source.count("Unsubscribe")), 1);
    ck_assert(source.last("Unsubscribe").header.child(wsd::ns::Eventing, "Identifier").text() == "urn:uuid:stale");
    ck_assert(!wsd::handover::liveDeadline({source.serviceUrl()}, source.handOver.path));
}
END_TEST

START_TEST(hand_over_file)
{
    TempHandOver file;
    using namespace wsd::handover;
    Entry e;
    e.serviceUrl = "http://192.0.2.1/scan";
    e.manager.address = "http://192.0.2.1/sub";
    e.manager.identifier = "urn:uuid:1";
    // Reference parameters are serialised XML: tabs, line ends and '%' survive.
    e.manager.referenceParameters = {"<a>\t%41\nx</a>", "<b/>"};
    e.press = {"id\t1", "tok%en\n", ""};
    e.deadlineMs = nowMs() + 60000;
    ck_assert(put(e, file.path));
    Entry other = e;
    other.serviceUrl = "http://192.0.2.2/scan";
    other.deadlineMs = nowMs() - 1;
    ck_assert(put(other, file.path));

    ck_assert(!take({"http://192.0.2.9/scan"}, file.path));
    ck_assert(!take({other.serviceUrl}, file.path));  // expired: not a press any more
    auto got = take({"http://192.0.2.9/scan", e.serviceUrl}, file.path);
    ck_assert(got.has_value());
    ck_assert(got->manager.referenceParameters == e.manager.referenceParameters);
    ck_assert(got->press.scanIdentifier == e.press.scanIdentifier);
    ck_assert(got->press.destinationToken == e.press.destinationToken);
    ck_assert(got->press.inputSource.empty());
    ck_assert(got->deadlineMs == e.deadlineMs);
    ck_assert(!take({e.serviceUrl}, file.path));
    auto expired = takeExpired({other.serviceUrl}, file.path);
    ck_assert_int_eq(static_cast<int>(expired.size()), 1);
    ck_assert(expired.front().manager.identifier == "urn:uuid:1");
    ck_assert(takeExpired({other.serviceUrl}, file.path).empty());

    // A second press of one scanner replaces the first.
    ck_assert(put(e, file.path));
    e.press.scanIdentifier = "second";
    ck_assert(put(e, file.path));
    ck_assert(take({e.serviceUrl}, file.path)->press.scanIdentifier == "second");
    ck_assert(!take({e.serviceUrl}, file.path));

    // Too much to store: refused, so the caller Unsubscribes.
    Entry big = e;
    big.manager.referenceParameters.assign(9, "<p/>");
    ck_assert(!put(big, file.path));
    big = e;
    big.press.destinationToken.assign(5000, 't');
    ck_assert(!put(big, file.path));

    // Lines that are not ours are dropped, ours kept.
    ck_assert(put(e, file.path));
    {
        std::ofstream out(file.path, std::ios::app);
        out << "v1\tnot-a-number\tx\n"
            << "v1\t1\thttp://192.0.2.3/scan\ta\ti\ts\tt\tPlaten\t5\n"
            << "v2\tfuture\n"
            << "v1\t99999999999999\thttp://192.0.2.3/scan\ta\ti\ts\tt\tPlaten\t0\t%ZZ\n";
    }
    ck_assert(!take({"http://192.0.2.3/scan"}, file.path));
    ck_assert(take({e.serviceUrl}, file.path).has_value());
}
END_TEST

// Button daemon scripts may start two frontends at once: one takes the press.
START_TEST(hand_over_taken_once_by_racing_takers)
{
    TempHandOver file;
    wsd::handover::Entry e;
    e.serviceUrl = "http://192.0.2.1/scan";
    e.manager.address = "http://192.0.2.1/sub";
    e.press = {"id", "token", "Platen"};
    for (int round = 0; round < 20; ++round) {
        e.deadlineMs = wsd::handover::nowMs() + 60000;
        ck_assert(wsd::handover::put(e, file.path));
        std::vector<int> got(8, 0);
        std::vector<std::thread> takers;
        for (std::size_t i = 0; i < got.size(); ++i)
            takers.emplace_back([&, i] { got[i] = wsd::handover::take({e.serviceUrl}, file.path).has_value(); });
        for (std::thread &t : takers)
            t.join();
        int taken = 0;
        for (int g : got)
            taken += g;
        ck_assert_int_eq(taken, 1);
    }
}
END_TEST

Suite *panelSubscriptionSuite()
{
    Suite *s = suite_create("panel subscription");
    TCase *tc = tcase_create("loopback");
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, press_reaches_the_options_and_the_job);
    tcase_add_test(tc, events_not_for_us_refused);
    tcase_add_test(tc, renews_and_resubscribes);
    tcase_add_test(tc, refused_renew_subscribes_again);
    tcase_add_test(tc, unanswered_renew_renews_again);
    tcase_add_test(tc, unanswered_until_expiry_subscribes_again);
    tcase_add_test(tc, lost_subscription_left_before_the_next_renew);
    tcase_add_test(tc, unanswered_renews_keep_the_job_events);
    tcase_add_test(tc, events_given_up_on_left_before_subscribing_again);
    tcase_add_test(tc, close_does_not_wait_for_a_silent_device);
    tcase_add_test(tc, job_events_reach_the_worker);
    tcase_add_test(tc, job_events_refused_keeps_the_status_events);
    tcase_add_test(tc, events_subscription_apart_from_the_panel);
    tcase_add_test(tc, second_subscription_refused);
    tcase_add_test(tc, read_press_handed_over_at_close);
    tcase_add_test(tc, unread_or_scanned_press_not_handed_over);
    tcase_add_test(tc, later_subscribe_ends_a_stale_hand_over);
    suite_add_tcase(s, tc);
    TCase *file = tcase_create("hand-over file");
    tcase_add_test(file, hand_over_file);
    tcase_add_test(file, hand_over_taken_once_by_racing_takers);
    suite_add_tcase(s, file);
    return s;
}
