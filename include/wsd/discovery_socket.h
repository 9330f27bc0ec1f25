// UDP sockets for SOAP-over-UDP WS-Discovery (port 3702, groups
// 239.255.255.250 and ff02::c), used by the backend's discovery and by
// wsd-sim's responder: interface enumeration, group membership on chosen
// interfaces only, multicast sends pinned to one interface with a hop limit
// of 1, and bounded receives that report the destination and interface.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wsd::discovery {

constexpr std::uint16_t Port = 3702;
constexpr const char *GroupV4 = "239.255.255.250";
constexpr const char *GroupV6 = "ff02::c";

struct NetInterface {
    std::string name;
    unsigned index = 0;
    std::vector<in_addr> ipv4;    // addresses on the interface
    bool ipv6 = false;            // has an IPv6 address (link-local is enough for ff02::c)
};

// Interfaces that are up, multicast-capable and not loopback. With `only`
// non-empty, just those names (in any state they are found); `excluded`
// names are dropped.
std::vector<NetInterface> multicastInterfaces(const std::vector<std::string> &only,
                                              const std::vector<std::string> &excluded);

// An IPv4 or IPv6 socket address with its length.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family() const { return storage.ss_family; }
    const sockaddr *get() const { return reinterpret_cast<const sockaddr *>(&storage); }
    std::string text() const;  // "198.18.0.2:3702", "[fe80::1%veth0]:3702"
    std::string host() const;  // address only, IPv6 with zone: "fe80::1%veth0"
    std::uint16_t port() const;
    static std::optional<SocketAddress> parse(const std::string &host, std::uint16_t port);
    static SocketAddress group(int family, unsigned ifindex);  // the discovery group, port 3702
};

struct Datagram {
    std::string data;
    SocketAddress from;
    unsigned ifindex = 0;         // interface it arrived on
    bool toMulticast = false;     // sent to a group, not to us alone
};

class UdpSocket {
public:
    UdpSocket() = default;
    ~UdpSocket();
    UdpSocket(UdpSocket &&other) noexcept;
    UdpSocket &operator=(UdpSocket &&other) noexcept;
    UdpSocket(const UdpSocket &) = delete;
    UdpSocket &operator=(const UdpSocket &) = delete;

    // Binds the wildcard address of `family` to `port` (0: ephemeral).
    // shared: SO_REUSEADDR + SO_REUSEPORT, so that another WS-Discovery
    // program (wsdd) on 3702 and we both get the multicast traffic.
    static std::optional<UdpSocket> open(int family, std::uint16_t port, bool shared, std::string *error);

    explicit operator bool() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    int family() const { return family_; }

    bool joinGroup(const NetInterface &iface, std::string *error);
    bool sendTo(const std::string &data, const SocketAddress &to);
    // To the discovery group through one interface only.
    bool sendMulticast(const std::string &data, const NetInterface &iface);
    // One datagram, non-blocking; nullopt when none is waiting. Datagrams
    // longer than MaxMessageSize come back with truncated data, which the
    // parser refuses.
    std::optional<Datagram> receive();

private:
    int fd_ = -1;
    int family_ = 0;
};

}  // namespace wsd::discovery
