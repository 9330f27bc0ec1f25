// Host names looked up with a deadline. The system resolver (getaddrinfo)
// can hang for its own timeout (resolv.conf's timeout times attempts times
// servers: half a minute and more), and sane_exit joins the discovery
// thread that asked. getaddrinfo_a runs the lookup in glibc's own helper
// thread; the caller waits for it no longer than the deadline or until it
// is told to stop.
#pragma once

#include "wsd/http.h"

#include <functional>
#include <string>
#include <vector>

namespace wsd::discovery {

// The addresses of name, numeric (IPv6 link-local ones with their zone,
// "fe80::2%lab0"), at most maxAddresses of them; empty when the lookup
// fails, passes the deadline, or stopRequested() turns true while it runs.
// A lookup given up on is cancelled; one the resolver is already working on
// cannot be, and is freed by a later call once the resolver has finished it
// (glibc's helper thread still writes its answer, so it is never freed
// before that).
std::vector<std::string> lookUpHost(const std::string &name, std::size_t maxAddresses, http::Deadline deadline,
                                    const std::function<bool()> &stopRequested);

}  // namespace wsd::discovery
