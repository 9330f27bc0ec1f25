// wsd-sim as a WS-Eventing event source: the subscription table (expiry,
// renew, unsubscribe, filter actions, tokens) on an injected clock, the
// Subscribe/Renew/GetStatus/Unsubscribe answers and faults, the panel
// presses and the device-initiated CreateScanJob, and the events queued for
// subscribers (read from the queue: no sender thread, no network).
// Before check.h: its fail() macro breaks the iostream headers json.hpp includes.
#include <nlohmann/json.hpp>

#include "suites.h"

#include "test_sim_support.h"

#include "../sim/control_api.h"
#include "../sim/event_messages.h"
#include "../sim/eventing_names.h"
#include "../sim/eventing_service.h"
#include "../sim/panel_presses.h"
#include "../sim/status_events.h"
#include "../sim/subscriptions.h"

using namespace simtest;
using namespace wsdsim;

namespace {

using Clock = std::chrono::steady_clock;

// A clock tests move by hand.
struct FakeClock {
    Clock::time_point now = Clock::time_point() + std::chrono::hours(1);
    std::function<Clock::time_point()> fn() { return [this] { return now; }; }
};

Subscription subscriber(const std::string &name = "")
{
    Subscription s;
    s.client = "127.0.0.1";
    s.notifyTo.address = "http://127.0.0.1:9/events";
    s.actions = allEventActions();
    if (!name.empty())
        s.destinations.push_back({name, "ctx-" + name, ""});
    return s;
}

const std::string A = wsd::ns::ScanActionPrefix;
const std::string E = "http://schemas.xmlsoap.org/ws/2004/08/eventing/";
const char *const ServiceUrl = "http://127.0.0.1:1/wsd/scan";

// A WS-Eventing request to the scan service of makeDevice().
std::string eventingRequest(const std::string &operation, const std::string &body, const std::string &identifier = "")
{
    wsd::soap::Addressing a;
    a.to = ServiceUrl;
    a.action = E + operation;
    a.replyToAnonymous = true;
    return wsd::soap::buildEnvelope(a, {{"wse", wsd::ns::Eventing}, {"wscn", wsd::ns::Scan}},
                                    [&](wsd::xml::Writer &w) { w.raw(body); },
                                    [&](wsd::xml::Writer &w) {
                                        if (!identifier.empty())
                                            w.element("wse", "Identifier", identifier);
                                    });
}

std::string subscribeBody(const std::string &filter, const std::string &extra, const std::string &expires = "PT1H")
{
    return "<wse:Subscribe><wse:Delivery><wse:NotifyTo><wsa:Address>http://127.0.0.1:9/events</wsa:Address>"
           "<wsa:ReferenceParameters><wse:Identifier>urn:uuid:sink</wse:Identifier></wsa:ReferenceParameters>"
           "</wse:NotifyTo></wse:Delivery><wse:Expires>" + expires + "</wse:Expires>" + filter + extra +
           "</wse:Subscribe>";
}

std::string actionFilter(const std::string &uris)
{
    return "<wse:Filter Dialect=\"http://schemas.xmlsoap.org/ws/2006/02/devprof/Action\">" + uris + "</wse:Filter>";
}

std::string destinations(const std::string &name)
{
    return "<wscn:ScanDestinations><wscn:ScanDestination><wscn:ClientDisplayName>" + name +
           "</wscn:ClientDisplayName><wscn:ClientContext>ctx-" + name +
           "</wscn:ClientContext></wscn:ScanDestination></wscn:ScanDestinations>";
}

struct Reply {
    int status = 0;
    std::optional<wsd::soap::Message> message;
    std::string subcode() const { return message && message->fault ? message->fault->subcode : ""; }
    std::string text(const char *ns, const char *local) const
    {
        return message ? message->doc.root().descendant(ns, local).text() : "";
    }
};

Reply ask(EventingService &service, const std::string &envelope)
{
    std::optional<HttpReply> r = service.handle(envelope, "127.0.0.1");
    ck_assert_msg(r.has_value(), "not taken as a WS-Eventing request");
    Reply out{r->status, wsd::soap::parse(r->body)};
    ck_assert_msg(out.message.has_value(), "answer is not SOAP: %s", r->body.c_str());
    return out;
}

// The events queued for subscribers, by operation name.
std::vector<OutgoingMessage> queued(SimDevice &device) { return device.events.take().messages; }

}  // namespace

