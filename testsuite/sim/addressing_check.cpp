#include "addressing_check.h"

#include <algorithm>
#include <cctype>

namespace wsdsim {

namespace {

std::string lowerCase(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// The path of an absolute http(s) URL ("/" when it has none), nullopt for
// anything else.
std::optional<std::string> httpPath(const std::string &address)
{
    const std::string lower = lowerCase(address);
    std::size_t start;
    if (lower.rfind("http://", 0) == 0)
        start = 7;
    else if (lower.rfind("https://", 0) == 0)
        start = 8;
    else
        return std::nullopt;
    std::size_t slash = address.find('/', start);
    if (slash == std::string::npos)
        return std::string("/");
    return address.substr(slash, address.find_first_of("?#", slash) - slash);
}

}  // namespace

std::optional<std::string> wrongDeviceTo(const std::string &to, const std::string &endpointAddress)
{
    if (to.empty())
        return "wsa:To is missing; the device's endpoint address is " + endpointAddress;
    if (lowerCase(to) != lowerCase(endpointAddress))
        return "wsa:To " + to + " is not the device's endpoint address " + endpointAddress;
    return std::nullopt;
}

std::optional<std::string> wrongServiceTo(const std::string &to, const std::vector<std::string> &serviceAddresses)
{
    if (to.empty())
        return std::string("wsa:To is missing; the scan service's address is in the device metadata");
    std::optional<std::string> path = httpPath(to);
    for (const std::string &address : serviceAddresses)
        if (path && httpPath(address) == path)
            return std::nullopt;
    return "wsa:To " + to + " is not the scan service's address" +
           (serviceAddresses.empty() ? std::string() : " " + serviceAddresses.front());
}

std::optional<std::string> zoneInTo(const std::string &to)
{
    const std::size_t open = to.find('['), close = to.find(']');
    if (open == std::string::npos || close == std::string::npos || close < open)
        return std::nullopt;
    const std::size_t pct = to.find('%', open);
    if (pct == std::string::npos || pct > close)
        return std::nullopt;
    return "wsa:To " + to + " carries the IPv6 zone " + to.substr(pct, close - pct) +
           ", which names an interface of the client, not an address of this device";
}

wsd::soap::Fault destinationUnreachable(const std::string &why)
{
    return {"Sender", "DestinationUnreachable", why, ""};
}

}  // namespace wsdsim
