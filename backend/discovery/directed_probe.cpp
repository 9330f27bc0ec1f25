#include "wsd/directed_probe.h"

#include "wsd/discovery_socket.h"
#include "wsd/log.h"
#include "wsd/soap.h"
#include "wsd/url.h"

#include <poll.h>

#include <algorithm>
#include <chrono>

namespace wsd::discovery {

const char *const StableProbePath = "/StableWSDiscoveryEndpoint/schemas-xmlsoap-org_ws_2005_04_discovery";

namespace {

// Ports WSD devices serve HTTP on: 5357 (WSDAPI), 80 (Canon, Brother, HP),
// 8018 (Samsung), 53000 (Ricoh), 8080.
constexpr int UsualWsdPorts[] = {5357, 80, 8018, 53000, 8080};

// "http://HOST:PORT" for the host and port of `address`.
std::optional<std::string> originOf(const std::string &address)
{
    auto parts = url::parse(address);
    if (!parts)
        return std::nullopt;
    return parts->scheme + "://" + url::hostForUrl(parts->host, parts->zone) + ":" + std::to_string(parts->port);
}

}  // namespace

std::vector<ProbeAnswer> probeOverHttp(const std::vector<std::string> &urls, const std::vector<xml::QName> &types,
                                       const http::Options &options)
{
    std::vector<http::Request> requests;
    std::vector<std::string> ids;
    for (const std::string &u : urls) {
        ids.push_back(soap::newMessageId());
        requests.push_back({u, buildProbe(Version::V2005, types, ids.back())});
    }
    std::vector<http::Response> responses = http::postAll(requests, options);
    std::vector<ProbeAnswer> answers;
    for (std::size_t i = 0; i < responses.size(); ++i) {
        const http::Response &r = responses[i];
        if (!r.transportOk() || r.status != 200) {
            WSD_DETAIL("directed Probe %s: %s", urls[i].c_str(),
                       r.transportOk() ? ("HTTP " + std::to_string(r.status)).c_str() : r.error.c_str());
            continue;
        }
        std::string error;
        auto m = parse(r.body, &error);
        // Only the answer to this Probe: RelatesTo names its MessageID.
        if (!m || m->kind != Kind::ProbeMatches || m->relatesTo != ids[i]) {
            WSD_DETAIL("directed Probe %s: %s", urls[i].c_str(), m ? "not a ProbeMatches to it" : error.c_str());
            continue;
        }
        for (Endpoint &e : m->endpoints)
            answers.push_back({urls[i], std::move(e)});
    }
    return answers;
}

std::vector<Endpoint> probeOverUdp(const std::string &host, const std::vector<xml::QName> &types, int timeoutMs)
{
    std::optional<SocketAddress> target = SocketAddress::parse(host, Port);
    if (!target)
        return {};
    std::string error;
    std::optional<UdpSocket> socket = UdpSocket::open(target->family(), 0, false, &error);
    if (!socket) {
        WSD_DETAIL("directed Probe to %s (UDP): %s", target->text().c_str(), error.c_str());
        return {};
    }
    const std::string id = soap::newMessageId();
    if (!socket->sendTo(buildProbe(Version::V2005, types, id), *target))
        return {};
    WSD_PROTO("-> directed Probe to %s (UDP)", target->text().c_str());
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p{socket->fd(), POLLIN, 0};
        if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0)
            return {};
        while (std::optional<Datagram> d = socket->receive()) {
            // Only the probed host's answer to this Probe counts.
            if (d->from.host() != target->host())
                continue;
            auto m = parse(d->data);
            if (m && m->kind == Kind::ProbeMatches && m->relatesTo == id)
                return m->endpoints;
        }
    }
}

std::string learnEndpointAddress(const std::string &deviceUrl, const http::Options &options)
{
    std::vector<std::string> urls = {deviceUrl};
    if (auto origin = originOf(deviceUrl); origin && *origin + StableProbePath != deviceUrl)
        urls.push_back(*origin + StableProbePath);
    std::vector<ProbeAnswer> answers = probeOverHttp(urls, {}, options);
    // A device that answers Probes by UDP only: unicast to its port 3702.
    if (auto parts = url::parse(deviceUrl); parts && answers.empty())
        for (Endpoint &e : probeOverUdp(parts->zone.empty() ? parts->host : parts->host + "%" + parts->zone, {},
                                        options.timeoutMs))
            answers.push_back({deviceUrl, std::move(e)});
    for (const ProbeAnswer &a : answers) {
        const std::vector<std::string> &x = a.endpoint.xaddrs;
        if (std::find(x.begin(), x.end(), deviceUrl) != x.end())
            return a.endpoint.address;
    }
    return answers.empty() ? std::string() : answers.front().endpoint.address;
}

std::vector<std::string> hostProbeUrls(const std::string &text)
{
    if (!url::isHostForm(text))
        return {};
    const std::string hostForm = url::bracketedHostForm(text);
    // A port is given when a colon follows the host: after "]" for an IPv6
    // literal, anywhere in a name or IPv4 address (which hold none).
    const std::size_t bracket = hostForm.rfind(']');
    const bool hasPort = bracket != std::string::npos ? hostForm.find(':', bracket) != std::string::npos
                                                      : hostForm.find(':') != std::string::npos;
    if (hasPort)
        return {"http://" + hostForm + StableProbePath};
    std::vector<std::string> urls;
    for (int port : UsualWsdPorts)
        urls.push_back("http://" + hostForm + ":" + std::to_string(port) + StableProbePath);
    return urls;
}

}  // namespace wsd::discovery
