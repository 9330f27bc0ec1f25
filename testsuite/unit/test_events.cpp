// The event parser (WS-Scan events and WS-Eventing SubscriptionEnd, as
// devices send them and as hostile peers might) and the subscription
// messages: Subscribe, Renew, Unsubscribe and their responses.
#include "wsd/events.h"
#include "wsd/namespaces.h"
#include "wsd/soap.h"
#include "wsd/status_events.h"
#include "wsd/subscription_messages.h"

#include <ctime>
#include <string>
#include <variant>

// Last: check.h defines a macro named fail.
#include "suites.h"

namespace {

using wsd::events::parseNotification;

const std::string Soap = "http://www.w3.org/2003/05/soap-envelope";
const std::string Wsa = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
const std::string Wse = "http://schemas.xmlsoap.org/ws/2004/08/eventing";
const std::string Scan = "http://schemas.microsoft.com/windows/2006/08/wdp/scan";
const std::string NotifyTo = "http://198.18.0.1:40123/wsd-events/4c0b6a2e";

// An event the way DPWS devices send it: wsa headers, the NotifyTo
// reference parameter echoed, the body in the WS-Scan namespace.
std::string event(const std::string &action, const std::string &body, const std::string &scanNs = Scan)
{
    return "<soap:Envelope xmlns:soap=\"" + Soap + "\" xmlns:wsa=\"" + Wsa + "\" xmlns:wse=\"" + Wse +
           "\" xmlns:wscn=\"" + scanNs + "\"><soap:Header><wsa:To>" + NotifyTo +
           "</wsa:To><wsa:Action>http://schemas.microsoft.com/windows/2006/08/wdp/scan/" + action +
           "</wsa:Action><wsa:MessageID>urn:uuid:0f1e2d3c-0000-4000-8000-000000000001</wsa:MessageID>"
           "<wse:Identifier>urn:uuid:aa55aa55-1111-4222-8333-444455556666</wse:Identifier></soap:Header>"
           "<soap:Body>" + body + "</soap:Body></soap:Envelope>";
}

template <typename T>
T eventOf(const std::string &text)
{
    std::string error;
    auto n = parseNotification(text, &error);
    ck_assert_msg(n.has_value(), "refused: %s", error.c_str());
    ck_assert_msg(std::holds_alternative<T>(n->event), "parsed as %s", wsd::events::eventName(n->event));
    return std::get<T>(n->event);
}

void assertRefused(const std::string &text)
{
    std::string error;
    ck_assert(!parseNotification(text, &error).has_value());
    ck_assert(!error.empty());
}

wsd::soap::Message parsed(const std::string &text)
{
    std::string error;
    auto m = wsd::soap::parse(text, &error);
    ck_assert_msg(m.has_value(), "%s", error.c_str());
    return std::move(*m);
}

}  // namespace

START_TEST(scan_available_event)
{
    const std::string text = event("ScanAvailableEvent", "<wscn:ScanAvailableEvent><wscn:ClientContext>sane-wsd-1"
                                                         "</wscn:ClientContext><wscn:ScanIdentifier> uuid:7f3e-scan "
                                                         "</wscn:ScanIdentifier></wscn:ScanAvailableEvent>");
    auto n = parseNotification(text);
    ck_assert(n.has_value());
    ck_assert_str_eq(n->to.c_str(), NotifyTo.c_str());
    ck_assert_str_eq(n->identifier.c_str(), "urn:uuid:aa55aa55-1111-4222-8333-444455556666");
    auto e = std::get<wsd::events::ScanAvailable>(n->event);
    ck_assert_str_eq(e.clientContext.c_str(), "sane-wsd-1");
    ck_assert_str_eq(e.scanIdentifier.c_str(), "uuid:7f3e-scan");
    ck_assert(e.inputSource.empty());
}
END_TEST

START_TEST(scan_available_other_prefixes_and_source)
{
    // Default namespace for the body, other prefixes, the 2006/01 namespace
    // of Microsoft's examples, and the InputSource of the WS-Scan schema.
    const std::string text =
        "<s:Envelope xmlns:s=\"" + Soap + "\" xmlns:a=\"" + Wsa + "\"><s:Header><a:To>" + NotifyTo +
        "</a:To><a:Action>x</a:Action></s:Header><s:Body><ScanAvailableEvent "
        "xmlns=\"http://schemas.microsoft.com/windows/2006/01/wdp/scan\"><ClientContext>c</ClientContext>"
        "<ScanIdentifier>42</ScanIdentifier><InputSource>ADF</InputSource></ScanAvailableEvent></s:Body></s:Envelope>";
    auto e = eventOf<wsd::events::ScanAvailable>(text);
    ck_assert_str_eq(e.scanIdentifier.c_str(), "42");
    ck_assert_str_eq(e.inputSource.c_str(), "ADF");
}
END_TEST

