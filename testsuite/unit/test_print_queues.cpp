// Where a CUPS queue's printer is, from its device URI (libcups's URI
// parser underneath): the schemes of network printers, IPv6 literals with
// and without zone, ports, DNS-SD services, and what is not a network printer.
#include "wsd/print_queues.h"

#include <string>

// After the standard headers: check.h defines a macro named fail.
#include "suites.h"

namespace d = wsd::discovery;

namespace {

// Opened once for the whole suite, as discovery keeps it while it asks CUPS.
const d::CupsLibrary &cups()
{
    static const d::CupsLibrary library;
    ck_assert_msg(library.loaded(), "libcups: %s", library.error().c_str());
    return library;
}

void expectHost(const char *uri, const char *host)
{
    const auto got = d::printerHostOf(cups(), uri);
    ck_assert_msg(got.has_value(), "no host in %s", uri);
    ck_assert_str_eq(got->c_str(), host);
}

void expectNoHost(const char *uri) { ck_assert_msg(!d::printerHostOf(cups(), uri), "a host in %s", uri); }

void expectService(const char *uri, const char *name, const char *type, const char *domain)
{
    const auto got = d::dnsSdServiceOf(cups(), uri);
    ck_assert_msg(got.has_value(), "no service in %s", uri);
    ck_assert_str_eq(got->name.c_str(), name);
    ck_assert_str_eq(got->type.c_str(), type);
    ck_assert_str_eq(got->domain.c_str(), domain);
}

}  // namespace

START_TEST(network_schemes_give_their_host)
{
    expectHost("ipp://198.18.0.2/ipp/print", "198.18.0.2");
    expectHost("ipps://198.18.0.2:443/ipp/print", "198.18.0.2");
    expectHost("http://printer.example:631/printers/Office", "printer.example");
    expectHost("https://printer.example/ipp", "printer.example");
    expectHost("socket://198.18.0.2:9100", "198.18.0.2");
    expectHost("socket://198.18.0.2", "198.18.0.2");
    expectHost("lpd://198.18.0.2/queue?reserve=none", "198.18.0.2");
    expectHost("ipp://user:secret@198.18.0.2/ipp/print", "198.18.0.2");
    expectHost("IPP://198.18.0.2/ipp/print", "198.18.0.2");
}
END_TEST

START_TEST(ipv6_literals_lose_brackets_and_keep_zones)
{
    expectHost("ipp://[fd00:5ca::2]/ipp/print", "fd00:5ca::2");
    expectHost("socket://[fd00:5ca::2]:9100", "fd00:5ca::2");
    expectHost("ipp://[fe80::2%25lab0]:631/ipp/print", "fe80::2%lab0");
    expectHost("lpd://[fe80::2%25lab0]/queue", "fe80::2%lab0");
}
END_TEST

START_TEST(local_devices_and_other_schemes_have_none)
{
    expectNoHost("usb://HP/OfficeJet%20Pro?serial=CN123");
    expectNoHost("parallel:/dev/lp0");
    expectNoHost("file:///dev/null");
    expectNoHost("cups-pdf:/");
    expectNoHost("hp:/net/OfficeJet?ip=198.18.0.2");
    expectNoHost("beh:/1/3/5/socket://198.18.0.2:9100");
    expectNoHost("implicitclass://Office/");
    expectNoHost("dnssd://Office%20MFP._ipp._tcp.local./?uuid=5ca00000-0000-4000-8000-00000000a001");
}
END_TEST

START_TEST(bad_uris_have_none)
{
    expectNoHost("");
    expectNoHost("garbage");
    expectNoHost("ipp://");
    expectNoHost("ipp:///ipp/print");
    expectNoHost("ipp://[fd00:5ca::2/ipp/print");
    expectNoHost("ipp://198.18.0.2:99999/ipp/print");
    expectNoHost("socket://a b/");
    expectNoHost(("ipp://" + std::string(300, 'a') + "/ipp").c_str());
}
END_TEST

START_TEST(dnssd_uris_name_a_service)
{
    expectService("dnssd://Office%20MFP._ipp._tcp.local./?uuid=5ca00000-0000-4000-8000-00000000a001", "Office MFP",
                  "_ipp._tcp", "local");
    expectService("dnssd://Brother%20MFC-L2750DW%20series._pdl-datastream._tcp.local/", "Brother MFC-L2750DW series",
                  "_pdl-datastream._tcp", "local");
    // A dot in the instance name stays in it.
    expectService("dnssd://Floor%202.5%20Printer._ipps._tcp.example.com./", "Floor 2.5 Printer", "_ipps._tcp",
                  "example.com");
    ck_assert(!d::dnsSdServiceOf(cups(), "ipp://198.18.0.2/ipp/print"));
    ck_assert(!d::dnsSdServiceOf(cups(), "dnssd://Office%20MFP/"));
    ck_assert(!d::dnsSdServiceOf(cups(), "dnssd://._ipp._tcp.local./"));
    ck_assert(!d::dnsSdServiceOf(cups(), "dnssd://Office._ipp._tcpx.local./"));
    ck_assert(!d::dnsSdServiceOf(cups(), "dnssd://"));
}
END_TEST

Suite *printQueuesSuite()
{
    Suite *s = suite_create("print_queues");
    TCase *tc = tcase_create("device_uris");
    tcase_add_test(tc, network_schemes_give_their_host);
    tcase_add_test(tc, ipv6_literals_lose_brackets_and_keep_zones);
    tcase_add_test(tc, local_devices_and_other_schemes_have_none);
    tcase_add_test(tc, bad_uris_have_none);
    tcase_add_test(tc, dnssd_uris_name_a_service);
    suite_add_tcase(s, tc);
    return s;
}
