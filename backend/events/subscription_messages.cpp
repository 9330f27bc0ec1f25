#include "wsd/subscription_messages.h"

#include "wsd/events.h"
#include "wsd/namespaces.h"
#include "wsd/scan_xml.h"

#include <cctype>
#include <ctime>

namespace wsd::events {

namespace {

constexpr const char *SubscribeAction = "http://schemas.xmlsoap.org/ws/2004/08/eventing/Subscribe";
constexpr const char *RenewAction = "http://schemas.xmlsoap.org/ws/2004/08/eventing/Renew";
constexpr const char *UnsubscribeAction = "http://schemas.xmlsoap.org/ws/2004/08/eventing/Unsubscribe";
constexpr long MaxExpiresSeconds = 365L * 24 * 3600;

// An endpoint reference of ours (NotifyTo, EndTo): the listener's address
// and the identifier the device echoes as a header (WS-Addressing 2004/08
// reference parameters).
void writeOwnEndpoint(xml::Writer &w, const char *local, const SubscribeRequest &request)
{
    w.start("wse", local).element("wsa", "Address", request.notifyTo);
    w.start("wsa", "ReferenceParameters").element("wse", "Identifier", request.identifier).end();
    w.end();
}

void writeManagerHeaders(xml::Writer &w, const SubscriptionManager &manager)
{
    for (const std::string &parameter : manager.referenceParameters)
        w.raw(parameter);
}

std::string managerRequest(const SubscriptionManager &manager, const char *action,
                           const std::function<void(xml::Writer &)> &body)
{
    soap::Addressing a;
    a.to = manager.address;
    a.action = action;
    a.replyToAnonymous = true;
    return soap::buildEnvelope(a, {{"wse", ns::Eventing}}, body,
                               [&](xml::Writer &w) { writeManagerHeaders(w, manager); });
}

xml::Node addressingChild(const xml::Node &node, const char *local)
{
    return node.child({ns::Addressing, ns::AddressingW3C}, local);
}

// The SubscriptionManager EPR: its Address and the reference parameters
// (or 2004/08 reference properties) to echo, bounded.
std::optional<SubscriptionManager> readManager(const xml::Node &epr, std::string *error)
{
    SubscriptionManager manager;
    manager.address = addressingChild(epr, "Address").text();
    if (manager.address.empty() || manager.address.size() > MaxIdentifier) {
        if (error)
            *error = "SubscribeResponse without a usable SubscriptionManager address";
        return std::nullopt;
    }
    for (const char *holder : {"ReferenceProperties", "ReferenceParameters"}) {
        for (const xml::Node &parameter : addressingChild(epr, holder).elements()) {
            std::string text = xml::serialize(parameter);
            if (manager.referenceParameters.size() >= MaxReferenceParameters ||
                text.size() > MaxReferenceParameterSize) {
                if (error)
                    *error = "SubscriptionManager with too many or too large reference parameters";
                return std::nullopt;
            }
            if (parameter.is(ns::Eventing, "Identifier"))
                manager.identifier = parameter.text();
            manager.referenceParameters.push_back(std::move(text));
        }
    }
    return manager;
}

xml::Node eventingPayload(const soap::Message &message, const char *local, std::string *error)
{
    if (message.payload.is(ns::Eventing, local))
        return message.payload;
    if (error)
        *error = std::string("expected wse:") + local + ", got {" + std::string(message.payload.nsUri()) + "}" +
                 std::string(message.payload.localName());
    return xml::Node();
}

bool digits(std::string_view text, std::size_t at, std::size_t count)
{
    if (at + count > text.size())
        return false;
    for (std::size_t i = at; i < at + count; ++i)
        if (!std::isdigit(static_cast<unsigned char>(text[i])))
            return false;
    return true;
}

int number(std::string_view text, std::size_t at, std::size_t count)
{
    int n = 0;
    for (std::size_t i = at; i < at + count; ++i)
        n = n * 10 + (text[i] - '0');
    return n;
}

// xs:dateTime "YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm|-hh:mm]"; no zone: UTC.
std::optional<std::chrono::seconds> untilDateTime(std::string_view text)
{
    if (!digits(text, 0, 4) || text.size() < 19 || text[4] != '-' || !digits(text, 5, 2) || text[7] != '-' ||
        !digits(text, 8, 2) || text[10] != 'T' || !digits(text, 11, 2) || text[13] != ':' || !digits(text, 14, 2) ||
        text[16] != ':' || !digits(text, 17, 2))
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = number(text, 0, 4) - 1900;
    tm.tm_mon = number(text, 5, 2) - 1;
    tm.tm_mday = number(text, 8, 2);
    tm.tm_hour = number(text, 11, 2);
    tm.tm_min = number(text, 14, 2);
    tm.tm_sec = number(text, 17, 2);
    std::size_t at = 19;
    if (at < text.size() && text[at] == '.') {
        ++at;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])))
            ++at;
    }
    long offset = 0;
    if (at < text.size() && text[at] == 'Z') {
        ++at;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        if (!digits(text, at + 1, 2) || at + 3 >= text.size() || text[at + 3] != ':' || !digits(text, at + 4, 2))
            return std::nullopt;
        offset = (number(text, at + 1, 2) * 60L + number(text, at + 4, 2)) * 60L * (text[at] == '-' ? -1 : 1);
        at += 6;
    }
    if (at != text.size() || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return std::nullopt;
    const long left = static_cast<long>(timegm(&tm)) - offset - static_cast<long>(std::time(nullptr));
    if (left < 0 || left > MaxExpiresSeconds)
        return std::nullopt;
    return std::chrono::seconds(left);
}