START_TEST(job_and_status_events)
{
    auto job = eventOf<wsd::JobStatus>(event(
        "JobStatusEvent", "<wscn:JobStatusEvent><wscn:JobStatus><wscn:JobId>12</wscn:JobId><wscn:JobState>Processing"
                          "</wscn:JobState><wscn:JobStateReasons><wscn:JobStateReason>JobScanning</wscn:JobStateReason>"
                          "</wscn:JobStateReasons><wscn:ScansCompleted>1</wscn:ScansCompleted></wscn:JobStatus>"
                          "</wscn:JobStatusEvent>"));
    ck_assert_int_eq(job.jobId, 12);
    ck_assert_str_eq(job.state.c_str(), "Processing");
    ck_assert_int_eq(job.scansCompleted, 1);

    auto end = eventOf<wsd::events::JobEndState>(event(
        "JobEndStateEvent",
        "<wscn:JobEndStateEvent><wscn:JobEndState><wscn:JobId>12</wscn:JobId><wscn:JobCompletedState>Cancelled"
        "</wscn:JobCompletedState><wscn:JobCompletedStateReasons><wscn:JobStateReason>JobCanceledByUser"
        "</wscn:JobStateReason></wscn:JobCompletedStateReasons><wscn:JobName>n</wscn:JobName>"
        "<wscn:JobOriginatingUserName>u</wscn:JobOriginatingUserName><wscn:ScansCompleted>3</wscn:ScansCompleted>"
        "</wscn:JobEndState></wscn:JobEndStateEvent>"));
    ck_assert_int_eq(end.jobId, 12);
    ck_assert_str_eq(end.completedState.c_str(), "Canceled");  // spelling normalised
    ck_assert_int_eq(static_cast<int>(end.reasons.size()), 1);
    ck_assert_int_eq(end.scansCompleted, 3);
    ck_assert_str_eq(end.userName.c_str(), "u");

    auto summary = eventOf<wsd::ScannerStatusInfo>(event(
        "ScannerStatusSummaryEvent",
        "<wscn:ScannerStatusSummaryEvent><wscn:StatusSummary><wscn:ScannerState>Stopped</wscn:ScannerState>"
        "<wscn:ScannerStateReasons><wscn:ScannerStateReason>MediaJam</wscn:ScannerStateReason>"
        "</wscn:ScannerStateReasons></wscn:StatusSummary></wscn:ScannerStatusSummaryEvent>"));
    ck_assert_str_eq(summary.state.c_str(), "Stopped");
    ck_assert_str_eq(summary.reasons.at(0).c_str(), "MediaJam");

    auto condition = eventOf<wsd::DeviceCondition>(event(
        "ScannerStatusConditionEvent",
        "<wscn:ScannerStatusConditionEvent><wscn:DeviceCondition wscn:Id=\"7\"><wscn:Time>2026-12-07T05:00:00Z"
        "</wscn:Time><wscn:Name>CoverOpen</wscn:Name><wscn:Component>Platen</wscn:Component><wscn:Severity>Critical"
        "</wscn:Severity></wscn:DeviceCondition></wscn:ScannerStatusConditionEvent>"));
    ck_assert_int_eq(condition.id, 7);
    ck_assert_str_eq(condition.name.c_str(), "CoverOpen");

    auto cleared = eventOf<wsd::events::ConditionCleared>(event(
        "ScannerStatusConditionClearedEvent",
        "<wscn:ScannerStatusConditionClearedEvent><wscn:DeviceConditionCleared><wscn:ConditionId>7"
        "</wscn:ConditionId><wscn:ConditionClearTime>2026-12-07T05:01:00Z</wscn:ConditionClearTime>"
        "</wscn:DeviceConditionCleared></wscn:ScannerStatusConditionClearedEvent>"));
    ck_assert_int_eq(cleared.conditionId, 7);
}
END_TEST

