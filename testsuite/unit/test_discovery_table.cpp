// The endpoint table alone: messages, metadata answers and times in,
// decisions out; no socket, thread or clock.
#include "discovery_table_support.h"

#include <string>
#include <vector>

// After the standard headers: check.h defines a macro named fail.
#include "suites.h"

using namespace discovery_table_support;

START_TEST(hello_leads_to_a_metadata_get_then_a_listing)
{
    d::EndpointTable table;
    table.onMessage(announce(d::Kind::Hello, Uuid, {DevUrl}), Dev, "", T0);
    ck_assert(table.busy());
    ck_assert(table.listed().empty());
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(get.endpoint.c_str(), Uuid.c_str());
    ck_assert_str_eq(get.url.c_str(), DevUrl.c_str());

    const unsigned long before = table.generation();
    table.onMetadata(Uuid, get.url, scanner(ScanUrl, "Office"), T0 + milliseconds(5));
    ck_assert(!table.busy());
    ck_assert_uint_ne(table.generation(), before);
    auto listed = table.listed();
    ck_assert_uint_eq(listed.size(), 1);
    ck_assert_str_eq(listed[0].endpointUuid.c_str(), Uuid.c_str());
    ck_assert_str_eq(listed[0].friendlyName.c_str(), "Office");
    ck_assert_str_eq(listed[0].scanServiceUrls.at(0).c_str(), ScanUrl.c_str());
    ck_assert_str_eq(listed[0].foundBy.c_str(), "multicast");
    ck_assert(table.lastActivity() == T0 + milliseconds(5));
}
END_TEST

