// WS-Discovery datagrams (Probe, ProbeMatches, Resolve, ResolveMatches,
// Hello, Bye in both protocol versions) as anyone on the LAN may send them,
// then through the endpoint table: whatever a datagram says, the only
// requests it leads to go to addresses the link rules allow.
#include "fuzz_support.h"
#include "wsd/discovery_message.h"
#include "wsd/discovery_table.h"
#include "wsd/url.h"

#include <arpa/inet.h>

namespace {

namespace d = wsd::discovery;

d::LocalNet net(int family, const char *address, int prefix)
{
    d::LocalNet n;
    n.ifname = "lab0";
    n.family = family;
    inet_pton(family, address, n.address.data());
    n.prefixLength = prefix;
    return n;
}

const d::LocalLinks &links()
{
    static const d::LocalLinks l({net(AF_INET, "127.0.0.1", 8), net(AF_INET, "198.18.0.1", 24),
                                  net(AF_INET6, "fd00:5ca::1", 64), net(AF_INET6, "fe80::1", 64)});
    return l;
}

// Every request the table asks for goes where the rules allow.
void checkWork(d::EndpointTable &table, const d::Source &from)
{
    for (const d::Work &w : table.takeWork()) {
        auto parts = wsd::url::parse(w.url);
        FUZZ_ASSERT(parts.has_value());
        if (w.kind == d::Work::Kind::MetadataGet && d::isIpLiteral(parts->host))
            FUZZ_ASSERT(links().check(parts->host, from.address, from.ifname) == d::AddressVerdict::Usable);
    }
}

void throughTable(const d::Message &message)
{
    const d::Source device{"198.18.0.2", "lab0"}, stranger{"198.18.0.3", "lab0"};
    const auto now = d::Clock::now();
    d::EndpointTable table(links());
    table.probeSent(message.relatesTo, "multicast");
    if (!message.endpoints.empty())
        table.resolveSent(message.relatesTo, message.endpoints.front().address);
    table.onMessage(message, device, "", now);
    checkWork(table, device);
    // The same words from another host on the link.
    table.onMessage(message, stranger, "", now);
    checkWork(table, stranger);
    FUZZ_ASSERT(table.listed().empty());  // nothing is listed before its metadata answered
}

}  // namespace

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
    throughTable(*message);
    return 0;
}