START_TEST(table_expiry_and_renew)
{
    FakeClock clock;
    SubscriptionTable table(clock.fn());
    std::optional<Subscription> s = table.add(subscriber("Alice"), std::chrono::seconds(10));
    ck_assert(s.has_value());
    ck_assert(s->id.rfind("urn:uuid:", 0) == 0);
    ck_assert_int_eq(table.remaining(s->id)->count(), 10);
    clock.now += std::chrono::seconds(6);
    ck_assert(table.renew(s->id, std::chrono::seconds(10)));
    clock.now += std::chrono::seconds(9);
    ck_assert(table.find(s->id).has_value());
    ck_assert_int_eq(table.panel().size(), 1);
    clock.now += std::chrono::seconds(2);
    // Expired: gone for every lookup at once, and handed over once.
    ck_assert(!table.find(s->id));
    ck_assert(!table.renew(s->id, std::chrono::seconds(10)));
    ck_assert(table.panel().empty());
    ck_assert(table.subscribersTo(eventAction("JobStatusEvent")).empty());
    ck_assert_int_eq(table.expire().size(), 1);
    ck_assert(table.expire().empty());
}
END_TEST

START_TEST(table_unsubscribe_tokens_and_bounds)
{
    FakeClock clock;
    SubscriptionTable table(clock.fn());
    Subscription two = subscriber("Alice");
    two.destinations.push_back({"Alice - Photo", "ctx-photo", ""});
    std::optional<Subscription> a = table.add(two, std::chrono::seconds(60));
    std::optional<Subscription> b = table.add(subscriber("Bob"), std::chrono::seconds(60));
    // Every destination has a token of its own.
    ck_assert(!a->destinations[0].token.empty());
    ck_assert(a->destinations[0].token != a->destinations[1].token);
    ck_assert(a->destinations[0].token != b->destinations[0].token);
    ck_assert_int_eq(table.panel().size(), 3);
    ck_assert(table.remove(a->id).has_value());
    ck_assert(!table.remove(a->id).has_value());
    ck_assert_int_eq(table.panel().size(), 1);
    SIM_ASSERT_EQ(table.panel()[0].destination.displayName, "Bob");
    while (table.size() < SubscriptionTable::MaxSubscriptions)
        ck_assert(table.add(subscriber(), std::chrono::seconds(60)).has_value());
    ck_assert(!table.add(subscriber(), std::chrono::seconds(60)).has_value());
    ck_assert_int_eq(table.clear().size(), SubscriptionTable::MaxSubscriptions);
    ck_assert_int_eq(table.size(), 0);
}
END_TEST

START_TEST(filter_actions)
{
    std::string unsupported;
    auto one = selectedActions(" " + A + "ScanAvailableEvent\n", &unsupported);
    ck_assert(one.has_value());
    ck_assert_int_eq(one->size(), 1);
    // A segment-wise prefix selects every event under it.
    auto all = selectedActions("http://schemas.microsoft.com/windows/2006/08/wdp/scan", &unsupported);
    ck_assert(all.has_value());
    ck_assert_int_eq(all->size(), eventing::ScanEvents.size());
    ck_assert(!selectedActions("http://schemas.microsoft.com/windows/2006/08/wdp/sc", &unsupported));
    ck_assert(!selectedActions(A + "ScanAvailableEvent " + A + "NoSuchEvent", &unsupported));
    SIM_ASSERT_EQ(unsupported, A + "NoSuchEvent");
    // The bare name of the documentation's example is no action URI.
    ck_assert(!selectedActions("ScanAvailableEvent", &unsupported));
    ck_assert(!selectedActions("  ", &unsupported));
}
END_TEST

