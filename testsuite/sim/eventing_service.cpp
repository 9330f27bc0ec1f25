#include "eventing_service.h"

#include "addressing_check.h"
#include "eventing_names.h"
#include "subscriptions.h"
#include "wsd/log.h"
#include "wsd/namespaces.h"
#include "wsd/strings.h"

#include <algorithm>

namespace wsdsim {

namespace ns = wsd::ns;
using wsd::xml::Node;
using wsd::xml::Writer;

namespace {

constexpr size_t MaxReferenceBytes = 4096;  // all reference parameters of one EPR
constexpr size_t MaxDestinationText = 256;  // ClientDisplayName, ClientContext

const char *const Prefix = "http://schemas.xmlsoap.org/ws/2004/08/eventing/";

// An EPR (WS-Addressing 2004/08): Address and the children of
// ReferenceParameters and ReferenceProperties, each kept standalone.
std::optional<EndpointReference> readEndpoint(Node epr, std::string *error)
{
    EndpointReference out;
    out.address = std::string(wsd::trim(epr.child(ns::Addressing, "Address").text()));
    if (out.address.rfind("http://", 0) != 0 && out.address.rfind("https://", 0) != 0) {
        *error = "the endpoint reference has no http(s) wsa:Address";
        return std::nullopt;
    }
    size_t bytes = 0;
    for (const char *container : {"ReferenceProperties", "ReferenceParameters"})
        for (Node parameter : epr.child(ns::Addressing, container).elements()) {
            out.referenceHeaders.push_back(wsd::xml::serialize(parameter));
            bytes += out.referenceHeaders.back().size();
        }
    if (bytes > MaxReferenceBytes) {
        *error = "the reference parameters exceed " + std::to_string(MaxReferenceBytes) + " bytes";
        return std::nullopt;
    }
    return out;
}

}  // namespace

std::string durationText(std::chrono::seconds s) { return "PT" + std::to_string(s.count()) + "S"; }

struct EventingService::Call {
    const wsd::soap::Message *message = nullptr;
    Knobs knobs;
    std::string client;
    std::string operation;
    std::string outcome = "ok";
    LogDetails details;
};

std::optional<HttpReply> EventingService::handle(std::string_view body, const std::string &client,
                                                 std::chrono::system_clock::time_point arrived)
{
    std::optional<wsd::soap::Message> message = wsd::soap::parse(body);
    if (!message)
        return std::nullopt;
    bool eventingAction = message->action.rfind(Prefix, 0) == 0;
    if (!eventingAction && message->payload.nsUri() != ns::Eventing)
        return std::nullopt;
    Call call;
    call.message = &*message;
    call.knobs = device_.knobs.get();
    call.client = client;
    call.operation = eventingAction ? message->action.substr(std::string(Prefix).size())
                                    : std::string(message->payload.localName());
    HttpReply reply;
    std::optional<std::string> wrongTo =
        call.knobs.anyTo ? std::nullopt : wrongServiceTo(message->to, device_.identity.serviceUrls);
    if (wrongTo) {
        wsd::soap::Fault f = destinationUnreachable(*wrongTo);
        reply = fault(call, "Sender", "wsa", ns::Addressing, "DestinationUnreachable", f.reason);
    } else if (!message->payload.is(ns::Eventing, call.operation.c_str())) {
        reply = fault(call, "Sender", "wse", ns::Eventing, "InvalidMessage",
                      "The body does not hold a wse:" + call.operation);
    } else if (call.operation == "Subscribe") {
        reply = subscribe(call);
    } else if (call.operation == "Renew") {
        reply = renew(call);
    } else if (call.operation == "GetStatus") {
        reply = getStatus(call);
    } else if (call.operation == "Unsubscribe") {
        reply = unsubscribe(call);
    } else {
        reply = fault(call, "Sender", "wsa", ns::Addressing, "ActionNotSupported",
                      "The subscription manager does not support " + message->action);
    }
    WSD_PROTO("wsd-sim: %s from %s: %s", call.operation.c_str(), client.c_str(), call.outcome.c_str());
    device_.log.add(call.operation, 0, call.outcome, client, arrived, message->to, call.details);
    return reply;
}

HttpReply EventingService::answer(Call &call, const char *action, const std::function<void(Writer &)> &body)
{
    wsd::soap::Addressing a;
    a.to = ns::AnonymousReply;
    a.action = action;
    a.relatesTo = call.message->messageId;
    HttpReply r;
    r.contentType = "application/soap+xml; charset=utf-8";
    r.body = wsd::soap::buildEnvelope(a, {{"wse", ns::Eventing}, {"wscn", ns::Scan}}, body);
    return r;
}

HttpReply EventingService::fault(Call &call, const char *code, const char *prefix, const char *nsUri,
                                 const char *subcode, const std::string &reason)
{
    call.outcome = std::string("fault:") + subcode;
    call.details.reason = reason;
    wsd::soap::Addressing a;
    a.to = ns::AnonymousReply;
    a.action = ns::FaultAction;
    a.relatesTo = call.message ? call.message->messageId : "";
    HttpReply r;
    r.status = call.knobs.faultsWithHttp200 ? 200 : std::string(code) == "Sender" ? 400 : 500;
    r.contentType = "application/soap+xml; charset=utf-8";
    r.body = wsd::soap::buildEnvelope(a, {}, [&](Writer &w) {
        w.start("soap", "Fault");
        w.start("soap", "Code").element("soap", "Value", std::string("soap:") + code);
        w.start("soap", "Subcode").declare(prefix, nsUri);
        w.element("soap", "Value", std::string(prefix) + ":" + subcode).end();
        w.end();
        w.start("soap", "Reason").start("soap", "Text").attr("xml:lang", "en").text(reason).end().end();
        w.end();
    });
    return r;
}

std::optional<std::chrono::seconds> EventingService::grant(Call &call, const std::string &requested,
                                                         HttpReply &faultReply)
{
    const std::chrono::seconds longest(call.knobs.maxExpirySeconds);
    if (requested.find_first_not_of(" \t\r\n") == std::string::npos)
        return longest;
    long long seconds = 0;
    if (std::optional<long long> d = parseDurationSeconds(requested)) {
        seconds = *d;
    } else if (auto at = parseDateTime(requested)) {
        seconds = std::chrono::duration_cast<std::chrono::seconds>(*at - std::chrono::system_clock::now()).count();
    } else {
        faultReply = fault(call, "Sender", "wse", ns::Eventing, "InvalidExpirationTime",
                           "wse:Expires is neither an xs:duration nor an xs:dateTime: " + requested);
        return std::nullopt;
    }
    if (seconds <= 0) {
        faultReply = fault(call, "Sender", "wse", ns::Eventing, "InvalidExpirationTime",
                           "wse:Expires is not in the future: " + requested);
        return std::nullopt;
    }
    return std::min(longest, std::chrono::seconds(seconds));
}

HttpReply EventingService::subscribe(Call &call)
{
    Node request = call.message->payload;
    Subscription s;
    s.client = call.client;
    std::string error;
    if (Node endTo = request.child(ns::Eventing, "EndTo")) {
        s.endTo = readEndpoint(endTo, &error);
        if (!s.endTo)
            return fault(call, "Sender", "wse", ns::Eventing, "InvalidMessage", "wse:EndTo: " + error);
    }
    Node delivery = request.child(ns::Eventing, "Delivery");
    if (!delivery)
        return fault(call, "Sender", "wse", ns::Eventing, "InvalidMessage", "wse:Subscribe without wse:Delivery");
    std::string mode = delivery.attr("Mode").value_or(eventing::PushMode);
    if (mode != eventing::PushMode)
        return fault(call, "Sender", "wse", ns::Eventing, "DeliveryModeRequestedUnavailable",
                     "Only Push delivery is supported, not " + mode);
    Node notifyTo = delivery.child(ns::Eventing, "NotifyTo");
    if (!notifyTo)
        return fault(call, "Sender", "wse", ns::Eventing, "InvalidMessage", "wse:Delivery without wse:NotifyTo");
    std::optional<EndpointReference> target = readEndpoint(notifyTo, &error);
    if (!target)
        return fault(call, "Sender", "wse", ns::Eventing, "InvalidMessage", "wse:NotifyTo: " + error);
    s.notifyTo = *target;

    HttpReply faultReply;
    std::optional<std::chrono::seconds> granted = grant(call, request.child(ns::Eventing, "Expires").text(), faultReply);
    if (!granted)
        return faultReply;

    s.actions = allEventActions();
    if (Node filter = request.child(ns::Eventing, "Filter")) {
        std::string dialect = filter.attr("Dialect").value_or("");
        if (dialect != eventing::ActionDialect)
            return fault(call, "Sender", "wse", ns::Eventing, "FilteringRequestedUnavailable",
                         "Only the filter dialect " + std::string(eventing::ActionDialect) + " is supported");
        std::string unsupported;
        std::optional<std::set<std::string>> actions = selectedActions(filter.text(), &unsupported);
        if (!actions)
            return fault(call, "Sender", "wsdp", ns::Dpws, "FilterActionNotSupported",
                         "No event of this service has the action " + unsupported);
        s.actions = *actions;
    }

    if (s.actions.count(eventAction("ScanAvailableEvent"))) {
        Node destinations = request.child(ns::Scan, "ScanDestinations");
        std::vector<Node> list = destinations.children(ns::Scan, "ScanDestination");
        if (list.empty())
            return fault(call, "Sender", "wscn", ns::Scan, "InvalidArgs",
                         "A ScanAvailableEvent subscription needs wscn:ScanDestinations with a ScanDestination");
        if (list.size() > SubscriptionTable::MaxDestinations)
            return fault(call, "Sender", "wscn", ns::Scan, "InvalidArgs",
                         "More than " + std::to_string(SubscriptionTable::MaxDestinations) + " ScanDestinations");
        for (Node d : list) {
            PanelDestination pd;
            pd.displayName = d.child(ns::Scan, "ClientDisplayName").text();
            pd.clientContext = d.child(ns::Scan, "ClientContext").text();
            if (pd.displayName.empty() || pd.clientContext.empty() || pd.displayName.size() > MaxDestinationText ||
                pd.clientContext.size() > MaxDestinationText)
                return fault(call, "Sender", "wscn", ns::Scan, "InvalidArgs",
                             "Each ScanDestination needs a ClientDisplayName and a ClientContext of 1 to " +
                                 std::to_string(MaxDestinationText) + " characters");
            s.destinations.push_back(pd);
        }
    }

    std::optional<Subscription> added = device_.subscriptions.add(s, *granted);
    if (!added)
        return fault(call, "Receiver", "wse", ns::Eventing, "EventSourceUnableToProcess",
                     "The device holds " + std::to_string(SubscriptionTable::MaxSubscriptions) + " subscriptions already");
    call.details.subscription = added->id;
    call.details.destinations = static_cast<unsigned>(added->destinations.size());
    const std::string managerAddress =
        device_.identity.serviceUrls.empty() ? std::string() : device_.identity.serviceUrls.front();
    return answer(call, eventing::SubscribeResponse, [&](Writer &w) {
        w.start("wse", "SubscribeResponse");
        w.start("wse", "SubscriptionManager");
        w.element("wsa", "Address", managerAddress);
        w.start("wsa", "ReferenceParameters").element("wse", "Identifier", added->id).end();
        w.end();
        w.element("wse", "Expires", durationText(*granted));
        if (!added->destinations.empty()) {
            w.start("wscn", "DestinationResponses");
            for (const PanelDestination &d : added->destinations) {
                w.start("wscn", "DestinationResponse");
                w.element("wscn", "ClientContext", d.clientContext);
                w.element("wscn", "DestinationToken", d.token);
                w.end();
            }
            w.end();
        }
        w.end();
    });
}

namespace {

// The wse:Identifier header that names the subscription (the reference
// parameter of the SubscriptionManager EPR, echoed by the subscriber).
std::string identifierOf(const wsd::soap::Message &m)
{
    return std::string(wsd::trim(m.header.child(ns::Eventing, "Identifier").text()));
}

}  // namespace

HttpReply EventingService::renew(Call &call)
{
    std::string id = identifierOf(*call.message);
    call.details.subscription = id;
    if (call.knobs.refuseRenew)
        return fault(call, "Receiver", "wse", ns::Eventing, "UnableToRenew", "The device does not renew subscriptions");
    HttpReply faultReply;
    std::optional<std::chrono::seconds> granted =
        grant(call, call.message->payload.child(ns::Eventing, "Expires").text(), faultReply);
    if (!granted)
        return faultReply;
    if (id.empty() || !device_.subscriptions.renew(id, *granted))
        return fault(call, "Sender", "wse", ns::Eventing, "UnableToRenew",
                     id.empty() ? "Renew without a wse:Identifier header" : "No live subscription " + id);
    return answer(call, eventing::RenewResponse, [&](Writer &w) {
        w.start("wse", "RenewResponse").element("wse", "Expires", durationText(*granted)).end();
    });
}

HttpReply EventingService::getStatus(Call &call)
{
    std::string id = identifierOf(*call.message);
    call.details.subscription = id;
    std::optional<std::chrono::seconds> left = id.empty() ? std::nullopt : device_.subscriptions.remaining(id);
    if (!left)
        return fault(call, "Sender", "wsa", ns::Addressing, "DestinationUnreachable",
                     id.empty() ? "GetStatus without a wse:Identifier header" : "No live subscription " + id);
    return answer(call, eventing::GetStatusResponse, [&](Writer &w) {
        w.start("wse", "GetStatusResponse").element("wse", "Expires", durationText(*left)).end();
    });
}

HttpReply EventingService::unsubscribe(Call &call)
{
    std::string id = identifierOf(*call.message);
    call.details.subscription = id;
    if (id.empty() || !device_.subscriptions.remove(id))
        return fault(call, "Sender", "wsa", ns::Addressing, "DestinationUnreachable",
                     id.empty() ? "Unsubscribe without a wse:Identifier header" : "No live subscription " + id);
    // WS-Eventing 2004/08: the UnsubscribeResponse body is empty.
    return answer(call, eventing::UnsubscribeResponse, [](Writer &) {});
}

}  // namespace wsdsim
