// http(s) URLs as the backend meets them in WS-Discovery XAddrs, DPWS
// metadata and wsd.conf: one parser (libcurl's URL API, the one that also
// decides where a request goes) for the host with its IPv6 brackets and zone,
// the port, and origins (RFC 6454: scheme, host, port).
#pragma once

#include <optional>
#include <string>

namespace wsd::url {

struct Parts {
    std::string scheme;  // "http" or "https", lower case
    std::string host;    // no brackets, no zone: "198.18.0.2", "fe80::1", "mfp.local"
    std::string zone;    // IPv6 zone (interface name), "" when none
    int port = 0;        // the scheme's default when the URL names none
    bool ipv6 = false;   // host is an IPv6 literal
};

// nullopt for anything but an absolute http:// or https:// URL with a host.
// The host is libcurl's reading of it (so "127.1" comes back as "127.0.0.1").
std::optional<Parts> parse(const std::string &url);

// The host as it goes into a URL: "[fe80::1%25lab0]" for an IPv6 literal
// ("fe80::1%lab0" or "fe80::1" with zone "lab0"), unchanged otherwise.
std::string hostForUrl(const std::string &address, const std::string &zone = std::string());

// The URL with its host replaced by `address` (which may carry an IPv6 zone
// as "fe80::1%lab0"); the URL unchanged when it does not parse.
std::string withHost(const std::string &url, const std::string &address);

// The URL with its IPv6 zone set to `zone` ("" removes it); unchanged when
// its host is not an IPv6 literal.
std::string withZone(const std::string &url, const std::string &zone);

// The URL exactly as written, less the IPv6 zone of its host
// ("http://[fe80::1%25lab0]:80/s" -> "http://[fe80::1]:80/s"); unchanged when
// it has none or is no URL. A zone means something only on the host that
// chose it (RFC 6874), so it stays out of what a peer reads, like wsa:To.
std::string withoutZone(const std::string &url);

// The URL with its path replaced (query and fragment kept); unchanged when
// it does not parse. `path` of an unparsable URL: nullopt; of "http://h": "/".
std::optional<std::string> path(const std::string &url);
std::string withPath(const std::string &url, const std::string &path);

// Same scheme, host (and zone) and port.
bool sameOrigin(const std::string &a, const std::string &b);

// "HOST", "HOST:PORT", "IPV6" or "[IPV6]:PORT" (no scheme, no path), as in a
// `device NAME HOST` line; false for anything else.
bool isHostForm(const std::string &text);

// A host form with the brackets a URL needs: an IPv6 literal written bare
// (two colons or more, no brackets) gets them, and then has no port.
std::string bracketedHostForm(const std::string &hostForm);

// The host of a host form, without brackets or port ("fe80::1%lab0" keeps
// its zone): what a unicast UDP probe takes.
std::string hostOfHostForm(const std::string &text);

}  // namespace wsd::url
