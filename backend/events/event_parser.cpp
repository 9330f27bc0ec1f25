#include "wsd/events.h"

#include "wsd/namespaces.h"
#include "wsd/scan_xml.h"

namespace wsd::events {

namespace sx = scanxml;

namespace {

constexpr long MaxId = 2147483647L;

// Refuses what the xml layer would otherwise accept: an opaque token too
// long to hold (an event with one is refused, not cut).
std::optional<std::string> token(const xml::Node &node, std::string *error, const char *what)
{
    std::string value = node.text();
    if (value.size() > MaxIdentifier) {
        if (error)
            *error = std::string(what) + " longer than " + std::to_string(MaxIdentifier) + " bytes";
        return std::nullopt;
    }
    return value;
}

std::optional<Event> scanAvailable(const xml::Node &body, std::string *error)
{
    std::optional<std::string> context = token(sx::child(body, "ClientContext"), error, "ClientContext");
    std::optional<std::string> identifier = token(sx::child(body, "ScanIdentifier"), error, "ScanIdentifier");
    if (!context || !identifier)
        return std::nullopt;
    if (identifier->empty()) {
        if (error)
            *error = "ScanAvailableEvent without a ScanIdentifier";
        return std::nullopt;
    }
    // InputSource is in the WS-Scan schema only (not on the element page):
    // the source the user chose at the panel, when the device says.
    return ScanAvailable{*context, *identifier, sx::text(body, "InputSource")};
}

std::optional<Event> jobStatus(const xml::Node &body, std::string *error)
{
    if (std::optional<JobStatus> status = parseJobStatus(sx::child(body, "JobStatus")))
        return *status;
    if (error)
        *error = "JobStatusEvent without a JobStatus holding JobId and JobState";
    return std::nullopt;
}

std::optional<Event> jobEndState(const xml::Node &body, std::string *error)
{
    xml::Node node = sx::child(body, "JobEndState");
    std::optional<int> id = sx::integer(node, "JobId", 1, MaxId);
    std::string state = sx::text(node, "JobCompletedState");
    if (!id || state.empty()) {
        if (error)
            *error = "JobEndStateEvent without JobId and JobCompletedState";
        return std::nullopt;
    }
    JobEndState end;
    end.jobId = *id;
    end.completedState = normalizeJobState(state);
    for (const std::string &r : sx::keywords(sx::child(node, "JobCompletedStateReasons"), "JobStateReason"))
        if (r != "None")
            end.reasons.push_back(normalizeJobStateReason(r));
    end.jobName = sx::text(node, "JobName");
    end.userName = sx::text(node, "JobOriginatingUserName");
    end.scansCompleted = sx::integer(node, "ScansCompleted", 0, MaxId).value_or(0);
    return end;
}

std::optional<Event> statusSummary(const xml::Node &body, std::string *error)
{
    // StatusSummary has ScannerStatus's first two children.
    ScannerStatusInfo status = parseScannerStatus(sx::child(body, "StatusSummary"));
    if (status.state.empty()) {
        if (error)
            *error = "ScannerStatusSummaryEvent without a ScannerState";
        return std::nullopt;
    }
    return status;
}

std::optional<Event> condition(const xml::Node &body, std::string *error)
{
    if (std::optional<DeviceCondition> c = parseDeviceCondition(sx::child(body, "DeviceCondition")))
        return *c;
    if (error)
        *error = "ScannerStatusConditionEvent without a named DeviceCondition";
    return std::nullopt;
}

std::optional<Event> conditionCleared(const xml::Node &body, std::string *error)
{
    std::optional<int> id = sx::integer(sx::child(body, "DeviceConditionCleared"), "ConditionId", 0, MaxId);
    if (!id) {
        if (error)
            *error = "ScannerStatusConditionClearedEvent without a ConditionId";
        return std::nullopt;
    }
    return ConditionCleared{*id};
}

// The last path segment of a Status URI
// (http://schemas.xmlsoap.org/ws/2004/08/eventing/SourceShuttingDown).
std::string statusWord(const std::string &uri)
{
    std::size_t slash = uri.rfind('/');
    return slash == std::string::npos ? uri : uri.substr(slash + 1);
}

std::optional<Event> subscriptionEnd(const xml::Node &body, std::string *error)
{
    SubscriptionEnd end;
    xml::Node manager = body.child(ns::Eventing, "SubscriptionManager");
    std::optional<std::string> address =
        token(manager.child({ns::Addressing, ns::AddressingW3C}, "Address"), error, "SubscriptionManager address");
    if (!address)
        return std::nullopt;
    end.managerAddress = *address;
    // WS-Addressing 2004/08 EPRs carry the Identifier in ReferenceProperties
    // or ReferenceParameters; W3C ones in ReferenceParameters.
    for (const char *holder : {"ReferenceParameters", "ReferenceProperties"}) {
        xml::Node params = manager.child({ns::Addressing, ns::AddressingW3C}, holder);
        if (xml::Node id = params.child(ns::Eventing, "Identifier")) {
            std::optional<std::string> identifier = token(id, error, "Identifier");
            if (!identifier)
                return std::nullopt;
            end.identifier = *identifier;
            break;
        }
    }
    std::string status = body.child(ns::Eventing, "Status").text();
    if (status.empty() || status.size() > sx::MaxText) {
        if (error)
            *error = "SubscriptionEnd without a usable Status";
        return std::nullopt;
    }
    end.status = statusWord(status);
    std::string reason = body.child(ns::Eventing, "Reason").text();
    end.reason = reason.substr(0, sx::MaxText);
    return end;
}

using BodyParser = std::optional<Event> (*)(const xml::Node &, std::string *);

struct ScanEvent {
    const char *name;
    BodyParser parse;
};

constexpr ScanEvent ScanEvents[] = {
    {"ScanAvailableEvent", scanAvailable},
    {"JobStatusEvent", jobStatus},
    {"JobEndStateEvent", jobEndState},
    {"ScannerStatusSummaryEvent", statusSummary},
    {"ScannerStatusConditionEvent", condition},
    {"ScannerStatusConditionClearedEvent", conditionCleared},
};

struct NameOf {
    const char *operator()(const ScanAvailable &) const { return "ScanAvailableEvent"; }
    const char *operator()(const SubscriptionEnd &) const { return "SubscriptionEnd"; }
    const char *operator()(const JobStatus &) const { return "JobStatusEvent"; }
    const char *operator()(const JobEndState &) const { return "JobEndStateEvent"; }
    const char *operator()(const ScannerStatusInfo &) const { return "ScannerStatusSummaryEvent"; }
    const char *operator()(const DeviceCondition &) const { return "ScannerStatusConditionEvent"; }
    const char *operator()(const ConditionCleared &) const { return "ScannerStatusConditionClearedEvent"; }
};

}  // namespace

const char *eventName(const Event &event) { return std::visit(NameOf{}, event); }

std::optional<Notification> parseNotification(std::string_view bytes, std::string *error)
{
    if (bytes.size() > MaxEventSize) {
        if (error)
            *error = "event of " + std::to_string(bytes.size()) + " bytes, more than " +
                     std::to_string(MaxEventSize);
        return std::nullopt;
    }
    std::optional<soap::Message> message = soap::parse(bytes, error);
    if (!message)
        return std::nullopt;
    if (message->fault) {
        if (error)
            *error = "a SOAP fault is no event";
        return std::nullopt;
    }
    const xml::Node body = message->payload;
    std::optional<Event> event;
    if (body.is(ns::Eventing, "SubscriptionEnd")) {
        event = subscriptionEnd(body, error);
    } else {
        const ScanEvent *known = nullptr;
        for (const ScanEvent &e : ScanEvents)
            if (sx::is(body, e.name))
                known = &e;
        if (!known) {
            if (error)
                *error = "not an event: body element {" + std::string(body.nsUri()) + "}" +
                         std::string(body.localName());
            return std::nullopt;
        }
        event = known->parse(body, error);
    }
    if (!event)
        return std::nullopt;
    Notification n{message->action.substr(0, sx::MaxText), message->to, std::string(), std::move(*event)};
    if (n.to.size() > MaxIdentifier) {
        if (error)
            *error = "wsa:To longer than " + std::to_string(MaxIdentifier) + " bytes";
        return std::nullopt;
    }
    if (xml::Node id = message->header.child(ns::Eventing, "Identifier")) {
        std::optional<std::string> identifier = token(id, error, "Identifier header");
        if (!identifier)
            return std::nullopt;
        n.identifier = *identifier;
    }
    return n;
}

}  // namespace wsd::events
