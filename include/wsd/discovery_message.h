// WS-Discovery messages (Probe, ProbeMatches, Resolve, ResolveMatches, Hello,
// Bye) in both the 2005/04 and the OASIS 2009/01 namespaces: building them
// (the backend's probes, the simulator's answers) and parsing what arrives
// from the LAN, which is untrusted: sizes are bounded and only http/https
// transport addresses survive.
#pragma once

#include "wsd/xml.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsd::discovery {

// A datagram or directed-probe answer larger than this is dropped unparsed
// (DPWS caps envelopes at 32 KiB; a UDP datagram cannot exceed 64 KiB).
constexpr std::size_t MaxMessageSize = 64 * 1024;
// Limits on what one message may carry; the rest is ignored.
constexpr std::size_t MaxEndpointsPerMessage = 64;
constexpr std::size_t MaxXAddrsPerEndpoint = 16;
constexpr std::size_t MaxTypesPerEndpoint = 64;
constexpr std::size_t MaxUrlLength = 2048;

enum class Version { V2005, V2009 };

enum class Kind { Probe, ProbeMatches, Resolve, ResolveMatches, Hello, Bye };
const char *kindName(Kind kind);

// wsd:AppSequence: lets a receiver drop stale or repeated announcements.
struct AppSequence {
    bool present = false;
    unsigned long instanceId = 0;
    std::string sequenceId;  // optional
    unsigned long messageNumber = 0;
};

// One ProbeMatch, ResolveMatch, or the endpoint of a Hello/Bye/Resolve.
struct Endpoint {
    std::string address;  // wsa:EndpointReference/wsa:Address, usually urn:uuid:...
    std::vector<xml::QName> types;
    std::vector<std::string> scopes;
    std::vector<std::string> xaddrs;  // http/https URLs only, in the order sent
    unsigned long metadataVersion = 0;
};

struct Message {
    Kind kind = Kind::Probe;
    Version version = Version::V2005;
    std::string messageId;
    std::string relatesTo;
    AppSequence appSequence;
    std::vector<xml::QName> probeTypes;  // Probe only (empty: matches every endpoint)
    std::vector<Endpoint> endpoints;     // matches, or the one endpoint of Hello/Bye/Resolve
};

// Parses any of the six messages. Returns nullopt (and *error) for anything
// else: oversize, malformed XML, another SOAP body, a match without address.
std::optional<Message> parse(std::string_view bytes, std::string *error = nullptr);

// The QNames that matter for scanners.
xml::QName scanDeviceType();  // {wscn}ScanDeviceType
xml::QName dpwsDeviceType();  // {wsdp 2006/02}Device
bool hasType(const std::vector<xml::QName> &types, const xml::QName &type);
// WS-Discovery matching: every probed type must be offered (empty probe: all).
bool typesMatch(const std::vector<xml::QName> &probed, const std::vector<xml::QName> &offered);
// True for an absolute http:// or https:// URL with a host (url::parse) and no white space
// or control characters, within MaxUrlLength.
bool isHttpUrl(std::string_view url);

// Builders. messageId is a fresh urn:uuid (soap::newMessageId()); the caller
// keeps it to match RelatesTo of the answers.
std::string buildProbe(Version version, const std::vector<xml::QName> &types, const std::string &messageId);
std::string buildResolve(Version version, const std::string &endpointAddress, const std::string &messageId);
// Answers and announcements (the simulator).
std::string buildProbeMatches(Version version, const std::string &relatesTo, const Endpoint &endpoint,
                              const AppSequence &sequence, const std::string &messageId);
// Several ProbeMatch records in one message (WS-Discovery 1.1, 6.1: one per
// matching endpoint the responder hosts).
std::string buildProbeMatches(Version version, const std::string &relatesTo, const std::vector<Endpoint> &endpoints,
                              const AppSequence &sequence, const std::string &messageId);
std::string buildResolveMatches(Version version, const std::string &relatesTo, const Endpoint &endpoint,
                                const AppSequence &sequence, const std::string &messageId);
std::string buildHello(Version version, const Endpoint &endpoint, const AppSequence &sequence,
                       const std::string &messageId);
std::string buildBye(Version version, const std::string &endpointAddress, const AppSequence &sequence,
                     const std::string &messageId);

}  // namespace wsd::discovery
