// The messages the scan service sends as a WS-Eventing event source: WS-Scan
// events (Scan Service Definition §5: ScanAvailableEvent, the scanner status
// and job events) and wse:SubscriptionEnd, each addressed to an endpoint
// reference the way WS-Addressing 2004/08 says: wsa:To is its Address and
// every reference parameter/property becomes a SOAP header of its own.
#pragma once

#include <functional>
#include <string>

#include "sim_device.h"
#include "subscriptions.h"
#include "wsd/xml.h"

namespace wsdsim {

using EventBody = std::function<void(wsd::xml::Writer &)>;

// A one-way message (no ReplyTo) to `to`.
std::string oneWayEnvelope(const EndpointReference &to, const std::string &action, const EventBody &body);

// Queues event `eventName` (one of eventing::ScanEvents) for every live
// subscription whose filter selects it, or only for subscription
// `onlySubscription` when that is given. Drops are logged. Returns how many
// messages were queued.
int publishEvent(SimDevice &device, const char *eventName, const EventBody &body, long jobId = 0,
                 const std::string &onlySubscription = std::string());

// wse:SubscriptionEnd for `s` to its EndTo; empty when it gave none (then
// WS-Eventing sends nothing).
std::string subscriptionEndEnvelope(const Subscription &s, const std::vector<std::string> &managerAddresses,
                                    const char *status, const std::string &reason);

// ScanAvailableEvent (ClientContext, ScanIdentifier, InputSource) for a
// press, to the subscription that registered the destination only. False
// when it could not be queued.
bool publishScanAvailable(SimDevice &device, const PanelPress &press, const std::string &clientContext);

// JobStatusEvent for every change, and JobEndStateEvent once a job ended.
void publishJobEvents(SimDevice &device, const Job &job);

}  // namespace wsdsim