// xs:duration "PnYnMnDTnHnMnS" (seconds may have a fraction, dropped).
std::optional<std::chrono::seconds> duration(std::string_view text)
{
    if (text.size() < 3 || text[0] != 'P')
        return std::nullopt;
    long total = 0;
    bool time = false, any = false;
    std::size_t at = 1;
    while (at < text.size()) {
        if (text[at] == 'T') {
            if (time)
                return std::nullopt;
            time = true;
            ++at;
            continue;
        }
        long value = 0;
        std::size_t start = at;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
            value = value * 10 + (text[at] - '0');
            if (value > MaxExpiresSeconds)
                return std::nullopt;
            ++at;
        }
        if (at < text.size() && text[at] == '.' && time) {  // fractional seconds
            ++at;
            while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])))
                ++at;
            if (at >= text.size() || text[at] != 'S')
                return std::nullopt;
        }
        if (at == start || at >= text.size())
            return std::nullopt;
        long unit;
        switch (text[at]) {
        case 'Y': unit = time ? 0 : 365L * 86400; break;
        case 'M': unit = time ? 60 : 30L * 86400; break;
        case 'D': unit = time ? 0 : 86400; break;
        case 'H': unit = time ? 3600 : 0; break;
        case 'S': unit = time ? 1 : 0; break;
        default: unit = 0;
        }
        if (unit == 0)
            return std::nullopt;
        total += value * unit;
        if (total > MaxExpiresSeconds)
            return std::nullopt;
        any = true;
        ++at;
    }
    if (!any || text.back() == 'T')
        return std::nullopt;
    return std::chrono::seconds(total);
}

}  // namespace

std::string formatDuration(std::chrono::seconds d) { return "PT" + std::to_string(d.count()) + "S"; }

std::optional<std::chrono::seconds> parseExpires(std::string_view text)
{
    if (!text.empty() && text[0] == 'P')
        return duration(text);
    return untilDateTime(text);
}

