// Event notifications a WS-Scan device POSTs to our event listener
// (WS-Eventing 2004/08 as profiled by DPWS): the WS-Scan events
// (ScanAvailableEvent, JobStatusEvent, JobEndStateEvent,
// ScannerStatusSummaryEvent, ScannerStatusConditionEvent and
// ScannerStatusConditionClearedEvent) and WS-Eventing's SubscriptionEnd.
// Every body is untrusted: the envelope is bounded, texts are cut (scanxml),
// identifiers longer than MaxIdentifier refuse the event.
#pragma once

#include "wsd/capabilities.h"
#include "wsd/scan_job_messages.h"
#include "wsd/soap.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace wsd::events {

// DPWS bounds a SOAP envelope at 32 KiB (MAX_ENVELOPE_SIZE); twice that
// leaves room for verbose firmware and nothing for a memory attack.
constexpr std::size_t MaxEventSize = 64 * 1024;
// ClientContext, ScanIdentifier and wse:Identifier are opaque tokens we
// compare or send back verbatim: cutting one would corrupt it, so a longer
// one refuses the event.
constexpr std::size_t MaxIdentifier = 1024;

// The user chose our destination at the panel and pressed Scan (WS-Scan
// ScanAvailableEvent: ClientContext, ScanIdentifier, InputSource?).
struct ScanAvailable {
    std::string clientContext;
    std::string scanIdentifier;
    std::string inputSource;  // WS-Scan InputSource keyword; empty when the device sent none
};

// The device ended a subscription (WS-Eventing SubscriptionEnd).
struct SubscriptionEnd {
    std::string status;  // DeliveryFailure, SourceShuttingDown, SourceCancelling (local part of the URI)
    std::string reason;
    std::string managerAddress;  // SubscriptionManager/Address, empty when absent
    std::string identifier;      // SubscriptionManager's wse:Identifier, empty when absent
};

// WS-Scan JobEndState (the body of JobEndStateEvent).
struct JobEndState {
    int jobId = 0;
    std::string completedState;  // normalised as JobState
    std::vector<std::string> reasons;
    std::string jobName, userName;
    int scansCompleted = 0;
};

struct ConditionCleared {
    int conditionId = 0;
};

using Event = std::variant<ScanAvailable, SubscriptionEnd, JobStatus, JobEndState, ScannerStatusInfo,
                           DeviceCondition, ConditionCleared>;

// One notification: the addressing headers the listener checks, and the event.
struct Notification {
    std::string action;
    std::string to;
    std::string identifier;  // the wse:Identifier header (our NotifyTo/EndTo reference parameter), if any
    Event event;
};

// The WS-Scan event names (the local names of the body elements), and
// "SubscriptionEnd".
const char *eventName(const Event &event);

// Parses a notification envelope. The event is told by its body element
// (matched by namespace URI: WS-Scan 2006/08 or 2006/01, WS-Eventing
// 2004/08), not by its Action; a fault, an unknown body, an envelope over
// MaxEventSize or a missing required value refuses it (nullopt, *error set).
std::optional<Notification> parseNotification(std::string_view bytes, std::string *error = nullptr);

}  // namespace wsd::events