START_TEST(subscription_end)
{
    const std::string text =
        "<soap:Envelope xmlns:soap=\"" + Soap + "\" xmlns:wsa=\"" + Wsa + "\" xmlns:wse=\"" + Wse +
        "\"><soap:Header><wsa:To>" + NotifyTo +
        "</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2004/08/eventing/SubscriptionEnd</wsa:Action>"
        "</soap:Header><soap:Body><wse:SubscriptionEnd><wse:SubscriptionManager><wsa:Address>"
        "http://198.18.0.2:5357/wsd/scan</wsa:Address><wsa:ReferenceParameters><wse:Identifier>urn:uuid:sub-1"
        "</wse:Identifier></wsa:ReferenceParameters></wse:SubscriptionManager><wse:Status>"
        "http://schemas.xmlsoap.org/ws/2004/08/eventing/SourceShuttingDown</wse:Status><wse:Reason xml:lang=\"en\">"
        "rebooting</wse:Reason></wse:SubscriptionEnd></soap:Body></soap:Envelope>";
    auto end = eventOf<wsd::events::SubscriptionEnd>(text);
    ck_assert_str_eq(end.status.c_str(), "SourceShuttingDown");
    ck_assert_str_eq(end.identifier.c_str(), "urn:uuid:sub-1");
    ck_assert_str_eq(end.managerAddress.c_str(), "http://198.18.0.2:5357/wsd/scan");
    ck_assert_str_eq(end.reason.c_str(), "rebooting");
}
END_TEST

START_TEST(hostile_events_refused)
{
    const std::string head = "<wscn:ScanAvailableEvent><wscn:ClientContext>c</wscn:ClientContext>";
    // No ScanIdentifier, or an empty one.
    assertRefused(event("ScanAvailableEvent", head + "</wscn:ScanAvailableEvent>"));
    assertRefused(event("ScanAvailableEvent", head + "<wscn:ScanIdentifier> </wscn:ScanIdentifier></wscn:ScanAvailableEvent>"));
    // An identifier too long to send back verbatim.
    assertRefused(event("ScanAvailableEvent", head + "<wscn:ScanIdentifier>" + std::string(5000, 'x') +
                                                  "</wscn:ScanIdentifier></wscn:ScanAvailableEvent>"));
    // Right local name, wrong namespace (the prefix alone proves nothing).
    assertRefused(event("ScanAvailableEvent", "<wscn:ScanAvailableEvent><wscn:ClientContext>c</wscn:ClientContext>"
                                              "<wscn:ScanIdentifier>1</wscn:ScanIdentifier></wscn:ScanAvailableEvent>",
                        "urn:example:not-scan"));
    // Not an event at all, a fault, a job event without JobId.
    assertRefused(event("CreateScanJob", "<wscn:CreateScanJobRequest/>"));
    assertRefused(event("x", "<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code></soap:Fault>"));
    assertRefused(event("JobStatusEvent", "<wscn:JobStatusEvent><wscn:JobStatus><wscn:JobState>Completed"
                                          "</wscn:JobState></wscn:JobStatus></wscn:JobStatusEvent>"));
    // Bigger than any envelope DPWS allows: refused before parsing.
    assertRefused(event("ScanAvailableEvent", head + "<wscn:ScanIdentifier>1</wscn:ScanIdentifier><!--" +
                                                  std::string(wsd::events::MaxEventSize, ' ') +
                                                  "--></wscn:ScanAvailableEvent>"));
    // Entities (a DTD) and garbage.
    assertRefused("<!DOCTYPE e [<!ENTITY x \"y\">]>" + event("ScanAvailableEvent", head + "</wscn:ScanAvailableEvent>"));
    assertRefused("POST / HTTP/1.1\r\n\r\n");
    assertRefused("");
}
END_TEST

START_TEST(subscribe_request)
{
    wsd::events::SubscribeRequest r;
    r.serviceUrl = "http://198.18.0.2:5357/wsd/scan";
    r.notifyTo = NotifyTo;
    r.identifier = "urn:uuid:aa55";
    r.actions = {"http://schemas.microsoft.com/windows/2006/08/wdp/scan/ScanAvailableEvent"};
    r.expires = std::chrono::seconds(3600);
    r.destination = wsd::events::Destination{"Alice's desktop", "ctx-1"};
    auto m = parsed(wsd::events::buildSubscribeRequest(r));
    ck_assert_str_eq(m.action.c_str(), "http://schemas.xmlsoap.org/ws/2004/08/eventing/Subscribe");
    ck_assert_str_eq(m.to.c_str(), r.serviceUrl.c_str());
    ck_assert(m.header.child(wsd::ns::Addressing, "ReplyTo"));
    ck_assert(m.payload.is(wsd::ns::Eventing, "Subscribe"));
    // WS-Eventing's child order: EndTo, Delivery, Expires, Filter, then the extension.
    std::string order;
    for (const auto &c : m.payload.elements())
        order += std::string(c.localName()) + ",";
    ck_assert_str_eq(order.c_str(), "EndTo,Delivery,Expires,Filter,ScanDestinations,");
    auto notify = m.payload.path(wsd::ns::Eventing, {"Delivery", "NotifyTo"});
    ck_assert(notify.child(wsd::ns::Addressing, "Address").text() == NotifyTo);
    ck_assert(notify.child(wsd::ns::Addressing, "ReferenceParameters").child(wsd::ns::Eventing, "Identifier").text() ==
              "urn:uuid:aa55");
    ck_assert(m.payload.child(wsd::ns::Eventing, "Expires").text() == "PT3600S");
    auto filter = m.payload.child(wsd::ns::Eventing, "Filter");
    ck_assert(filter.attr("Dialect").value_or("") == wsd::events::ActionDialect);
    ck_assert(filter.text() == r.actions[0]);
    auto destination = m.payload.path(wsd::ns::Scan, {"ScanDestinations", "ScanDestination"});
    ck_assert(destination.child(wsd::ns::Scan, "ClientDisplayName").text() == "Alice's desktop");
    ck_assert(destination.child(wsd::ns::Scan, "ClientContext").text() == "ctx-1");
}
END_TEST

