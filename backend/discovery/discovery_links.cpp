#include "wsd/discovery_links.h"

#include "wsd/log.h"
#include "wsd/url.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace wsd::discovery {

namespace {

struct Ip {
    int family = 0;
    std::array<unsigned char, 16> bytes{};
};

// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) reach the IPv4 host: they are
// read as IPv4 so that ::ffff:127.0.0.1 is loopback.
std::optional<Ip> parseIp(const std::string &text)
{
    Ip ip;
    in_addr v4;
    in6_addr v6;
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        ip.family = AF_INET;
        std::memcpy(ip.bytes.data(), &v4, 4);
        return ip;
    }
    if (inet_pton(AF_INET6, text.c_str(), &v6) != 1)
        return std::nullopt;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        ip.family = AF_INET;
        std::memcpy(ip.bytes.data(), v6.s6_addr + 12, 4);
        return ip;
    }
    ip.family = AF_INET6;
    std::memcpy(ip.bytes.data(), v6.s6_addr, 16);
    return ip;
}

bool inPrefix(const unsigned char *a, const unsigned char *b, int bits)
{
    for (int i = 0; bits > 0; ++i, bits -= 8) {
        const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
        if ((a[i] & mask) != (b[i] & mask))
            return false;
    }
    return true;
}

bool equal(const Ip &a, const Ip &b)
{
    return a.family == b.family && std::equal(a.bytes.begin(), a.bytes.begin() + (a.family == AF_INET ? 4 : 16),
                                              b.bytes.begin());
}

int prefixOf(const sockaddr *mask)
{
    if (!mask)
        return 0;
    const unsigned char *bytes;
    std::size_t size;
    if (mask->sa_family == AF_INET) {
        bytes = reinterpret_cast<const unsigned char *>(&reinterpret_cast<const sockaddr_in *>(mask)->sin_addr);
        size = 4;
    } else if (mask->sa_family == AF_INET6) {
        bytes = reinterpret_cast<const sockaddr_in6 *>(mask)->sin6_addr.s6_addr;
        size = 16;
    } else {
        return 0;
    }
    int bits = 0;
    for (std::size_t i = 0; i < size; ++i)
        for (int b = 7; b >= 0 && (bytes[i] >> b & 1); --b)
            ++bits;
    return bits;
}

}  // namespace

const char *verdictText(AddressVerdict verdict)
{
    switch (verdict) {
    case AddressVerdict::Usable: return "usable";
    case AddressVerdict::NotAnAddress: return "not an address";
    case AddressVerdict::Loopback: return "loopback";
    case AddressVerdict::Unspecified: return "unspecified";
    case AddressVerdict::Multicast: return "multicast or broadcast";
    case AddressVerdict::OurOwn: return "this machine's own address";
    case AddressVerdict::NoLinkKnown: return "link-local without a known link";
    case AddressVerdict::OffLink: return "not on a network we share with the sender";
    }
    return "?";
}

LocalLinks LocalLinks::ofThisHost()
{
    std::vector<LocalNet> nets;
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0)
        return LocalLinks();
    for (ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_name || !a->ifa_addr || !(a->ifa_flags & IFF_UP))
            continue;
        LocalNet net;
        net.ifname = a->ifa_name;
        net.family = a->ifa_addr->sa_family;
        if (net.family == AF_INET)
            std::memcpy(net.address.data(), &reinterpret_cast<const sockaddr_in *>(a->ifa_addr)->sin_addr, 4);
        else if (net.family == AF_INET6)
            std::memcpy(net.address.data(), reinterpret_cast<const sockaddr_in6 *>(a->ifa_addr)->sin6_addr.s6_addr, 16);
        else
            continue;
        net.prefixLength = prefixOf(a->ifa_netmask);
        nets.push_back(net);
    }
    freeifaddrs(list);
    return LocalLinks(std::move(nets));
}

AddressVerdict LocalLinks::check(const std::string &address, const std::string &sender,
                                 const std::string &senderLink) const
{
    const auto ip = parseIp(address);
    if (!ip)
        return AddressVerdict::NotAnAddress;
    const unsigned char *b = ip->bytes.data();
    if (ip->family == AF_INET) {
        if (b[0] == 127)
            return AddressVerdict::Loopback;
        if (b[0] == 0)
            return AddressVerdict::Unspecified;
        if ((b[0] & 0xf0) == 0xe0 || (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255))
            return AddressVerdict::Multicast;
    } else {
        static const unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        static const unsigned char unspecified[16] = {};
        if (std::memcmp(b, loopback, 16) == 0)
            return AddressVerdict::Loopback;
        if (std::memcmp(b, unspecified, 16) == 0)
            return AddressVerdict::Unspecified;
        if (b[0] == 0xff)
            return AddressVerdict::Multicast;
    }
    for (const LocalNet &net : nets_) {
        Ip own{net.family, net.address};
        if (equal(own, *ip))
            return AddressVerdict::OurOwn;
    }
    if (ip->family == AF_INET6 && isLinkLocal(address))
        // Valid only on the link the message came over; the URL gets that
        // interface as its zone (the sender's own zone means nothing here).
        return senderLink.empty() ? AddressVerdict::NoLinkKnown : AddressVerdict::Usable;
    if (const auto from = parseIp(sender); from && equal(*from, *ip))
        return AddressVerdict::Usable;
    for (const LocalNet &net : nets_)
        if (net.family == ip->family && net.prefixLength > 0 && inPrefix(net.address.data(), b, net.prefixLength))
            return AddressVerdict::Usable;
    return AddressVerdict::OffLink;
}

std::vector<std::string> usableUrls(const LocalLinks &links, const std::vector<std::string> &urls, const Source &from,
                                    const char *what)
{
    std::vector<std::string> out;
    for (const std::string &u : urls) {
        const auto parts = url::parse(u);
        if (!parts)
            continue;
        if (!isIpLiteral(parts->host)) {
            out.push_back(u);
            continue;
        }
        const AddressVerdict verdict = links.check(parts->host, from.address, from.ifname);
        if (verdict != AddressVerdict::Usable) {
            WSD_INFO("discovery: ignoring %s %s from %s: %s", what, u.c_str(),
                     from.address.empty() ? "?" : from.address.c_str(), verdictText(verdict));
            continue;
        }
        out.push_back(parts->ipv6 && isLinkLocal(parts->host) ? url::withZone(u, from.ifname) : u);
    }
    return out;
}

void preferUrls(std::vector<std::string> &urls, const std::string &sender)
{
    auto rank = [&sender](const std::string &u) {
        const auto parts = url::parse(u);
        if (!parts)
            return 3;
        if (!sender.empty() && sameAddress(parts->host, sender))
            return 0;
        return isLinkLocal(parts->host) ? 2 : 1;
    };
    std::stable_sort(urls.begin(), urls.end(),
                     [&rank](const std::string &a, const std::string &b) { return rank(a) < rank(b); });
}

bool isLinkLocal(const std::string &address)
{
    const auto ip = parseIp(address);
    if (!ip)
        return false;
    const unsigned char *b = ip->bytes.data();
    return ip->family == AF_INET ? b[0] == 169 && b[1] == 254 : b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

bool isIpLiteral(const std::string &text) { return parseIp(text).has_value(); }

bool sameAddress(const std::string &a, const std::string &b)
{
    const auto x = parseIp(a), y = parseIp(b);
    return x && y && equal(*x, *y);
}

}  // namespace wsd::discovery