START_TEST(expiration_values)
{
    ck_assert_int_eq(*parseDurationSeconds("PT30M"), 1800);
    ck_assert_int_eq(*parseDurationSeconds("P0Y0M0DT30H0M0S"), 108000);
    ck_assert_int_eq(*parseDurationSeconds(" PT1.5S "), 2);
    ck_assert_int_eq(*parseDurationSeconds("P1D"), 86400);
    for (const char *bad : {"", "P", "PT", "-PT10S", "PT10", "P1S", "PT1H1H", "PT1S1M", "P1.5D", "10", "PT.S", "PT1..5S"})
        ck_assert_msg(!parseDurationSeconds(bad), "accepted %s", bad);
    auto at = parseDateTime("2026-12-07T05:00:00+01:00");
    ck_assert(at.has_value());
    ck_assert(*at == *parseDateTime("2026-12-07T04:00:00Z"));
    ck_assert(!parseDateTime("2026-12-07T05:00:00"));
    // Beyond what the clock holds: clamped, never overflowing.
    ck_assert(*parseDateTime("9999-12-31T23:59:59Z") > *parseDateTime("2199-01-01T00:00:00Z"));
    ck_assert(*parseDateTime("0001-01-01T00:00:00Z") < std::chrono::system_clock::now());
    ck_assert(!parseDateTime("2026-13-07T05:00:00Z"));
}
END_TEST

START_TEST(subscribe_renew_getstatus_unsubscribe)
{
    auto device = makeDevice();
    device->knobs.set("max-expiry-s", "600", nullptr);
    EventingService service(*device);
    Reply r = ask(service, eventingRequest("Subscribe",
                                                subscribeBody(actionFilter(A + "ScanAvailableEvent"), destinations("Alice"), "PT2H")));
    ck_assert_int_eq(r.status, 200);
    SIM_ASSERT_EQ(r.message->action, E + "SubscribeResponse");
    SIM_ASSERT_EQ(r.text(wsd::ns::Eventing, "Expires"), "PT600S");
    SIM_ASSERT_EQ(r.text(wsd::ns::Addressing, "Address"), ServiceUrl);
    std::string id = r.text(wsd::ns::Eventing, "Identifier");
    std::string token = r.text(wsd::ns::Scan, "DestinationToken");
    SIM_ASSERT_EQ(r.text(wsd::ns::Scan, "ClientContext"), "ctx-Alice");
    ck_assert(!id.empty() && !token.empty());
    ck_assert_int_eq(device->subscriptions.panel().size(), 1);
    SIM_ASSERT_EQ(device->subscriptions.panel()[0].destination.token, token);

    r = ask(service, eventingRequest("Renew", "<wse:Renew><wse:Expires>PT5M</wse:Expires></wse:Renew>", id));
    SIM_ASSERT_EQ(r.text(wsd::ns::Eventing, "Expires"), "PT300S");
    r = ask(service, eventingRequest("GetStatus", "<wse:GetStatus/>", id));
    ck_assert_int_eq(r.status, 200);
    ck_assert(!r.text(wsd::ns::Eventing, "Expires").empty());
    device->knobs.set("refuse-renew", "true", nullptr);
    r = ask(service, eventingRequest("Renew", "<wse:Renew/>", id));
    SIM_ASSERT_EQ(r.subcode(), "UnableToRenew");
    device->knobs.set("refuse-renew", "false", nullptr);
    r = ask(service, eventingRequest("Renew", "<wse:Renew/>", "urn:uuid:unknown"));
    SIM_ASSERT_EQ(r.subcode(), "UnableToRenew");
    r = ask(service, eventingRequest("Unsubscribe", "<wse:Unsubscribe/>", id));
    ck_assert_int_eq(r.status, 200);
    ck_assert(!r.message->payload);  // the UnsubscribeResponse body is empty
    ck_assert(device->subscriptions.panel().empty());
    r = ask(service, eventingRequest("Unsubscribe", "<wse:Unsubscribe/>", id));
    SIM_ASSERT_EQ(r.subcode(), "DestinationUnreachable");
    r = ask(service, eventingRequest("GetStatus", "<wse:GetStatus/>"));
    SIM_ASSERT_EQ(r.subcode(), "DestinationUnreachable");

    // Everything is on the log with its subscription.
    nlohmann::json log = device->log.toJson()["log"];
    ck_assert_int_eq(log.size(), 8);
    SIM_ASSERT_EQ(log[0]["operation"].get<std::string>(), "Subscribe");
    SIM_ASSERT_EQ(log[0]["subscription"].get<std::string>(), id);
    SIM_ASSERT_EQ(log[3]["outcome"].get<std::string>(), "fault:UnableToRenew");
    SIM_ASSERT_EQ(log[3]["reason"].get<std::string>(), "The device does not renew subscriptions");
}
END_TEST

