#include "interface_addresses.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <memory>
#include <stdexcept>

namespace wsdsim {

namespace {

struct IfaddrsFree {
    void operator()(ifaddrs *list) const { freeifaddrs(list); }
};

// Calls f(interface name, family, address text, is loopback) for each usable address.
template <typename F>
void eachAddress(F f)
{
    ifaddrs *raw = nullptr;
    if (getifaddrs(&raw) != 0)
        throw std::runtime_error("getifaddrs failed");
    std::unique_ptr<ifaddrs, IfaddrsFree> list(raw);
    for (ifaddrs *i = raw; i; i = i->ifa_next) {
        if (!i->ifa_addr || !(i->ifa_flags & IFF_UP))
            continue;
        char text[INET6_ADDRSTRLEN] = "";
        int family = i->ifa_addr->sa_family;
        if (family == AF_INET) {
            inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in *>(i->ifa_addr)->sin_addr, text, sizeof text);
        } else if (family == AF_INET6) {
            const in6_addr &a = reinterpret_cast<sockaddr_in6 *>(i->ifa_addr)->sin6_addr;
            if (IN6_IS_ADDR_LINKLOCAL(&a))
                continue;
            inet_ntop(AF_INET6, &a, text, sizeof text);
        } else {
            continue;
        }
        f(std::string(i->ifa_name), family, std::string(text), (i->ifa_flags & IFF_LOOPBACK) != 0);
    }
}

}  // namespace

std::vector<std::string> interfaceAddresses(const std::string &name)
{
    std::vector<std::string> out;
    eachAddress([&](const std::string &ifname, int, const std::string &address, bool) {
        if (ifname == name)
            out.push_back(address);
    });
    if (out.empty())
        throw std::runtime_error("interface " + name + " has no usable address");
    return out;
}

std::vector<std::string> familyAddresses(int family)
{
    std::vector<std::string> out;
    eachAddress([&](const std::string &, int f, const std::string &address, bool loopback) {
        if (f == family && !loopback)
            out.push_back(address);
    });
    return out;
}

}  // namespace wsdsim
