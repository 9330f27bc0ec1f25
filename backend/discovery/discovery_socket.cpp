#include "wsd/discovery_socket.h"

#include "wsd/discovery_message.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wsd::discovery {

namespace {

bool contains(const std::vector<std::string> &names, const std::string &name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string errnoText(const char *what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

std::vector<NetInterface> multicastInterfaces(const std::vector<std::string> &only,
                                              const std::vector<std::string> &excluded)
{
    std::vector<NetInterface> out;
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0)
        return out;
    for (ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_name || !a->ifa_addr)
            continue;
        const std::string name = a->ifa_name;
        if (contains(excluded, name) || (!only.empty() && !contains(only, name)))
            continue;
        const unsigned flags = a->ifa_flags;
        if (!(flags & IFF_UP) || !(flags & IFF_MULTICAST) || (flags & IFF_LOOPBACK))
            continue;
        const int family = a->ifa_addr->sa_family;
        if (family != AF_INET && family != AF_INET6)
            continue;
        auto it = std::find_if(out.begin(), out.end(), [&](const NetInterface &i) { return i.name == name; });
        if (it == out.end()) {
            NetInterface iface;
            iface.name = name;
            iface.index = if_nametoindex(a->ifa_name);
            if (iface.index == 0)
                continue;
            out.push_back(iface);
            it = out.end() - 1;
        }
        if (family == AF_INET)
            it->ipv4.push_back(reinterpret_cast<const sockaddr_in *>(a->ifa_addr)->sin_addr);
        else
            it->ipv6 = true;
    }
    freeifaddrs(list);
    return out;
}

std::string SocketAddress::host() const
{
    char text[INET6_ADDRSTRLEN] = "";
    if (family() == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in *>(&storage)->sin_addr, text, sizeof text);
        return text;
    }
    const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&storage);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    std::string out = text;
    char name[IF_NAMESIZE];
    if (in6->sin6_scope_id && if_indextoname(in6->sin6_scope_id, name))
        out += std::string("%") + name;
    return out;
}

std::uint16_t SocketAddress::port() const
{
    if (family() == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
    if (family() == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
    return 0;
}

std::string SocketAddress::text() const
{
    if (family() == AF_INET)
        return host() + ":" + std::to_string(port());
    if (family() == AF_INET6)
        return "[" + host() + "]:" + std::to_string(port());
    return "?";
}

std::optional<SocketAddress> SocketAddress::parse(const std::string &host, std::uint16_t port)
{
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo *result = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &result) != 0 || !result)
        return std::nullopt;
    SocketAddress a;
    std::memcpy(&a.storage, result->ai_addr, result->ai_addrlen);
    a.length = result->ai_addrlen;
    freeaddrinfo(result);
    return a;
}

SocketAddress SocketAddress::group(int family, unsigned ifindex)
{
    SocketAddress a;
    if (family == AF_INET) {
        auto *in = reinterpret_cast<sockaddr_in *>(&a.storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(Port);
        inet_pton(AF_INET, GroupV4, &in->sin_addr);
        a.length = sizeof(sockaddr_in);
    } else {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&a.storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(Port);
        inet_pton(AF_INET6, GroupV6, &in6->sin6_addr);
        in6->sin6_scope_id = ifindex;
        a.length = sizeof(sockaddr_in6);
    }
    return a;
}

UdpSocket::~UdpSocket()
{
    if (fd_ >= 0)
        close(fd_);
}

UdpSocket::UdpSocket(UdpSocket &&other) noexcept : fd_(other.fd_), family_(other.family_) { other.fd_ = -1; }

UdpSocket &UdpSocket::operator=(UdpSocket &&other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0)
            close(fd_);
        fd_ = other.fd_;
        family_ = other.family_;
        other.fd_ = -1;
    }
    return *this;
}

std::optional<UdpSocket> UdpSocket::open(int family, std::uint16_t port, bool shared, std::string *error)
{
    UdpSocket s;
    s.family_ = family;
    s.fd_ = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd_ < 0) {
        if (error)
            *error = errnoText("socket");
        return std::nullopt;
    }
    const int one = 1;
    if (shared) {
        setsockopt(s.fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(s.fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    // Discovery is link-local: a hop limit of 1 keeps every multicast of
    // ours on the link it was sent on.
    if (family == AF_INET) {
        const unsigned char ttl = 1;
        setsockopt(s.fd_, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
        setsockopt(s.fd_, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    } else {
        const int hops = 1;
        setsockopt(s.fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        setsockopt(s.fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
        setsockopt(s.fd_, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
    SocketAddress bindTo;
    if (family == AF_INET) {
        auto *in = reinterpret_cast<sockaddr_in *>(&bindTo.storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        bindTo.length = sizeof(sockaddr_in);
    } else {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&bindTo.storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        in6->sin6_addr = in6addr_any;
        bindTo.length = sizeof(sockaddr_in6);
    }
    if (bind(s.fd_, bindTo.get(), bindTo.length) != 0) {
        if (error)
            *error = errnoText("bind");
        return std::nullopt;
    }
    return s;
}

bool UdpSocket::joinGroup(const NetInterface &iface, std::string *error)
{
    int rc;
    if (family_ == AF_INET) {
        ip_mreqn req{};
        inet_pton(AF_INET, GroupV4, &req.imr_multiaddr);
        req.imr_ifindex = static_cast<int>(iface.index);
        rc = setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &req, sizeof req);
    } else {
        ipv6_mreq req{};
        inet_pton(AF_INET6, GroupV6, &req.ipv6mr_multiaddr);
        req.ipv6mr_interface = iface.index;
        rc = setsockopt(fd_, IPPROTO_IPV6, IPV6_JOIN_GROUP, &req, sizeof req);
    }
    if (rc != 0 && errno != EADDRINUSE) {  // EADDRINUSE: already a member
        if (error)
            *error = errnoText("join group");
        return false;
    }
    return true;
}

bool UdpSocket::sendTo(const std::string &data, const SocketAddress &to)
{
    return sendto(fd_, data.data(), data.size(), MSG_NOSIGNAL, to.get(), to.length) ==
           static_cast<ssize_t>(data.size());
}

bool UdpSocket::sendMulticast(const std::string &data, const NetInterface &iface)
{
    if (family_ == AF_INET) {
        ip_mreqn req{};
        req.imr_ifindex = static_cast<int>(iface.index);
        if (setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_IF, &req, sizeof req) != 0)
            return false;
    } else {
        const int index = static_cast<int>(iface.index);
        if (setsockopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) != 0)
            return false;
    }
    return sendTo(data, SocketAddress::group(family_, iface.index));
}

std::optional<Datagram> UdpSocket::receive()
{
    Datagram d;
    d.data.resize(MaxMessageSize + 1);
    iovec iov{d.data.data(), d.data.size()};
    alignas(cmsghdr) char control[256];
    msghdr msg{};
    msg.msg_name = &d.from.storage;
    msg.msg_namelen = sizeof d.from.storage;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(fd_, &msg, MSG_DONTWAIT);
    if (n < 0)
        return std::nullopt;
    d.data.resize(static_cast<std::size_t>(n));
    d.from.length = msg.msg_namelen;
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            d.ifindex = static_cast<unsigned>(info.ipi_ifindex);
            d.toMulticast = IN_MULTICAST(ntohl(info.ipi_addr.s_addr));
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            d.ifindex = info.ipi6_ifindex;
            d.toMulticast = IN6_IS_ADDR_MULTICAST(&info.ipi6_addr);
        }
    }
    return d;
}

}  // namespace wsd::discovery