START_TEST(subscribe_faults)
{
    auto device = makeDevice();
    EventingService service(*device);
    struct Case {
        std::string body, subcode;
    } cases[] = {
        {subscribeBody(actionFilter(A + "NoSuchEvent"), ""), "FilterActionNotSupported"},
        {subscribeBody("<wse:Filter>" + A + "JobStatusEvent</wse:Filter>", ""), "FilteringRequestedUnavailable"},
        {subscribeBody(actionFilter(A + "ScanAvailableEvent"), ""), "InvalidArgs"},
        {subscribeBody(actionFilter(A + "ScanAvailableEvent"),
                       "<wscn:ScanDestinations><wscn:ScanDestination><wscn:ClientDisplayString>Den</wscn:ClientDisplayString>"
                       "<wscn:ClientContext>c</wscn:ClientContext></wscn:ScanDestination></wscn:ScanDestinations>"),
         "InvalidArgs"},
        {subscribeBody("", "", "PT0S"), "InvalidExpirationTime"},
        {subscribeBody("", "", "2001-01-01T00:00:00Z"), "InvalidExpirationTime"},
        {subscribeBody("", "", "tomorrow"), "InvalidExpirationTime"},
        {"<wse:Subscribe><wse:Delivery Mode=\"" + E + "DeliveryModes/Pull\"><wse:NotifyTo><wsa:Address>http://h/e</wsa:Address>"
         "</wse:NotifyTo></wse:Delivery></wse:Subscribe>", "DeliveryModeRequestedUnavailable"},
        {"<wse:Subscribe><wse:Delivery><wse:NotifyTo><wsa:Address>urn:uuid:1</wsa:Address></wse:NotifyTo></wse:Delivery>"
         "</wse:Subscribe>", "InvalidMessage"},
        {"<wse:Subscribe/>", "InvalidMessage"},
    };
    for (const Case &c : cases) {
        Reply r = ask(service, eventingRequest("Subscribe", c.body));
        ck_assert_msg(r.subcode() == c.subcode, "%s: got %s", c.body.c_str(), r.subcode().c_str());
        ck_assert_int_eq(r.status, 400);
    }
    ck_assert_int_eq(device->subscriptions.size(), 0);
    // A scan operation is not the event source's.
    ck_assert(!service.handle(request("GetActiveJobs", ""), "127.0.0.1").has_value());
}
END_TEST

