// What a device sends the event subscription: event notifications to our
// listener (WS-Scan events, WS-Eventing SubscriptionEnd) and the
// SubscribeResponse and RenewResponse bodies. Every input is tried as each.
#include "fuzz_support.h"
#include "wsd/events.h"
#include "wsd/subscription_messages.h"

#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string error;
    auto notification = wsd::events::parseNotification(fuzz::asText(data, size), &error);
    FUZZ_ASSERT(notification || !error.empty());
    if (notification) {
        FUZZ_ASSERT(notification->to.size() <= wsd::events::MaxIdentifier);
        FUZZ_ASSERT(notification->identifier.size() <= wsd::events::MaxIdentifier);
        if (const auto *press = std::get_if<wsd::events::ScanAvailable>(&notification->event))
            FUZZ_ASSERT(!press->scanIdentifier.empty() && press->scanIdentifier.size() <= wsd::events::MaxIdentifier);
        wsd::events::eventName(notification->event);
    }
    auto message = fuzz::parseEnvelope(data, size);
    if (!message || message->fault)
        return 0;
    error.clear();
    if (auto subscribed = wsd::events::parseSubscribeResponse(*message, &error)) {
        FUZZ_ASSERT(!subscribed->manager.address.empty());
        FUZZ_ASSERT(subscribed->manager.referenceParameters.size() <= wsd::events::MaxReferenceParameters);
        // What Renew and Unsubscribe would send back must build.
        wsd::events::buildRenewRequest(subscribed->manager, std::chrono::seconds(60));
    } else {
        FUZZ_ASSERT(!error.empty());
    }
    wsd::events::parseRenewResponse(*message, &error);
    return 0;
}
