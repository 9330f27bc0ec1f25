// What a hostile host on the LAN can make discovery do (WS-Discovery has no
// authentication): XAddrs at loopback, at our own address, off the link;
// a Bye or new XAddrs for someone else's endpoint. The endpoint table
// alone, with the lab's interfaces as data.
#include "discovery_table_support.h"

#include <string>
#include <vector>

// After the standard headers: check.h defines a macro named fail.
#include "suites.h"

using namespace discovery_table_support;

namespace {

const d::Source Attacker{"198.18.0.3", "lab0"};
const std::string AttackerUrl = "http://198.18.0.3:5357/wsd";

bool isListedAt(const d::EndpointTable &table, const std::string &serviceUrl)
{
    auto listed = table.listed();
    return listed.size() == 1 && listed[0].scanServiceUrls.at(0) == serviceUrl;
}

}  // namespace

START_TEST(address_verdicts)
{
    const d::LocalLinks links = labLinks();
    struct Case {
        const char *address, *sender, *link;
        d::AddressVerdict verdict;
    } cases[] = {
        {"198.18.0.2", "198.18.0.2", "lab0", d::AddressVerdict::Usable},
        {"198.18.0.77", "198.18.0.2", "lab0", d::AddressVerdict::Usable},  // on our /24
        {"203.0.113.9", "203.0.113.9", "", d::AddressVerdict::Usable},     // the sender itself
        {"203.0.113.9", "198.18.0.2", "lab0", d::AddressVerdict::OffLink},
        {"fd00:5ca::2", "fe80::2", "lab0", d::AddressVerdict::Usable},
        {"2001:db8::2", "fe80::2", "lab0", d::AddressVerdict::OffLink},
        {"fe80::2", "198.18.0.2", "lab0", d::AddressVerdict::Usable},
        {"fe80::2", "198.18.0.2", "", d::AddressVerdict::NoLinkKnown},
        {"127.0.0.1", "198.18.0.2", "lab0", d::AddressVerdict::Loopback},
        {"127.0.0.1", "127.0.0.1", "lab0", d::AddressVerdict::Loopback},
        {"::1", "198.18.0.2", "lab0", d::AddressVerdict::Loopback},
        {"::ffff:127.0.0.1", "198.18.0.2", "lab0", d::AddressVerdict::Loopback},
        {"0.0.0.0", "198.18.0.2", "lab0", d::AddressVerdict::Unspecified},
        {"::", "198.18.0.2", "lab0", d::AddressVerdict::Unspecified},
        {"239.255.255.250", "198.18.0.2", "lab0", d::AddressVerdict::Multicast},
        {"255.255.255.255", "198.18.0.2", "lab0", d::AddressVerdict::Multicast},
        {"ff02::c", "198.18.0.2", "lab0", d::AddressVerdict::Multicast},
        {"198.18.0.1", "198.18.0.2", "lab0", d::AddressVerdict::OurOwn},
        {"fd00:5ca::1", "198.18.0.2", "lab0", d::AddressVerdict::OurOwn},
        {"fe80::1", "198.18.0.2", "lab0", d::AddressVerdict::OurOwn},
        {"printer.example", "198.18.0.2", "lab0", d::AddressVerdict::NotAnAddress},
    };
    for (const Case &c : cases)
        ck_assert_msg(links.check(c.address, c.sender, c.link) == c.verdict, "%s from %s: %s", c.address, c.sender,
                      d::verdictText(links.check(c.address, c.sender, c.link)));
}
END_TEST