START_TEST(a_device_without_scan_service_is_not_listed)
{
    d::EndpointTable table;
    table.onMessage(announce(d::Kind::Hello, Uuid, {DevUrl}), Dev, "", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    table.onMetadata(Uuid, get.url, wsd::DeviceMetadata(), T0);
    ck_assert(table.listed().empty());
    ck_assert(!table.busy());
}
END_TEST

START_TEST(printers_are_not_asked)
{
    d::EndpointTable table;
    d::Message hello = announce(d::Kind::Hello, Uuid, {DevUrl});
    hello.endpoints[0].types = {{ns::Print, "PrintDeviceType"}};
    table.onMessage(hello, Dev, "", T0);
    ck_assert(table.takeWork().empty());
    ck_assert(!table.busy());
}
END_TEST

START_TEST(without_xaddrs_resolve_is_sent_and_retried_then_given_up)
{
    d::EndpointTable table;
    table.onMessage(announce(d::Kind::Hello, Uuid, {}), Dev, "", T0);
    ck_assert(table.takeWork().empty());
    int next = 0;
    auto due = table.dueResolves(T0, true, &next);
    ck_assert_uint_eq(due.size(), 1);
    ck_assert_str_eq(due[0].endpoint.c_str(), Uuid.c_str());
    ck_assert_int_eq(next, 300);
    // Nothing due before the retry time.
    ck_assert(table.dueResolves(T0 + milliseconds(100), true, &next).empty());
    ck_assert_int_gt(next, 0);
    ck_assert_uint_eq(table.dueResolves(T0 + milliseconds(300), true, &next).size(), 1);
    ck_assert_uint_eq(table.dueResolves(T0 + milliseconds(900), true, &next).size(), 1);
    // Three attempts unanswered: given up.
    ck_assert(table.dueResolves(T0 + milliseconds(2000), true, &next).empty());
    ck_assert(!table.busy());
    ck_assert_int_eq(next, -1);
}
END_TEST

START_TEST(resolve_matches_must_answer_our_resolve)
{
    d::EndpointTable table;
    table.onMessage(announce(d::Kind::Hello, Uuid, {}), Dev, "", T0);
    int next = 0;
    table.dueResolves(T0, true, &next);
    table.onMessage(answer(d::Kind::ResolveMatches, "urn:uuid:not-ours", Uuid, {DevUrl}), Dev, "", T0);
    ck_assert(table.takeWork().empty());
    table.resolveSent("urn:uuid:ours", Uuid);
    table.onMessage(answer(d::Kind::ResolveMatches, "urn:uuid:ours", Uuid, {DevUrl}), Dev, "", T0);
    const d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(get.url.c_str(), DevUrl.c_str());
}
END_TEST

START_TEST(no_interface_means_no_resolve)
{
    d::EndpointTable table;
    table.onMessage(announce(d::Kind::Hello, Uuid, {}), Dev, "", T0);
    int next = 0;
    ck_assert(table.dueResolves(T0, false, &next).empty());
    ck_assert(!table.busy());
}
END_TEST

START_TEST(probe_matches_must_answer_our_probe)
{
    d::EndpointTable table;
    table.onMessage(answer(d::Kind::ProbeMatches, "urn:uuid:p1", Uuid, {DevUrl}), Dev, "", T0);
    ck_assert(table.takeWork().empty());
    table.probeSent("urn:uuid:p1", "multicast");
    table.onMessage(answer(d::Kind::ProbeMatches, "urn:uuid:p1", Uuid, {DevUrl}), Dev, "", T0);
    onlyWork(table, d::Work::Kind::MetadataGet);
}
END_TEST

START_TEST(directed_probe_answers_count_as_avahi)
{
    d::EndpointTable table;
    list(table, Uuid, DevUrl, Dev, ScanUrl);
    const std::string other = "urn:uuid:5ca00000-0000-4000-8000-00000000a002";
    table.onMessage(answer(d::Kind::ProbeMatches, "urn:uuid:any", other, {"http://198.18.0.2:6000/wsd"}), Dev,
                    "avahi", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    table.onMetadata(other, get.url, scanner("http://198.18.0.2:6000/scan"), T0);
    auto listed = table.listed();
    ck_assert_uint_eq(listed.size(), 2);
    for (const auto &dev : listed)
        ck_assert_str_eq(dev.foundBy.c_str(), dev.endpointUuid == other ? "avahi" : "multicast");
}
END_TEST

START_TEST(failed_metadata_tries_the_next_xaddr_routable_first)
{
    d::EndpointTable table;
    const std::string linkLocal = "http://[fe80::2]:5357/wsd";
    table.onMessage(announce(d::Kind::Hello, Uuid, {linkLocal, DevUrl}), Dev, "", T0);
    d::Work first = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(first.url.c_str(), DevUrl.c_str());
    table.onMetadata(Uuid, first.url, std::nullopt, T0);
    // The link-local XAddr carries the interface the Hello came in on.
    d::Work second = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(second.url.c_str(), "http://[fe80::2%25lab0]:5357/wsd");
    table.onMetadata(Uuid, second.url, scanner("http://[fe80::2]:5357/scan"), T0);
    auto listed = table.listed();
    ck_assert_uint_eq(listed.size(), 1);
    ck_assert_str_eq(listed[0].scanServiceUrls[0].c_str(), "http://[fe80::2%25lab0]:5357/scan");
    ck_assert_str_eq(listed[0].deviceUrls[0].c_str(), DevUrl.c_str());
}
END_TEST

START_TEST(all_xaddrs_failing_ends_the_fetch)
{
    d::EndpointTable table;
    table.onMessage(announce(d::Kind::Hello, Uuid, {DevUrl}), Dev, "", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    table.onMetadata(Uuid, get.url, std::nullopt, T0);
    ck_assert(table.takeWork().empty());
    ck_assert(!table.busy());
    // A later announcement tries again.
    table.onMessage(announce(d::Kind::Hello, Uuid, {DevUrl}), Dev, "", T0 + milliseconds(10));
    onlyWork(table, d::Work::Kind::MetadataGet);
}
END_TEST

START_TEST(bye_removes_and_a_stale_bye_does_not)
{
    d::EndpointTable table;
    list(table, Uuid, DevUrl, Dev, ScanUrl);
    table.onMessage(announce(d::Kind::Hello, Uuid, {DevUrl}, 5), Dev, "", T0);  // rebooted: fetched again
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    table.onMetadata(Uuid, get.url, scanner(ScanUrl), T0);
    table.onMessage(announce(d::Kind::Bye, Uuid, {}, 4), Dev, "", T0);
    ck_assert_uint_eq(table.listed().size(), 1);
    const unsigned long before = table.generation();
    table.onMessage(announce(d::Kind::Bye, Uuid, {}, 5), Dev, "", T0);
    ck_assert(table.listed().empty());
    ck_assert_uint_ne(table.generation(), before);
}
END_TEST

START_TEST(hellos_from_new_endpoints_are_rate_limited)
{
    d::EndpointTable table;
    std::size_t gets = 0;
    for (int i = 0; i < 100; ++i) {
        table.onMessage(announce(d::Kind::Hello, "urn:uuid:flood-" + std::to_string(i), {DevUrl}), Dev, "",
                        T0 + milliseconds(i));
        gets += table.takeWork().size();
    }
    ck_assert_uint_eq(gets, 64);
    // The next second admits more.
    table.onMessage(announce(d::Kind::Hello, "urn:uuid:later", {DevUrl}), Dev, "", T0 + milliseconds(1500));
    onlyWork(table, d::Work::Kind::MetadataGet);
}
END_TEST

START_TEST(host_names_are_looked_up_first)
{
    d::EndpointTable table;
    table.onMessage(announce(d::Kind::Hello, Uuid, {"http://mfp.local:5357/wsd"}), Dev, "", T0);
    d::Work lookup = onlyWork(table, d::Work::Kind::ResolveHost);
    ck_assert_str_eq(lookup.url.c_str(), "http://mfp.local:5357/wsd");
    table.onHostResolved(Uuid, lookup.url, {"198.18.0.2"}, T0);
    const d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    ck_assert_str_eq(get.url.c_str(), DevUrl.c_str());
}
END_TEST

// One ProbeMatches message may carry several ProbeMatch records (WS-Discovery
// 1.1, 5.3; a Lexmark MX310dn answers so): every record is taken, from the
// wire text through the table to the listing.
START_TEST(every_record_of_a_probe_matches_is_taken)
{
    const std::string second = "urn:uuid:5ca00000-0000-4000-8000-00000000a002";
    std::string records;
    for (const std::string &uuid : {Uuid, second})
        records += "<d:ProbeMatch><a:EndpointReference><a:Address>" + uuid +
                   "</a:Address></a:EndpointReference><d:Types>wscn:ScanDeviceType</d:Types><d:XAddrs>http://"
                   "198.18.0.2:5357/" + uuid.substr(9) + "</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
                   "</d:ProbeMatch>";
    const std::string text =
        "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'"
        " xmlns:a='http://schemas.xmlsoap.org/ws/2004/08/addressing'"
        " xmlns:d='http://schemas.xmlsoap.org/ws/2005/04/discovery'"
        " xmlns:wscn='http://schemas.microsoft.com/windows/2006/08/wdp/scan'><s:Header>"
        "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action>"
        "<a:MessageID>urn:uuid:m1</a:MessageID><a:RelatesTo>urn:uuid:p1</a:RelatesTo></s:Header>"
        "<s:Body><d:ProbeMatches>" + records + "</d:ProbeMatches></s:Body></s:Envelope>";
    auto m = d::parse(text);
    ck_assert(m.has_value());
    ck_assert_uint_eq(m->endpoints.size(), 2);

    d::EndpointTable table;
    table.probeSent("urn:uuid:p1", "multicast");
    table.onMessage(*m, Dev, "", T0);
    std::vector<d::Work> work = table.takeWork();
    ck_assert_uint_eq(work.size(), 2);
    for (const d::Work &get : work) {
        ck_assert(get.kind == d::Work::Kind::MetadataGet);
        table.onMetadata(get.endpoint, get.url, scanner(get.url + "/scan", get.endpoint), T0);
    }
    auto listed = table.listed();
    ck_assert_uint_eq(listed.size(), 2);
    ck_assert(listed[0].endpointUuid != listed[1].endpointUuid);
}
END_TEST

// A host name in XAddrs (Pantum MFPs, sane-airscan#317) survives parsing and
// is looked up before the Get; a name that does not resolve tries the next
// XAddr instead of holding the endpoint.
START_TEST(host_name_xaddrs_from_the_wire)
{
    const std::string text =
        "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'"
        " xmlns:a='http://schemas.xmlsoap.org/ws/2004/08/addressing'"
        " xmlns:d='http://schemas.xmlsoap.org/ws/2005/04/discovery'><s:Body><d:Hello>"
        "<a:EndpointReference><a:Address>" + Uuid + "</a:Address></a:EndpointReference>"
        "<d:Types xmlns:wscn='http://schemas.microsoft.com/windows/2006/08/wdp/scan'>wscn:ScanDeviceType</d:Types>"
        "<d:XAddrs>http://Pantum-1C6FA7:43001/43001 " + DevUrl + "</d:XAddrs>"
        "<d:MetadataVersion>1</d:MetadataVersion></d:Hello></s:Body></s:Envelope>";
    auto m = d::parse(text);
    ck_assert(m.has_value());
    ck_assert_uint_eq(m->endpoints.at(0).xaddrs.size(), 2);
    ck_assert_str_eq(m->endpoints[0].xaddrs[0].c_str(), "http://Pantum-1C6FA7:43001/43001");

    d::EndpointTable table;
    table.onMessage(*m, Dev, "", T0);
    std::vector<d::Work> work = table.takeWork();
    // The IP-literal XAddr may go first; the name is looked up when its turn comes.
    bool looked = false;
    for (int round = 0; round < 3 && !work.empty(); ++round) {
        ck_assert_uint_eq(work.size(), 1);
        if (work[0].kind == d::Work::Kind::ResolveHost) {
            ck_assert_str_eq(work[0].url.c_str(), "http://Pantum-1C6FA7:43001/43001");
            looked = true;
            table.onHostResolved(Uuid, work[0].url, {}, T0);  // unresolvable: the next XAddr
        } else {
            ck_assert(work[0].kind == d::Work::Kind::MetadataGet);
            table.onMetadata(Uuid, work[0].url, std::nullopt, T0);  // no answer: the next XAddr
        }
        work = table.takeWork();
    }
    ck_assert(looked);
    ck_assert(table.listed().empty());
}
END_TEST

START_TEST(avahi_hosts_are_probed_once)
{
    d::EndpointTable table(labLinks());
    ck_assert(table.admitAvahiHost("198.18.0.2", "", T0));
    ck_assert(!table.admitAvahiHost("198.18.0.2", "", T0));
    ck_assert(table.admitAvahiHost("fe80::2", "lab0", T0));
}
END_TEST

START_TEST(print_queue_hosts_are_probed_once_even_off_link)
{
    d::EndpointTable table(labLinks());
    ck_assert(table.admitPrintQueueHost("198.18.0.2", "", "Office", T0));
    ck_assert(!table.admitPrintQueueHost("198.18.0.2", "", "Office_Duplex", T0));
    ck_assert(table.admitPrintQueueHost("203.0.113.9", "", "Branch", T0));  // another subnet
    ck_assert(table.admitPrintQueueHost("fe80::2", "lab0", "Local", T0));
    ck_assert(!table.admitPrintQueueHost("127.0.0.1", "", "Loop", T0));
    ck_assert(!table.admitPrintQueueHost("::1", "", "Loop6", T0));
    ck_assert(!table.admitPrintQueueHost("198.18.0.1", "", "Self", T0));
    ck_assert(!table.admitPrintQueueHost("224.0.0.251", "", "Group", T0));
    ck_assert(!table.admitPrintQueueHost("fe80::3", "", "NoLink", T0));
}
END_TEST

// Every endpoint at a queue's host names the queues, however it was found;
// others name none.
START_TEST(print_queues_name_the_endpoints_at_their_host)
{
    d::EndpointTable table(labLinks());
    table.admitPrintQueueHost("198.18.0.2", "", "Office", T0);
    table.admitPrintQueueHost("198.18.0.2", "", "Office_Duplex", T0);
    table.admitPrintQueueHost("198.18.0.7", "", "Elsewhere", T0);
    list(table, Uuid, DevUrl, Dev, ScanUrl);
    const std::string other = "urn:uuid:5ca00000-0000-4000-8000-00000000a002";
    table.onMessage(answer(d::Kind::ProbeMatches, "urn:uuid:any", other, {"http://198.18.0.3:5357/wsd"}),
                    d::Source{"198.18.0.3", "lab0"}, "cups", T0);
    d::Work get = onlyWork(table, d::Work::Kind::MetadataGet);
    table.onMetadata(other, get.url, scanner("http://198.18.0.3:5357/scan"), T0);
    auto listed = table.listed();
    ck_assert_uint_eq(listed.size(), 2);
    for (const auto &dev : listed) {
        if (dev.endpointUuid == Uuid) {
            ck_assert_uint_eq(dev.printQueues.size(), 2);
            ck_assert_str_eq(dev.printQueues[0].c_str(), "Office");
            ck_assert_str_eq(dev.printQueues[1].c_str(), "Office_Duplex");
        } else {
            ck_assert_str_eq(dev.foundBy.c_str(), "cups");
            ck_assert(dev.printQueues.empty());
        }
    }
}
END_TEST

Suite *discoveryTableSuite()
{
    Suite *s = suite_create("discovery_table");
    TCase *tc = tcase_create("endpoints");
    tcase_add_test(tc, hello_leads_to_a_metadata_get_then_a_listing);
    tcase_add_test(tc, a_device_without_scan_service_is_not_listed);
    tcase_add_test(tc, printers_are_not_asked);
    tcase_add_test(tc, without_xaddrs_resolve_is_sent_and_retried_then_given_up);
    tcase_add_test(tc, resolve_matches_must_answer_our_resolve);
    tcase_add_test(tc, no_interface_means_no_resolve);
    tcase_add_test(tc, probe_matches_must_answer_our_probe);
    tcase_add_test(tc, directed_probe_answers_count_as_avahi);
    tcase_add_test(tc, failed_metadata_tries_the_next_xaddr_routable_first);
    tcase_add_test(tc, all_xaddrs_failing_ends_the_fetch);
    tcase_add_test(tc, bye_removes_and_a_stale_bye_does_not);
    tcase_add_test(tc, hellos_from_new_endpoints_are_rate_limited);
    tcase_add_test(tc, host_names_are_looked_up_first);
    tcase_add_test(tc, avahi_hosts_are_probed_once);
    tcase_add_test(tc, every_record_of_a_probe_matches_is_taken);
    tcase_add_test(tc, host_name_xaddrs_from_the_wire);
    tcase_add_test(tc, print_queue_hosts_are_probed_once_even_off_link);
    tcase_add_test(tc, print_queues_name_the_endpoints_at_their_host);
    suite_add_tcase(s, tc);
    return s;
}
