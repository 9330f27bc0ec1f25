// The WS-Eventing 2004/08 messages of an event subscription as DPWS and
// WS-Scan profile them: Subscribe (with WS-Scan ScanDestinations), Renew and
// Unsubscribe, their responses, and the Expires values (xs:duration or
// xs:dateTime). Each is an Operation for wsscan::Client, the one way the
// backend calls a device.
#pragma once

#include "wsd/soap.h"
#include "wsd/wsscan_client.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsd::events {

// DPWS's filter dialect: the filter's text is a list of action URIs.
constexpr const char *ActionDialect = "http://schemas.xmlsoap.org/ws/2006/02/devprof/Action";
// Reference parameters of a subscription manager we echo as headers: a
// device needs one or two (wse:Identifier); more is refused.
constexpr std::size_t MaxReferenceParameters = 8;
constexpr std::size_t MaxReferenceParameterSize = 2048;

// What the panel shows for us (WS-Scan ScanDestination).
struct Destination {
    std::string displayName;    // ClientDisplayName
    std::string clientContext;  // comes back in DestinationResponse and ScanAvailableEvent
};

struct SubscribeRequest {
    std::string serviceUrl;  // the scan service (wsa:To): the event source
    std::string notifyTo;    // our listener's address for this subscription (NotifyTo and EndTo)
    std::string identifier;  // our reference parameter in both: events carry it back as a header
    std::vector<std::string> actions;  // event action URIs for the filter
    std::chrono::seconds expires{3600};
    std::optional<Destination> destination;
};

// The subscription manager's endpoint reference: Renew and Unsubscribe go
// to its address with its reference parameters as headers.
struct SubscriptionManager {
    std::string address;
    std::vector<std::string> referenceParameters;  // each element serialised with its namespaces
    std::string identifier;  // the wse:Identifier among them; SubscriptionEnd names it
};

struct DestinationResponse {
    std::string clientContext;
    std::string destinationToken;
};

struct Subscribed {
    SubscriptionManager manager;
    std::optional<std::chrono::seconds> expires;  // nullopt: the response named no usable one
    std::vector<DestinationResponse> destinations;
};

struct Renewed {
    std::optional<std::chrono::seconds> expires;
};

// Outbound Expires: an xs:duration in seconds ("PT3600S").
std::string formatDuration(std::chrono::seconds duration);
// Inbound Expires: xs:duration (PnYnMnDTnHnMnS; a year 365 days, a month
// 30) or xs:dateTime (relative to now, by our clock). nullopt for anything
// else, a negative duration, or one beyond a year.
std::optional<std::chrono::seconds> parseExpires(std::string_view text);

std::string buildSubscribeRequest(const SubscribeRequest &request);
std::string buildRenewRequest(const SubscriptionManager &manager, std::chrono::seconds expires);
std::string buildUnsubscribeRequest(const SubscriptionManager &manager);

// Fail (nullopt, *error) on a body that is not the operation's response and
// on a SubscriptionManager without an address or with reference parameters
// beyond the bounds above.
std::optional<Subscribed> parseSubscribeResponse(const soap::Message &message, std::string *error);
std::optional<Renewed> parseRenewResponse(const soap::Message &message, std::string *error);
// Any envelope but a fault (wsscan::Client turns a fault into a failure):
// UnsubscribeResponse has an empty body, and the subscription is over for
// us whatever the device answers.
std::optional<wsscan::Acknowledged> parseUnsubscribeResponse(const soap::Message &message, std::string *error);

wsscan::Operation<Subscribed> subscribe(const SubscribeRequest &request);
wsscan::Operation<Renewed> renew(const SubscriptionManager &manager, std::chrono::seconds expires);
wsscan::Operation<wsscan::Acknowledged> unsubscribe(const SubscriptionManager &manager);

}  // namespace wsd::events