START_TEST(subscribe_response_and_renew)
{
    // Other prefixes; the Identifier in 2004/08 ReferenceProperties.
    const std::string text =
        "<e:Envelope xmlns:e=\"" + Soap + "\" xmlns:a=\"" + Wsa + "\" xmlns:ev=\"" + Wse + "\" xmlns:sc=\"" + Scan +
        "\"><e:Body><ev:SubscribeResponse><ev:SubscriptionManager><a:Address>http://198.18.0.2:5357/sub</a:Address>"
        "<a:ReferenceProperties><ev:Identifier>uuid:sub-9</ev:Identifier></a:ReferenceProperties>"
        "</ev:SubscriptionManager><ev:Expires>P0Y0M0DT1H0M0S</ev:Expires><sc:DestinationResponses>"
        "<sc:DestinationResponse><sc:ClientContext>ctx-1</sc:ClientContext><sc:DestinationToken>tok-77"
        "</sc:DestinationToken></sc:DestinationResponse></sc:DestinationResponses></ev:SubscribeResponse></e:Body>"
        "</e:Envelope>";
    std::string error;
    auto s = wsd::events::parseSubscribeResponse(parsed(text), &error);
    ck_assert_msg(s.has_value(), "%s", error.c_str());
    ck_assert_str_eq(s->manager.address.c_str(), "http://198.18.0.2:5357/sub");
    ck_assert_str_eq(s->manager.identifier.c_str(), "uuid:sub-9");
    ck_assert(s->expires && s->expires->count() == 3600);
    ck_assert_int_eq(static_cast<int>(s->destinations.size()), 1);
    ck_assert_str_eq(s->destinations[0].destinationToken.c_str(), "tok-77");

    // Renew and Unsubscribe go to the manager with its reference parameters as headers.
    for (const std::string &request : {wsd::events::buildRenewRequest(s->manager, std::chrono::seconds(600)),
                                       wsd::events::buildUnsubscribeRequest(s->manager)}) {
        auto m = parsed(request);
        ck_assert_str_eq(m.to.c_str(), "http://198.18.0.2:5357/sub");
        ck_assert(m.header.child(wsd::ns::Eventing, "Identifier").text() == "uuid:sub-9");
    }
    auto renew = parsed(wsd::events::buildRenewRequest(s->manager, std::chrono::seconds(600)));
    ck_assert(renew.payload.is(wsd::ns::Eventing, "Renew"));
    ck_assert(renew.payload.child(wsd::ns::Eventing, "Expires").text() == "PT600S");

    // A RenewResponse with an xs:dateTime: relative to now.
    char until[32];
    std::time_t later = std::time(nullptr) + 7200;
    std::strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&later));
    auto renewed = wsd::events::parseRenewResponse(
        parsed("<s:Envelope xmlns:s=\"" + Soap + "\" xmlns:w=\"" + Wse + "\"><s:Body><w:RenewResponse><w:Expires>" +
               until + "</w:Expires></w:RenewResponse></s:Body></s:Envelope>"),
        &error);
    ck_assert(renewed && renewed->expires);
    ck_assert(renewed->expires->count() > 7000 && renewed->expires->count() <= 7200);
}
END_TEST

