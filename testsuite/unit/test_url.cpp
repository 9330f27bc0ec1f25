#include "wsd/url.h"

#include <string>

// After the standard headers: check.h defines a macro named fail.
#include "suites.h"

namespace url = wsd::url;

namespace {

// Check's macros evaluate their arguments more than once: a temporary
// string's c_str() would dangle.
void expectText(const std::string &got, const char *want) { ck_assert_str_eq(got.c_str(), want); }

}  // namespace

START_TEST(parses_hosts_ports_and_zones)
{
    auto v4 = url::parse("http://198.18.0.2:8080/wsd");
    ck_assert(v4.has_value());
    ck_assert_str_eq(v4->scheme.c_str(), "http");
    ck_assert_str_eq(v4->host.c_str(), "198.18.0.2");
    ck_assert_int_eq(v4->port, 8080);
    ck_assert(!v4->ipv6);

    auto v6 = url::parse("http://[fe80::1%25lab0]/wsd");
    ck_assert(v6.has_value());
    ck_assert_str_eq(v6->host.c_str(), "fe80::1");
    ck_assert_str_eq(v6->zone.c_str(), "lab0");
    ck_assert_int_eq(v6->port, 80);
    ck_assert(v6->ipv6);

    auto tls = url::parse("HTTPS://Printer.local/x");
    ck_assert(tls.has_value());
    ck_assert_str_eq(tls->scheme.c_str(), "https");
    ck_assert_int_eq(tls->port, 443);
}
END_TEST

START_TEST(reads_the_host_as_libcurl_connects_to_it)
{
    // Shorthand IPv4 forms all mean loopback to the resolver.
    for (const char *u : {"http://127.1/", "http://0x7f.0.0.1/", "http://2130706433/"}) {
        auto p = url::parse(u);
        ck_assert_msg(p.has_value(), "%s", u);
        ck_assert_str_eq(p->host.c_str(), "127.0.0.1");
    }
}
END_TEST

START_TEST(refuses_what_is_not_http)
{
    for (const char *u : {"ftp://198.18.0.2/", "file:///etc/passwd", "http://", "198.18.0.2/wsd", "http://[fe80::1/",
                          "http:///x", "http:/x", "http://h:99999/"})
        ck_assert_msg(!url::parse(u).has_value(), "%s", u);
}
END_TEST

START_TEST(rewrites_hosts_and_zones)
{
    expectText(url::withHost("http://mfp.local:5357/wsd", "198.18.0.2"), "http://198.18.0.2:5357/wsd");
    expectText(url::withHost("http://mfp.local/wsd", "fe80::2%lab0"), "http://[fe80::2%25lab0]/wsd");
    expectText(url::withZone("http://[fe80::2]:80/wsd", "lab0"), "http://[fe80::2%25lab0]:80/wsd");
    expectText(url::withZone("http://[fe80::2%25eth9]/wsd", ""), "http://[fe80::2]/wsd");
    expectText(url::withZone("http://198.18.0.2/wsd", "lab0"), "http://198.18.0.2/wsd");
    expectText(url::hostForUrl("fe80::2%lab0"), "[fe80::2%25lab0]");
    expectText(url::hostForUrl("fd00:5ca::2"), "[fd00:5ca::2]");
    expectText(url::hostForUrl("198.18.0.2"), "198.18.0.2");
    expectText(url::withoutZone("http://[fe80::2%25lab0]:80/wsd?x=%25"), "http://[fe80::2]:80/wsd?x=%25");
    expectText(url::withoutZone("https://[FE80::2%25eth0]/"), "https://[FE80::2]/");
    expectText(url::withoutZone("http://[fd00:5ca::2]/wsd%25x"), "http://[fd00:5ca::2]/wsd%25x");
    expectText(url::withoutZone("http://198.18.0.2/a%25b"), "http://198.18.0.2/a%25b");
    expectText(url::withoutZone("urn:uuid:1"), "urn:uuid:1");
}
END_TEST

START_TEST(reads_and_replaces_paths)
{
    ck_assert(url::path("not a url") == std::nullopt);
    expectText(*url::path("http://198.18.0.2:8018"), "/");
    expectText(*url::path("http://198.18.0.2/wsd/?x=1"), "/wsd/");
    expectText(url::withPath("http://[fd00:5ca::2]:8018/wsd?x=1#f", "/wsd/scan"),
               "http://[fd00:5ca::2]:8018/wsd/scan?x=1#f");
}
END_TEST

START_TEST(compares_origins)
{
    ck_assert(url::sameOrigin("http://198.18.0.2/wsd", "http://198.18.0.2:80/other"));
    ck_assert(url::sameOrigin("http://MFP.local/a", "http://mfp.local/b"));
    ck_assert(!url::sameOrigin("http://198.18.0.2/wsd", "https://198.18.0.2/wsd"));
    ck_assert(!url::sameOrigin("http://198.18.0.2/wsd", "http://198.18.0.2:8080/wsd"));
    ck_assert(!url::sameOrigin("http://198.18.0.2/wsd", "http://198.18.0.3/wsd"));
    ck_assert(!url::sameOrigin("http://[fe80::1%25a]/", "http://[fe80::1%25b]/"));
    ck_assert(!url::sameOrigin("http://198.18.0.2/", "not a url"));
}
END_TEST

Suite *urlSuite()
{
    Suite *s = suite_create("url");
    TCase *tc = tcase_create("url");
    tcase_add_test(tc, parses_hosts_ports_and_zones);
    tcase_add_test(tc, reads_the_host_as_libcurl_connects_to_it);
    tcase_add_test(tc, refuses_what_is_not_http);
    tcase_add_test(tc, rewrites_hosts_and_zones);
    tcase_add_test(tc, reads_and_replaces_paths);
    tcase_add_test(tc, compares_origins);
    suite_add_tcase(s, tc);
    return s;
}
