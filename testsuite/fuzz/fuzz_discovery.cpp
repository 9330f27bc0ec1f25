// WS-Discovery datagrams (Probe, ProbeMatches, Resolve, ResolveMatches,
// Hello, Bye in both protocol versions) as anyone on the LAN may send them.
#include "fuzz_support.h"
#include "wsd/discovery_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string error;
    auto message = wsd::discovery::parse(fuzz::asText(data, size), &error);
    if (!message) {
        FUZZ_ASSERT(!error.empty());
        return 0;
    }
    // The bounds the discovery client relies on.
    FUZZ_ASSERT(size <= wsd::discovery::MaxMessageSize);
    FUZZ_ASSERT(message->endpoints.size() <= wsd::discovery::MaxEndpointsPerMessage);
    for (const auto &endpoint : message->endpoints) {
        FUZZ_ASSERT(endpoint.xaddrs.size() <= wsd::discovery::MaxXAddrsPerEndpoint);
        FUZZ_ASSERT(endpoint.types.size() <= wsd::discovery::MaxTypesPerEndpoint);
        for (const auto &url : endpoint.xaddrs)
            FUZZ_ASSERT(url.size() <= wsd::discovery::MaxUrlLength && wsd::discovery::isHttpUrl(url));
        // What the client does next with a match.
        wsd::discovery::hasType(endpoint.types, wsd::discovery::scanDeviceType());
        wsd::discovery::typesMatch(message->probeTypes, endpoint.types);
    }
    return 0;
}