START_TEST(hostile_subscribe_responses)
{
    std::string error;
    auto respond = [](const std::string &manager) {
        return "<s:Envelope xmlns:s=\"" + Soap + "\" xmlns:a=\"" + Wsa + "\" xmlns:w=\"" + Wse +
               "\"><s:Body><w:SubscribeResponse><w:SubscriptionManager>" + manager +
               "</w:SubscriptionManager></w:SubscribeResponse></s:Body></s:Envelope>";
    };
    ck_assert(!wsd::events::parseSubscribeResponse(parsed(respond("")), &error));
    std::string many = "<a:Address>http://x/</a:Address><a:ReferenceParameters>";
    for (int i = 0; i < 20; ++i)
        many += "<w:Identifier>" + std::to_string(i) + "</w:Identifier>";
    ck_assert(!wsd::events::parseSubscribeResponse(parsed(respond(many + "</a:ReferenceParameters>")), &error));
    std::string huge = "<a:Address>http://x/</a:Address><a:ReferenceParameters><w:Identifier>" +
                       std::string(10000, 'i') + "</w:Identifier></a:ReferenceParameters>";
    ck_assert(!wsd::events::parseSubscribeResponse(parsed(respond(huge)), &error));
    // Another operation's response is no SubscribeResponse.
    ck_assert(!wsd::events::parseSubscribeResponse(
        parsed("<s:Envelope xmlns:s=\"" + Soap + "\"><s:Body><x/></s:Body></s:Envelope>"), &error));
}
END_TEST

START_TEST(expires_values)
{
    using wsd::events::parseExpires;
    ck_assert(parseExpires("PT30M")->count() == 1800);
    ck_assert(parseExpires("P0Y0M0DT30H0M0S")->count() == 30 * 3600);
    ck_assert(parseExpires("P1D")->count() == 86400);
    ck_assert(parseExpires("PT1.5S")->count() == 1);
    ck_assert(!parseExpires("PT"));
    ck_assert(!parseExpires("P"));
    ck_assert(!parseExpires("-PT5S"));
    ck_assert(!parseExpires("PT5H5"));
    ck_assert(!parseExpires("P5H"));            // hours before T
    ck_assert(!parseExpires("P99999999999Y"));  // beyond a year, no overflow
    ck_assert(!parseExpires("2001-01-01T00:00:00Z"));  // the past
    ck_assert(!parseExpires("2026-13-01T00:00:00Z"));
    ck_assert(!parseExpires("soon"));
    ck_assert(!parseExpires(""));
}
END_TEST

START_TEST(status_follows_events)
{
    using namespace wsd;
    ScannerStatusInfo status;
    status.state = "Idle";
    ck_assert(events::applyStatusEvent(status, events::Event(DeviceCondition{7, "CoverOpen", "Platen", "Error"})));
    ck_assert(events::applyStatusEvent(status, events::Event(ScannerStatusInfo{"Stopped", {"CoverOpen"}, {}})));
    ck_assert_str_eq(status.state.c_str(), "Stopped");
    ck_assert_int_eq(static_cast<int>(status.conditions.size()), 1);  // the summary keeps the conditions
    // A changed condition comes again under its Id: replaced, not added.
    ck_assert(events::applyStatusEvent(status, events::Event(DeviceCondition{7, "CoverOpen", "ADF", "Error"})));
    ck_assert_int_eq(static_cast<int>(status.conditions.size()), 1);
    ck_assert_str_eq(status.conditions.front().component.c_str(), "ADF");
    ck_assert(events::applyStatusEvent(status, events::Event(events::ConditionCleared{7})));
    ck_assert(status.conditions.empty());
    ck_assert(events::applyStatusEvent(status, events::Event(events::ConditionCleared{99})));  // unknown: no harm
    ck_assert(!events::applyStatusEvent(status, events::Event(events::ScanAvailable{"c", "s", ""})));
    // A flood of conditions stays bounded.
    for (int id = 1; id <= 1000; ++id)
        events::applyStatusEvent(status, events::Event(DeviceCondition{id, "Jam", "ADF", "Error"}));
    ck_assert_uint_le(status.conditions.size(), 256);
    ck_assert_int_eq(status.conditions.back().id, 1000);
}
END_TEST

Suite *eventsSuite()
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("parser");
    tcase_add_test(tc, scan_available_event);
    tcase_add_test(tc, scan_available_other_prefixes_and_source);
    tcase_add_test(tc, job_and_status_events);
    tcase_add_test(tc, subscription_end);
    tcase_add_test(tc, hostile_events_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("subscription messages");
    tcase_add_test(tc, subscribe_request);
    tcase_add_test(tc, subscribe_response_and_renew);
    tcase_add_test(tc, hostile_subscribe_responses);
    tcase_add_test(tc, expires_values);
    suite_add_tcase(s, tc);
    tc = tcase_create("status");
    tcase_add_test(tc, status_follows_events);
    suite_add_tcase(s, tc);
    return s;
}
