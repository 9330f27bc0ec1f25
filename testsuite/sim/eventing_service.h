// The scan service as a WS-Eventing 2004/08 event source, as DPWS profiles
// it: Subscribe (Push delivery to NotifyTo, optional EndTo, Expires as
// xs:duration or xs:dateTime, a filter in the DPWS Action dialect, WS-Scan
// ScanDestinations answered with DestinationResponses), Renew, GetStatus and
// Unsubscribe, addressed to the subscription manager by its wse:Identifier
// reference parameter. The manager lives at the scan service address.
// Expiries granted are xs:duration, as DPWS services send them.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "http_reply.h"
#include "sim_device.h"
#include "wsd/soap.h"

namespace wsdsim {

class EventingService {
public:
    explicit EventingService(SimDevice &device) : device_(device) {}
    // The answer to a WS-Eventing request; nullopt when `body` is none (then
    // it is a scan operation, or not SOAP at all).
    std::optional<HttpReply> handle(std::string_view body, const std::string &client,
                                    std::chrono::system_clock::time_point arrived = std::chrono::system_clock::now());

private:
    struct Call;
    HttpReply subscribe(Call &call);
    HttpReply renew(Call &call);
    HttpReply getStatus(Call &call);
    HttpReply unsubscribe(Call &call);
    HttpReply answer(Call &call, const char *action, const std::function<void(wsd::xml::Writer &)> &body);
    HttpReply fault(Call &call, const char *code, const char *prefix, const char *nsUri, const char *subcode,
                    const std::string &reason);
    // The granted period for a requested wse:Expires (empty: the longest);
    // nullopt with a fault reply when it is not a valid future expiry.
    std::optional<std::chrono::seconds> grant(Call &call, const std::string &requested, HttpReply &faultReply);

    SimDevice &device_;
};

// "PT3600S"
std::string durationText(std::chrono::seconds s);

}  // namespace wsdsim