START_TEST(press_and_device_initiated_job)
{
    auto device = makeDevice();
    device->knobs.set("panel-only-jobs", "true", nullptr);
    EventingService service(*device);
    ScanService scan(*device);
    ControlApi control(*device);
    Reply r = ask(service, eventingRequest("Subscribe", subscribeBody(actionFilter(A + "ScanAvailableEvent " + A + "JobEndStateEvent"),
                                                                              destinations("Alice"))));
    std::string token = r.text(wsd::ns::Scan, "DestinationToken");

    // Host-initiated: refused by a panel-only device.
    SIM_ASSERT_EQ(call(scan, "CreateScanJob", ticket("ADF")).subcode(), "ServerErrorNotAcceptingJobs");
    HttpReply pressed = control.route(HttpRequest{"POST", "/panel/press", R"({"destination": "Nobody"})", "127.0.0.1"});
    ck_assert_int_eq(pressed.status, 404);
    pressed = control.route(
        HttpRequest{"POST", "/panel/press", R"({"destination": "Alice", "source": "ADF", "pages": 2})", "127.0.0.1"});
    ck_assert_int_eq(pressed.status, 200);
    std::vector<OutgoingMessage> events = queued(*device);
    ck_assert_int_eq(events.size(), 1);
    SIM_ASSERT_EQ(events[0].operation, "ScanAvailableEvent");
    auto event = wsd::soap::parse(events[0].envelope);
    ck_assert(event.has_value());
    SIM_ASSERT_EQ(event->to, "http://127.0.0.1:9/events");
    SIM_ASSERT_EQ(event->header.child(wsd::ns::Eventing, "Identifier").text(), "urn:uuid:sink");
    SIM_ASSERT_EQ(event->payload.child(wsd::ns::Scan, "ClientContext").text(), "ctx-Alice");
    SIM_ASSERT_EQ(event->payload.child(wsd::ns::Scan, "InputSource").text(), "ADF");
    std::string scanId = event->payload.child(wsd::ns::Scan, "ScanIdentifier").text();

    auto withIds = [&](const std::string &id, const std::string &tok, const std::string &source = "ADF") {
        return "<wscn:ScanIdentifier>" + id + "</wscn:ScanIdentifier><wscn:DestinationToken>" + tok +
               "</wscn:DestinationToken>" + ticket(source);
    };
    SIM_ASSERT_EQ(call(scan, "CreateScanJob", withIds(scanId, "wrong")).subcode(), "ClientErrorInvalidDestinationToken");
    SIM_ASSERT_EQ(call(scan, "CreateScanJob", withIds("urn:uuid:other", token)).subcode(), "ClientErrorInvalidScanIdentifier");
    SIM_ASSERT_EQ(call(scan, "CreateScanJob", withIds(scanId, token, "Platen")).subcode(), "InvalidArgs");
    Answer created = call(scan, "CreateScanJob", withIds(scanId, token));
    ck_assert_int_eq(created.status, 200);
    // The press is used up.
    SIM_ASSERT_EQ(call(scan, "CreateScanJob", withIds(scanId, token)).subcode(), "ClientErrorInvalidScanIdentifier");
    long id = std::stol(created.text("JobId"));
    std::optional<Job> job = device->jobs.find(id);
    ck_assert_int_eq(job->imagesPlanned, 2);  // the pages the user put in the feeder
    // Only JobEndStateEvent was asked for: the cancel ends the job and sends it.
    queued(*device);
    ck_assert(device->jobs.cancel(id));
    events = queued(*device);
    ck_assert_int_eq(events.size(), 1);
    SIM_ASSERT_EQ(events[0].operation, "JobEndStateEvent");
    ck_assert_int_eq(events[0].jobId, id);
    auto end = wsd::soap::parse(events[0].envelope);
    SIM_ASSERT_EQ(end->payload.descendant(wsd::ns::Scan, "JobCompletedState").text(), "Canceled");
}
END_TEST

START_TEST(press_lapses_and_panel_listing)
{
    FakeClock clock;
    PanelPresses presses(clock.fn());
    PanelPress p = presses.add({"", "tok", "sub", "Alice", "Platen", 1, {}});
    ck_assert(presses.find(p.scanIdentifier).has_value());
    clock.now += PanelPresses::PressLifetime + std::chrono::seconds(1);
    ck_assert(!presses.find(p.scanIdentifier));
    ck_assert(presses.claim(p.scanIdentifier, "tok", nullptr) == PressClaim::UnknownScanIdentifier);

    auto device = makeDevice();
    ControlApi control(*device);
    device->subscriptions.add(subscriber("Alice"), std::chrono::seconds(60));
    device->subscriptions.add(subscriber("Alice"), std::chrono::seconds(60));
    HttpReply listing = control.route(HttpRequest{"GET", "/panel", "", "127.0.0.1"});
    ck_assert_int_eq(nlohmann::json::parse(listing.body)["destinations"].size(), 2);
    // The same name twice on a panel: a press cannot tell them apart.
    HttpReply pressed = control.route(HttpRequest{"POST", "/panel/press", R"({"destination": "Alice"})", "127.0.0.1"});
    ck_assert_int_eq(pressed.status, 409);
    pressed = control.route(HttpRequest{"POST", "/panel/press", R"({"destination": "Alice", "source": "Film"})", "127.0.0.1"});
    ck_assert_int_eq(pressed.status, 400);
    // A reboot forgets them.
    control.route(HttpRequest{"POST", "/reboot", "", "127.0.0.1"});
    ck_assert_int_eq(nlohmann::json::parse(control.route(HttpRequest{"GET", "/panel", "", "127.0.0.1"}).body)["destinations"].size(), 0);
}
END_TEST