std::string buildSubscribeRequest(const SubscribeRequest &request)
{
    soap::Addressing a;
    a.to = request.serviceUrl;
    a.action = SubscribeAction;
    a.replyToAnonymous = true;
    return soap::buildEnvelope(a, {{"wse", ns::Eventing}, {"wscn", ns::Scan}}, [&](xml::Writer &w) {
        // Child order of wse:Subscribe: EndTo?, Delivery, Expires?, Filter?, extensions.
        w.start("wse", "Subscribe");
        writeOwnEndpoint(w, "EndTo", request);
        w.start("wse", "Delivery");
        writeOwnEndpoint(w, "NotifyTo", request);
        w.end();
        w.element("wse", "Expires", formatDuration(request.expires));
        std::string actions;
        for (const std::string &action : request.actions)
            actions += (actions.empty() ? "" : " ") + action;
        w.start("wse", "Filter").attr("Dialect", ActionDialect).text(actions).end();
        if (request.destination) {
            // ClientDisplayName, then ClientContext (the WS-Scan schema's
            // names; the element pages' examples say ClientDisplayString).
            w.start("wscn", "ScanDestinations").start("wscn", "ScanDestination");
            w.element("wscn", "ClientDisplayName", request.destination->displayName);
            w.element("wscn", "ClientContext", request.destination->clientContext);
            w.end().end();
        }
        w.end();
    });
}

std::string buildRenewRequest(const SubscriptionManager &manager, std::chrono::seconds expires)
{
    return managerRequest(manager, RenewAction, [&](xml::Writer &w) {
        w.start("wse", "Renew").element("wse", "Expires", formatDuration(expires)).end();
    });
}

std::string buildUnsubscribeRequest(const SubscriptionManager &manager)
{
    return managerRequest(manager, UnsubscribeAction, [](xml::Writer &w) { w.start("wse", "Unsubscribe").end(); });
}

std::optional<Subscribed> parseSubscribeResponse(const soap::Message &message, std::string *error)
{
    xml::Node payload = eventingPayload(message, "SubscribeResponse", error);
    if (!payload)
        return std::nullopt;
    std::optional<SubscriptionManager> manager = readManager(payload.child(ns::Eventing, "SubscriptionManager"), error);
    if (!manager)
        return std::nullopt;
    Subscribed out;
    out.manager = std::move(*manager);
    out.expires = parseExpires(payload.child(ns::Eventing, "Expires").text());
    xml::Node responses = scanxml::child(payload, "DestinationResponses");
    for (const xml::Node &r : scanxml::children(responses, "DestinationResponse")) {
        std::string context = scanxml::child(r, "ClientContext").text();
        std::string token = scanxml::child(r, "DestinationToken").text();
        if (context.size() > MaxIdentifier || token.size() > MaxIdentifier || token.empty())
            continue;  // a token we could not send back verbatim is no token
        if (out.destinations.size() < scanxml::MaxItems)
            out.destinations.push_back({std::move(context), std::move(token)});
    }
    return out;
}

std::optional<Renewed> parseRenewResponse(const soap::Message &message, std::string *error)
{
    xml::Node payload = eventingPayload(message, "RenewResponse", error);
    if (!payload)
        return std::nullopt;
    return Renewed{parseExpires(payload.child(ns::Eventing, "Expires").text())};
}

wsscan::Operation<Subscribed> subscribe(const SubscribeRequest &request)
{
    return {"Subscribe", request.serviceUrl, buildSubscribeRequest(request), parseSubscribeResponse};
}

wsscan::Operation<Renewed> renew(const SubscriptionManager &manager, std::chrono::seconds expires)
{
    return {"Renew", manager.address, buildRenewRequest(manager, expires), parseRenewResponse};
}

std::optional<wsscan::Acknowledged> parseUnsubscribeResponse(const soap::Message &, std::string *)
{
    return wsscan::Acknowledged{};
}

wsscan::Operation<wsscan::Acknowledged> unsubscribe(const SubscriptionManager &manager)
{
    return {"Unsubscribe", manager.address, buildUnsubscribeRequest(manager), parseUnsubscribeResponse};
}

}  // namespace wsd::events
