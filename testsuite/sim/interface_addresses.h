// The addresses wsd-sim serves on when it is told an interface or a wildcard
// address: what getifaddrs reports, without IPv6 link-local addresses (a URL
// for them needs a zone index, which clients handle poorly).
#pragma once

#include <string>
#include <vector>

namespace wsdsim {

// Addresses of interface `name`; throws std::runtime_error if it has none.
std::vector<std::string> interfaceAddresses(const std::string &name);
// Non-loopback addresses of every interface in one family (AF_INET / AF_INET6).
std::vector<std::string> familyAddresses(int family);

}  // namespace wsdsim
