#include "wsd/discovery_channel.h"

#include "wsd/log.h"

namespace wsd::discovery {

void Channel::open(const Config &config)
{
    for (int family : {AF_INET, AF_INET6}) {
        std::string error;
        if (auto s = UdpSocket::open(family, 0, false, &error))
            senders_.push_back(std::move(*s));
        else
            WSD_INFO("discovery: no %s socket: %s", family == AF_INET ? "IPv4" : "IPv6", error.c_str());
    }
    if (!config.multicast)
        return;
    interfaces_ = multicastInterfaces(config.interfaces, config.excludedInterfaces);
    if (interfaces_.empty())
        WSD_INFO("discovery: no up, multicast-capable interface to probe on");
    for (int family : {AF_INET, AF_INET6}) {
        std::string error;
        // Shared: another WS-Discovery program (wsdd) may hold 3702 too;
        // without the port we still probe, we only miss Hello/Bye.
        auto s = UdpSocket::open(family, Port, true, &error);
        if (!s) {
            WSD_INFO("discovery: cannot listen for Hello/Bye on %s port 3702: %s",
                     family == AF_INET ? "IPv4" : "IPv6", error.c_str());
            continue;
        }
        for (const NetInterface &iface : interfaces_)
            if ((family == AF_INET ? !iface.ipv4.empty() : iface.ipv6) && !s->joinGroup(iface, &error))
                WSD_INFO("discovery: %s: %s", iface.name.c_str(), error.c_str());
        listeners_.push_back(std::move(*s));
    }
}

void Channel::multicast(const std::string &text, const char *what)
{
    for (const NetInterface &iface : interfaces_)
        for (UdpSocket &s : senders_) {
            if (s.family() == AF_INET ? iface.ipv4.empty() : !iface.ipv6)
                continue;
            bool ok = s.sendMulticast(text, iface);
            WSD_PROTO("discovery: -> %s on %s %s%s", what, iface.name.c_str(), s.family() == AF_INET ? "IPv4" : "IPv6",
                      ok ? "" : " (send failed)");
            WSD_DETAIL("%s", text.c_str());
        }
}

bool Channel::sendTo(const std::string &text, const SocketAddress &to)
{
    for (UdpSocket &s : senders_)
        if (s.family() == to.family())
            return s.sendTo(text, to);
    return false;
}

std::vector<UdpSocket *> Channel::sockets()
{
    std::vector<UdpSocket *> out;
    for (UdpSocket &s : senders_)
        out.push_back(&s);
    for (UdpSocket &s : listeners_)
        out.push_back(&s);
    return out;
}

}  // namespace wsd::discovery
