// Directed WS-Discovery Probes over HTTP (WS-Discovery 1.1 directed probe,
// sent as Windows' WSDAPI does): how a device given by URL or by host alone
// tells its endpoint address (urn:uuid:...) and its XAddrs.
#pragma once

#include "wsd/discovery_message.h"
#include "wsd/http.h"

#include <string>
#include <vector>

namespace wsd::discovery {

// Where WSDAPI-style devices answer directed probes on their HTTP port.
extern const char *const StableProbePath;

struct ProbeAnswer {
    std::string probedUrl;
    Endpoint endpoint;
};

// POSTs a Probe for `types` (empty: every endpoint) to each URL at once,
// each bounded by `options`; the ProbeMatch endpoints, in the URLs' order.
std::vector<ProbeAnswer> probeOverHttp(const std::vector<std::string> &urls, const std::vector<xml::QName> &types,
                                       const http::Options &options);

// A unicast Probe by UDP to port 3702 of `host` (a numeric address, as in a
// host form: no brackets, no port), as WS-Discovery 1.1 allows a client that
// knows the target's address. The ProbeMatch endpoints of the first answer
// from that address to this Probe, waiting at most `timeoutMs`; none for a
// host name or when nothing answers.
std::vector<Endpoint> probeOverUdp(const std::string &host, const std::vector<xml::QName> &types, int timeoutMs);

// The endpoint address of the device at `deviceUrl` (its metadata or scan
// service URL): a directed Probe to the URL itself and to the stable probe
// path on the same host and port, else a unicast UDP Probe to the host. A
// match listing `deviceUrl` among its XAddrs wins, else the first. "" when
// nothing answers.
std::string learnEndpointAddress(const std::string &deviceUrl, const http::Options &options);

// The directed-probe URLs for a host given alone: the stable probe path on
// the port given, else on the ports WSD devices are known to serve.
std::vector<std::string> hostProbeUrls(const std::string &text);

}  // namespace wsd::discovery
