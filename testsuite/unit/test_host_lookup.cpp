// The bounded host lookup of discovery XAddrs: numeric answers as text,
// IPv6 link-local ones with their zone, at most the number asked for. Only
// numeric names here: a name would ask the machine's resolver, and no unit
// test sends traffic (discovery-hanging-resolver.sh tests a resolver that
// never answers, inside the lab).
#include "suites.h"

#include "wsd/host_lookup.h"

#include <chrono>
#include <string>
#include <vector>

namespace {

std::vector<std::string> lookUp(const char *name, std::size_t maxAddresses = 16)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    return wsd::discovery::lookUpHost(name, maxAddresses, deadline, [] { return false; });
}

}  // namespace

START_TEST(numeric_hosts_as_text)
{
    std::vector<std::string> v4 = lookUp("198.18.0.9");
    ck_assert_uint_eq(v4.size(), 1);
    ck_assert_str_eq(v4[0].c_str(), "198.18.0.9");
    std::vector<std::string> v6 = lookUp("fd00:5ca::2");
    ck_assert_uint_eq(v6.size(), 1);
    ck_assert_str_eq(v6[0].c_str(), "fd00:5ca::2");
    // A link-local address keeps the zone it was given (the interface's name).
    std::vector<std::string> zoned = lookUp("fe80::2%lo");
    ck_assert_uint_eq(zoned.size(), 1);
    ck_assert_str_eq(zoned[0].c_str(), "fe80::2%lo");
    ck_assert(lookUp("198.18.0.9", 0).empty());
}
END_TEST

Suite *hostLookupSuite()
{
    Suite *s = suite_create("host_lookup");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, numeric_hosts_as_text);
    suite_add_tcase(s, tc);
    return s;
}