START_TEST(status_events_follow_the_state)
{
    auto device = makeDevice();
    Subscription s = subscriber();
    s.actions = {eventAction("ScannerStatusSummaryEvent"), eventAction("ScannerStatusConditionEvent"),
                 eventAction("ScannerStatusConditionClearedEvent")};
    device->subscriptions.add(s, std::chrono::seconds(60));
    StatusEvents status;
    status.refresh(*device);
    ck_assert(queued(*device).empty());  // the baseline
    device->knobs.set("cover-open", "true", nullptr);
    status.refresh(*device);
    std::vector<OutgoingMessage> events = queued(*device);
    ck_assert_int_eq(events.size(), 2);
    SIM_ASSERT_EQ(events[0].operation, "ScannerStatusConditionEvent");
    SIM_ASSERT_EQ(events[1].operation, "ScannerStatusSummaryEvent");
    auto summary = wsd::soap::parse(events[1].envelope);
    SIM_ASSERT_EQ(summary->payload.descendant(wsd::ns::Scan, "ScannerState").text(), "Stopped");
    auto condition = wsd::soap::parse(events[0].envelope);
    std::string conditionId = condition->payload.child(wsd::ns::Scan, "DeviceCondition").attr("Id").value_or("");
    status.refresh(*device);
    ck_assert(queued(*device).empty());  // nothing changed
    device->knobs.set("cover-open", "false", nullptr);
    status.refresh(*device);
    events = queued(*device);
    ck_assert_int_eq(events.size(), 2);
    SIM_ASSERT_EQ(events[0].operation, "ScannerStatusConditionClearedEvent");
    auto cleared = wsd::soap::parse(events[0].envelope);
    SIM_ASSERT_EQ(cleared->payload.descendant(wsd::ns::Scan, "ConditionId").text(), conditionId);
}
END_TEST

START_TEST(warm_up_end_is_known)
{
    // The event sender wakes at the warm-up's end: its status change is an event.
    auto device = makeDevice();
    device->knobs.set("warm-up-ms", "60000", nullptr);
    device->status.rebooted();
    const auto end = device->status.warmUpEnd(device->knobs.get());
    ck_assert(end.has_value());
    ck_assert(*end > std::chrono::steady_clock::now());
    device->knobs.set("warm-up-ms", "0", nullptr);
    ck_assert(!device->status.warmUpEnd(device->knobs.get()).has_value());
}
END_TEST

START_TEST(subscription_end_goes_to_end_to_only)
{
    Subscription s = subscriber();
    s.id = "urn:uuid:s";
    ck_assert(subscriptionEndEnvelope(s, {ServiceUrl}, eventing::SourceShuttingDown, "bye").empty());
    s.endTo = EndpointReference{"http://127.0.0.1:9/end", {"<x:Ref xmlns:x=\"urn:x\">7</x:Ref>"}};
    auto end = wsd::soap::parse(subscriptionEndEnvelope(s, {ServiceUrl}, eventing::SourceShuttingDown, "bye"));
    ck_assert(end.has_value());
    SIM_ASSERT_EQ(end->action, eventing::SubscriptionEnd);
    SIM_ASSERT_EQ(end->to, "http://127.0.0.1:9/end");
    SIM_ASSERT_EQ(end->header.child("urn:x", "Ref").text(), "7");
    SIM_ASSERT_EQ(end->payload.child(wsd::ns::Eventing, "Status").text(), eventing::SourceShuttingDown);
    SIM_ASSERT_EQ(end->payload.descendant(wsd::ns::Eventing, "Identifier").text(), "urn:uuid:s");
}
END_TEST

Suite *simEventingSuite()
{
    Suite *s = suite_create("sim eventing");
    TCase *tc = tcase_create("eventing");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, table_expiry_and_renew);
    tcase_add_test(tc, table_unsubscribe_tokens_and_bounds);
    tcase_add_test(tc, filter_actions);
    tcase_add_test(tc, expiration_values);
    tcase_add_test(tc, subscribe_renew_getstatus_unsubscribe);
    tcase_add_test(tc, subscribe_faults);
    tcase_add_test(tc, press_and_device_initiated_job);
    tcase_add_test(tc, press_lapses_and_panel_listing);
    tcase_add_test(tc, status_events_follow_the_state);
    tcase_add_test(tc, warm_up_end_is_known);
    tcase_add_test(tc, subscription_end_goes_to_end_to_only);
    suite_add_tcase(s, tc);
    return s;
}