START_TEST(xaddrs_at_loopback_ourselves_or_off_link_get_no_request)
{
    d::EndpointTable table(labLinks());
    const std::vector<std::string> hostile = {
        "http://127.0.0.1:22/", "http://127.1:631/", "http://[::1]:631/", "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",      "http://239.255.255.250:3702/", "http://198.18.0.1:631/", "http://[fd00:5ca::1]/",
        "http://203.0.113.9/"};
    table.onMessage(announce(d::Kind::Hello, Uuid, hostile), Dev, "", T0);
    ck_assert(table.takeWork().empty());
    ck_assert(!table.busy());

    std::vector<std::string> mixed = hostile;
    mixed.push_back(DevUrl);
    table.onMessage(announce(d::Kind::Hello, Uuid, mixed), Dev, "", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(get.url.c_str(), DevUrl.c_str());
    table.onMetadata(Uuid, get.url, std::nullopt, T0);
    ck_assert(table.takeWork().empty());  // nothing else was kept to try
}
END_TEST

START_TEST(the_senders_own_address_is_tried_first)
{
    d::EndpointTable table(labLinks());
    table.onMessage(announce(d::Kind::Hello, Uuid, {"http://198.18.0.7/wsd", "http://[fd00:5ca::2]/wsd", DevUrl}),
                    Dev, "", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(get.url.c_str(), DevUrl.c_str());
}
END_TEST

START_TEST(a_link_local_xaddr_takes_the_arrival_interface_as_zone)
{
    d::EndpointTable table(labLinks());
    table.onMessage(announce(d::Kind::Hello, Uuid, {"http://[fe80::2%25eth7]:5357/wsd"}), Dev, "", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(get.url.c_str(), "http://[fe80::2%25lab0]:5357/wsd");
    // Unknown arrival interface: a link-local address cannot be placed.
    d::EndpointTable other(labLinks());
    other.onMessage(announce(d::Kind::Hello, Uuid, {"http://[fe80::2]:5357/wsd"}), d::Source{"198.18.0.2", ""}, "",
                    T0);
    ck_assert(other.takeWork().empty());
}
END_TEST

START_TEST(host_names_are_kept_and_their_addresses_checked)
{
    d::EndpointTable table(labLinks());
    const std::string named = "http://mfp.example:5357/wsd";
    table.onMessage(announce(d::Kind::Hello, Uuid, {named, DevUrl}), Dev, "", T0);
    // The address first (the sender's), then the name.
    d::Work first = onlyWork(table, d::Work::Kind::MetadataGet);
    table.onMetadata(Uuid, first.url, std::nullopt, T0);
    d::Work lookup = onlyWork(table, d::Work::Kind::ResolveHost);
    ck_assert_str_eq(lookup.url.c_str(), named.c_str());
    // The name resolves to loopback and to us: no request, the endpoint fails.
    table.onHostResolved(Uuid, lookup.url, {"127.0.0.1", "::1", "198.18.0.1"}, T0);
    ck_assert(table.takeWork().empty());
    ck_assert(!table.busy());

    d::EndpointTable good(labLinks());
    good.onMessage(announce(d::Kind::Hello, Uuid, {named}), Dev, "", T0);
    lookup = onlyWork(good, d::Work::Kind::ResolveHost);
    good.onHostResolved(Uuid, lookup.url, {"127.0.0.1", "fe80::2%lab0"}, T0);
    d::Work get = onlyWork(good, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(get.url.c_str(), "http://[fe80::2%25lab0]:5357/wsd");
}
END_TEST

START_TEST(scan_service_addresses_get_the_same_checks)
{
    d::EndpointTable table(labLinks());
    table.onMessage(announce(d::Kind::Hello, Uuid, {DevUrl}), Dev, "", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    wsd::DeviceMetadata md = scanner("http://127.0.0.1:631/scan");
    md.hosted[0].addresses.push_back("http://198.18.0.1:22/scan");
    table.onMetadata(Uuid, get.url, md, T0);
    ck_assert(table.listed().empty());  // no usable scan service

    md.hosted[0].addresses.push_back(ScanUrl);
    table.onMessage(announce(d::Kind::Hello, Uuid, {DevUrl}, 2), Dev, "", T0);
    get = onlyWork(table, d::Work::Kind::MetadataGet);
    table.onMetadata(Uuid, get.url, md, T0);
    ck_assert(isListedAt(table, ScanUrl));
    ck_assert_uint_eq(table.listed()[0].scanServiceUrls.size(), 1);
}
END_TEST

START_TEST(a_bye_from_another_host_is_checked_and_the_scanner_stays)
{
    d::EndpointTable table(labLinks());
    list(table, Uuid, DevUrl, Dev, ScanUrl);
    table.onMessage(announce(d::Kind::Bye, Uuid, {}, 1), Attacker, "", T0);
    ck_assert(isListedAt(table, ScanUrl));
    ck_assert(table.busy());
    // The check goes to the known XAddr, not anywhere the stranger says.
    d::Work check = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(check.url.c_str(), DevUrl.c_str());
    table.onMetadata(Uuid, check.url, scanner(ScanUrl), T0);
    ck_assert(isListedAt(table, ScanUrl));
    ck_assert(!table.busy());
    ck_assert(table.takeWork().empty());
}
END_TEST

START_TEST(a_bye_from_another_host_counts_when_the_device_is_gone)
{
    d::EndpointTable table(labLinks());
    list(table, Uuid, DevUrl, Dev, ScanUrl);
    const unsigned long generation = table.generation();
    table.onMessage(announce(d::Kind::Bye, Uuid, {}, 1), Attacker, "", T0);
    d::Work check = onlyWork(table, d::Work::Kind::MetadataGet);
    table.onMetadata(Uuid, check.url, std::nullopt, T0);
    ck_assert(table.listed().empty());
    ck_assert_uint_ne(table.generation(), generation);
}
END_TEST

START_TEST(a_bye_from_the_device_counts_at_once)
{
    d::EndpointTable table(labLinks());
    list(table, Uuid, DevUrl, Dev, ScanUrl);
    table.onMessage(announce(d::Kind::Bye, Uuid, {}, 1), Dev, "", T0);
    ck_assert(table.listed().empty());
    ck_assert(table.takeWork().empty());
}
END_TEST

START_TEST(new_xaddrs_from_another_host_wait_for_the_check)
{
    d::EndpointTable table(labLinks());
    list(table, Uuid, DevUrl, Dev, ScanUrl);
    // Bye + Hello re-pointing the endpoint at the attacker, with a newer
    // AppSequence.
    table.onMessage(announce(d::Kind::Bye, Uuid, {}, 1), Attacker, "", T0);
    table.onMessage(announce(d::Kind::Hello, Uuid, {AttackerUrl}, 9), Attacker, "", T0);
    d::Work check = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(check.url.c_str(), DevUrl.c_str());
    table.onMetadata(Uuid, check.url, scanner(ScanUrl), T0);
    ck_assert(isListedAt(table, ScanUrl));
    ck_assert(table.takeWork().empty());
    auto listed = table.listed();
    ck_assert_uint_eq(listed[0].deviceUrls.size(), 1);
    ck_assert_str_eq(listed[0].deviceUrls[0].c_str(), DevUrl.c_str());
    // The stranger's AppSequence did not stick: the device's own Bye counts.
    table.onMessage(announce(d::Kind::Bye, Uuid, {}, 1), Dev, "", T0);
    ck_assert(table.listed().empty());
}
END_TEST

START_TEST(a_device_that_moved_is_followed_after_the_check)
{
    d::EndpointTable table(labLinks());
    list(table, Uuid, DevUrl, Dev, ScanUrl);
    const d::Source moved{"198.18.0.9", "lab0"};
    table.onMessage(announce(d::Kind::Hello, Uuid, {"http://198.18.0.9:5357/wsd"}, 2), moved, "", T0);
    d::Work check = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(check.url.c_str(), DevUrl.c_str());
    table.onMetadata(Uuid, check.url, std::nullopt, T0);  // the old address is dead
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(get.url.c_str(), "http://198.18.0.9:5357/wsd");
    table.onMetadata(Uuid, get.url, scanner("http://198.18.0.9:5357/scan"), T0);
    ck_assert(isListedAt(table, "http://198.18.0.9:5357/scan"));
    // Its new address is now a known host: its Bye counts at once.
    table.onMessage(announce(d::Kind::Bye, Uuid, {}, 2), moved, "", T0);
    ck_assert(table.listed().empty());
}
END_TEST

START_TEST(the_same_xaddrs_from_another_address_change_nothing)
{
    d::EndpointTable table(labLinks());
    list(table, Uuid, DevUrl, Dev, ScanUrl);
    // The device's IPv6 copy of its Hello comes from its link-local address.
    table.onMessage(announce(d::Kind::Hello, Uuid, {DevUrl}), d::Source{"fe80::2", "lab0"}, "", T0);
    ck_assert(table.takeWork().empty());
    ck_assert(isListedAt(table, ScanUrl));
}
END_TEST

START_TEST(avahi_results_get_the_same_checks)
{
    d::EndpointTable table(labLinks());
    ck_assert(!table.admitAvahiHost("127.0.0.1", "", T0));
    ck_assert(!table.admitAvahiHost("198.18.0.1", "", T0));
    ck_assert(!table.admitAvahiHost("203.0.113.9", "", T0));
    ck_assert(!table.admitAvahiHost("fe80::2", "", T0));
    ck_assert(table.admitAvahiHost("198.18.0.2", "", T0));
    // Its directed probe's answer is held to the rules with it as sender.
    table.onMessage(answer(d::Kind::ProbeMatches, "urn:uuid:x", Uuid, {"http://127.0.0.1:631/", DevUrl}),
                    d::Source{"198.18.0.2", ""}, "avahi", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(get.url.c_str(), DevUrl.c_str());
}
END_TEST

Suite *discoveryTrustSuite()
{
    Suite *s = suite_create("discovery_trust");
    TCase *tc = tcase_create("hostile_lan_host");
    tcase_add_test(tc, address_verdicts);
    tcase_add_test(tc, xaddrs_at_loopback_ourselves_or_off_link_get_no_request);
    tcase_add_test(tc, the_senders_own_address_is_tried_first);
    tcase_add_test(tc, a_link_local_xaddr_takes_the_arrival_interface_as_zone);
    tcase_add_test(tc, host_names_are_kept_and_their_addresses_checked);
    tcase_add_test(tc, scan_service_addresses_get_the_same_checks);
    tcase_add_test(tc, a_bye_from_another_host_is_checked_and_the_scanner_stays);
    tcase_add_test(tc, a_bye_from_another_host_counts_when_the_device_is_gone);
    tcase_add_test(tc, a_bye_from_the_device_counts_at_once);
    tcase_add_test(tc, new_xaddrs_from_another_host_wait_for_the_check);
    tcase_add_test(tc, a_device_that_moved_is_followed_after_the_check);
    tcase_add_test(tc, the_same_xaddrs_from_another_address_change_nothing);
    tcase_add_test(tc, avahi_results_get_the_same_checks);
    suite_add_tcase(s, tc);
    return s;
}
