// WS-Eventing 2004/08 (as profiled by DPWS 2006/02) action URIs and the
// WS-Scan event actions the simulated scan service is an event source for.
#pragma once

#include <array>

namespace wsdsim::eventing {

constexpr const char *Subscribe = "http://schemas.xmlsoap.org/ws/2004/08/eventing/Subscribe";
constexpr const char *SubscribeResponse = "http://schemas.xmlsoap.org/ws/2004/08/eventing/SubscribeResponse";
constexpr const char *Renew = "http://schemas.xmlsoap.org/ws/2004/08/eventing/Renew";
constexpr const char *RenewResponse = "http://schemas.xmlsoap.org/ws/2004/08/eventing/RenewResponse";
constexpr const char *GetStatus = "http://schemas.xmlsoap.org/ws/2004/08/eventing/GetStatus";
constexpr const char *GetStatusResponse = "http://schemas.xmlsoap.org/ws/2004/08/eventing/GetStatusResponse";
constexpr const char *Unsubscribe = "http://schemas.xmlsoap.org/ws/2004/08/eventing/Unsubscribe";
constexpr const char *UnsubscribeResponse = "http://schemas.xmlsoap.org/ws/2004/08/eventing/UnsubscribeResponse";
constexpr const char *SubscriptionEnd = "http://schemas.xmlsoap.org/ws/2004/08/eventing/SubscriptionEnd";
// The one delivery mode DPWS requires (and the WS-Eventing default).
constexpr const char *PushMode = "http://schemas.xmlsoap.org/ws/2004/08/eventing/DeliveryModes/Push";
// DPWS filter dialect: the filter text lists event action URIs.
constexpr const char *ActionDialect = "http://schemas.xmlsoap.org/ws/2006/02/devprof/Action";
// wse:SubscriptionEnd Status values.
constexpr const char *SourceShuttingDown = "http://schemas.xmlsoap.org/ws/2004/08/eventing/SourceShuttingDown";
constexpr const char *SourceCancelling = "http://schemas.xmlsoap.org/ws/2004/08/eventing/SourceCancelling";
constexpr const char *DeliveryFailure = "http://schemas.xmlsoap.org/ws/2004/08/eventing/DeliveryFailure";

// WS-Scan events (Scan Service Definition §5): the action is the scan
// action prefix followed by one of these names, which is also the body element.
constexpr std::array<const char *, 7> ScanEvents = {
    "ScanAvailableEvent",          "ScannerElementsChangeEvent",         "ScannerStatusSummaryEvent",
    "ScannerStatusConditionEvent", "ScannerStatusConditionClearedEvent", "JobStatusEvent",
    "JobEndStateEvent"};

}  // namespace wsdsim::eventing
