// Which hosts a WS-Discovery announcement may send us to. Anyone on the LAN
// can multicast a Hello or answer a Probe, so an XAddr (or the address its
// host name resolves to) is used only when it is the sender itself or on a
// network one of our interfaces is on: never loopback, unspecified,
// multicast or broadcast, never one of this machine's own addresses. The
// rules are pure (our interfaces come in as data) so that unit tests reach
// them; LocalLinks::ofThisHost() reads the real interfaces.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace wsd::discovery {

// Where a message came from: a datagram's source and interface, or the URL
// host a directed probe was answered from.
struct Source {
    std::string address;  // IP literal without zone ("" when unknown)
    std::string ifname;   // interface it arrived on, the zone for link-local
};

// One address of one of our interfaces, with its prefix length.
struct LocalNet {
    std::string ifname;
    int family = 0;  // AF_INET or AF_INET6
    std::array<unsigned char, 16> address{};
    int prefixLength = 0;
};

enum class AddressVerdict { Usable, NotAnAddress, Loopback, Unspecified, Multicast, OurOwn, NoLinkKnown, OffLink };
const char *verdictText(AddressVerdict verdict);

class LocalLinks {
public:
    LocalLinks() = default;
    explicit LocalLinks(std::vector<LocalNet> nets) : nets_(std::move(nets)) {}
    // Every address of every interface that is up (loopback included, so
    // that its addresses count as our own).
    static LocalLinks ofThisHost();

    // `address` is an IP literal without zone. `sender` is the address the
    // message came from (no zone, may be empty); `senderLink` the interface
    // it came in on, which is the only link an IPv6 link-local address can
    // be on (empty: unknown, so link-local is refused).
    AddressVerdict check(const std::string &address, const std::string &sender, const std::string &senderLink) const;

private:
    std::vector<LocalNet> nets_;
};

// The URLs (XAddrs, or hosted service addresses from metadata) that may be
// used, as LocalLinks::check() says for each IP-literal host; host names are
// kept (their addresses are checked once looked up). IPv6 link-local hosts
// get the sender's link as zone. `what` names them in the log.
std::vector<std::string> usableUrls(const LocalLinks &links, const std::vector<std::string> &urls, const Source &from,
                                    const char *what);

// Best first: the sender's own address, then routable hosts, then
// link-local ones (Windows' XAddr rules prefer routable ones too); the
// device's order among equals.
void preferUrls(std::vector<std::string> &urls, const std::string &sender);

// Whether text is an IPv4 or IPv6 literal (no brackets, no zone).
bool isIpLiteral(const std::string &text);
// fe80::/10 or 169.254.0.0/16.
bool isLinkLocal(const std::string &address);
// Same address, whatever the spelling ("fd00:5ca::2" and "FD00:5CA:0::2").
bool sameAddress(const std::string &a, const std::string &b);

}  // namespace wsd::discovery
