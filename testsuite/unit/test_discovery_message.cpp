#include "wsd/discovery_message.h"
#include "wsd/namespaces.h"
#include "wsd/soap.h"

#include <fstream>
#include <sstream>
#include <string>

// After the standard headers: check.h defines a macro named fail.
#include "suites.h"
#include "test_files.h"

namespace d = wsd::discovery;

namespace {

bool hasQName(const std::vector<wsd::xml::QName> &types, const char *ns, const char *local)
{
    return d::hasType(types, {ns, local});
}

}  // namespace

START_TEST(canon_resolve_matches)
{
    auto m = d::parse(readDeviceCapture("canon-pixma-unknown/ResolveMatches.xml"));
    ck_assert(m.has_value());
    ck_assert(m->kind == d::Kind::ResolveMatches);
    ck_assert(m->version == d::Version::V2005);
    ck_assert_str_eq(m->messageId.c_str(), "urn:uuid:c34c5c20-1eb5-11b2-a11b-f4813944662e");
    ck_assert_str_eq(m->relatesTo.c_str(), "urn:uuid:f4d6720a-d248-4366-b6e6-2df030f8cffa");
    // AppSequence without SequenceId (a Canon quirk) is still read.
    ck_assert(m->appSequence.present);
    ck_assert_uint_eq(m->appSequence.instanceId, 66);
    ck_assert_uint_eq(m->appSequence.messageNumber, 38);
    ck_assert(m->appSequence.sequenceId.empty());
    ck_assert_uint_eq(m->endpoints.size(), 1);
    const d::Endpoint &e = m->endpoints[0];
    ck_assert_str_eq(e.address.c_str(), "urn:uuid:00000000-0000-1000-8000-f4813944662e");
    ck_assert_uint_eq(e.types.size(), 3);
    ck_assert(hasQName(e.types, wsd::ns::Dpws, "Device"));
    ck_assert(hasQName(e.types, wsd::ns::Print, "PrintDeviceType"));
    ck_assert(d::hasType(e.types, d::scanDeviceType()));
    ck_assert_uint_eq(e.xaddrs.size(), 1);
    ck_assert_str_eq(e.xaddrs[0].c_str(), "http://192.168.1.5:80/wsd/pnpx-metadata.cgi");
    ck_assert_uint_eq(e.metadataVersion, 1);
}
END_TEST

START_TEST(canon_directed_probe_matches_truncated_is_rejected)
{
    // Only the Envelope start tag and an unfinished Header tag survive in
    // this capture: the parser must refuse it with a reason, not crash.
    std::string error;
    auto m = d::parse(readDeviceCapture("canon-unknown-f80d609c8532/ProbeMatches-directed-http-truncated.xml"), &error);
    ck_assert(!m.has_value());
    ck_assert(!error.empty());
}
END_TEST

START_TEST(dell_print_only_hello)
{
    auto m = d::parse(readDeviceCapture("dell-2330-lexmark-oem/Hello-printonly-linenumbers-stripped.xml"));
    ck_assert(m.has_value());
    ck_assert(m->kind == d::Kind::Hello);
    ck_assert_str_eq(m->messageId.c_str(), "urn:uuid:3af4b6f3-50bc-49cc-b9f6-4e37e9d875af");
    ck_assert(m->appSequence.present);
    ck_assert_uint_eq(m->appSequence.instanceId, 53);
    ck_assert_uint_eq(m->appSequence.messageNumber, 2);
    ck_assert_uint_eq(m->endpoints.size(), 1);
    const d::Endpoint &e = m->endpoints[0];
    ck_assert_str_eq(e.address.c_str(), "uuid:f6fe2f0a-325f-4454-aa07-0888d60ffa64");  // no "urn:"
    // The print namespace under the prefix nprt resolves by URI.
    ck_assert_uint_eq(e.types.size(), 2);
    ck_assert(hasQName(e.types, wsd::ns::Dpws, "Device"));
    ck_assert(hasQName(e.types, wsd::ns::Print, "PrintDeviceType"));
    ck_assert(!d::hasType(e.types, d::scanDeviceType()));  // print-only: a scanner backend ignores it
    ck_assert_uint_eq(e.xaddrs.size(), 1);
    ck_assert_str_eq(e.xaddrs[0].c_str(), "http://[fe80::221:b7ff:fe88:ced0]:50000/lxkWSdevice");
    ck_assert_uint_eq(e.metadataVersion, 8);
}
END_TEST

START_TEST(hp_ledm_types_fragment)
{
    // The capture is one wsd:Types element whose prefixes are declared
    // elsewhere. As is, it is not an envelope and is refused; wrapped in a
    // Hello with the prefixes declared, its four QNames resolve, the vendor
    // type next to the scan type. (The ledm URI is not in the capture; the
    // one declared here is a stand-in.)
    std::string fragment = readDeviceCapture("hp-unknown-ledm/Discovery-Types-fragment-truncated.xml");
    std::string error;
    ck_assert(!d::parse(fragment, &error));
    ck_assert(!error.empty());

    std::string wrapped =
        "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'"
        " xmlns:a='http://schemas.xmlsoap.org/ws/2004/08/addressing'"
        " xmlns:wsd='http://schemas.xmlsoap.org/ws/2005/04/discovery'"
        " xmlns:wsdp='http://schemas.xmlsoap.org/ws/2006/02/devprof'"
        " xmlns:wprt='http://schemas.microsoft.com/windows/2006/08/wdp/print'"
        " xmlns:wscn='http://schemas.microsoft.com/windows/2006/08/wdp/scan'"
        " xmlns:ledm='urn:example:hp-ledm'>"
        "<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</a:Action></s:Header>"
        "<s:Body><wsd:Hello><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference>" +
        fragment + "</wsd:Hello></s:Body></s:Envelope>";
    auto m = d::parse(wrapped, &error);
    ck_assert_msg(m.has_value(), "%s", error.c_str());
    const auto &types = m->endpoints.at(0).types;
    ck_assert_uint_eq(types.size(), 4);
    ck_assert(hasQName(types, wsd::ns::Dpws, "Device"));
    ck_assert(hasQName(types, wsd::ns::Print, "PrintDeviceType"));
    ck_assert(d::hasType(types, d::scanDeviceType()));
    ck_assert(hasQName(types, "urn:example:hp-ledm", "hpLEDMDeviceType"));
    ck_assert(m->endpoints[0].xaddrs.empty());
}
END_TEST

START_TEST(probe_round_trip_both_versions)
{
    for (d::Version v : {d::Version::V2005, d::Version::V2009}) {
        std::string id = wsd::soap::newMessageId();
        std::string text = d::buildProbe(v, {d::scanDeviceType(), d::dpwsDeviceType()}, id);
        auto m = d::parse(text);
        ck_assert(m.has_value());
        ck_assert(m->kind == d::Kind::Probe);
        ck_assert(m->version == v);
        ck_assert_str_eq(m->messageId.c_str(), id.c_str());
        ck_assert_uint_eq(m->probeTypes.size(), 2);
        ck_assert(d::hasType(m->probeTypes, d::scanDeviceType()));
        ck_assert(d::hasType(m->probeTypes, d::dpwsDeviceType()));
        if (v == d::Version::V2009) {
            ck_assert(text.find("http://www.w3.org/2005/08/addressing") != std::string::npos);
            ck_assert(text.find("docs.oasis-open.org/ws-dd/ns/discovery/2009/01/Probe") != std::string::npos);
        } else {
            ck_assert(text.find("urn:schemas-xmlsoap-org:ws:2005:04:discovery") != std::string::npos);
        }
    }
}
END_TEST

START_TEST(matches_hello_bye_resolve_round_trip)
{
    d::Endpoint e;
    e.address = "urn:uuid:5ca00000-0000-4000-8000-000000000001";
    e.types = {d::dpwsDeviceType(), d::scanDeviceType(), {"urn:vendor", "Thing"}};
    e.xaddrs = {"http://198.18.0.2:8080/wsd", "http://[fd00:5ca::2]:8080/wsd"};
    e.metadataVersion = 3;
    d::AppSequence seq;
    seq.present = true;
    seq.instanceId = 1700000000;
    seq.sequenceId = "urn:uuid:seq";
    seq.messageNumber = 7;
    for (d::Version v : {d::Version::V2005, d::Version::V2009}) {
        auto pm = d::parse(d::buildProbeMatches(v, "urn:uuid:probe", e, seq, wsd::soap::newMessageId()));
        ck_assert(pm && pm->kind == d::Kind::ProbeMatches && pm->version == v);
        ck_assert_str_eq(pm->relatesTo.c_str(), "urn:uuid:probe");
        ck_assert_uint_eq(pm->appSequence.instanceId, 1700000000);
        ck_assert_str_eq(pm->appSequence.sequenceId.c_str(), "urn:uuid:seq");
        ck_assert_uint_eq(pm->appSequence.messageNumber, 7);
        ck_assert_uint_eq(pm->endpoints.size(), 1);
        ck_assert_str_eq(pm->endpoints[0].address.c_str(), e.address.c_str());
        ck_assert_uint_eq(pm->endpoints[0].types.size(), 3);
        ck_assert(hasQName(pm->endpoints[0].types, "urn:vendor", "Thing"));
        ck_assert_uint_eq(pm->endpoints[0].xaddrs.size(), 2);
        ck_assert_str_eq(pm->endpoints[0].xaddrs[1].c_str(), "http://[fd00:5ca::2]:8080/wsd");
        ck_assert_uint_eq(pm->endpoints[0].metadataVersion, 3);

        auto rm = d::parse(d::buildResolveMatches(v, "urn:uuid:resolve", e, seq, wsd::soap::newMessageId()));
        ck_assert(rm && rm->kind == d::Kind::ResolveMatches);
        ck_assert_str_eq(rm->endpoints.at(0).xaddrs.at(0).c_str(), "http://198.18.0.2:8080/wsd");

        auto hello = d::parse(d::buildHello(v, e, seq, wsd::soap::newMessageId()));
        ck_assert(hello && hello->kind == d::Kind::Hello);
        ck_assert(d::hasType(hello->endpoints.at(0).types, d::scanDeviceType()));

        auto bye = d::parse(d::buildBye(v, e.address, seq, wsd::soap::newMessageId()));
        ck_assert(bye && bye->kind == d::Kind::Bye);
        ck_assert_str_eq(bye->endpoints.at(0).address.c_str(), e.address.c_str());

        auto resolve = d::parse(d::buildResolve(v, e.address, wsd::soap::newMessageId()));
        ck_assert(resolve && resolve->kind == d::Kind::Resolve);
        ck_assert_str_eq(resolve->endpoints.at(0).address.c_str(), e.address.c_str());
    }
}
END_TEST

// Several records in one ProbeMatches, each with its own Types, both
// discovery versions: every one comes back, in order.
START_TEST(probe_matches_with_several_records)
{
    d::Endpoint printer, scanner;
    printer.address = "urn:uuid:00000000-0000-4000-8000-000000000001";
    printer.types = {d::dpwsDeviceType(), {wsd::ns::Print, "PrintDeviceType"}};
    printer.xaddrs = {"http://198.18.0.2:5357/print"};
    scanner.address = "urn:uuid:5ca00000-0000-4000-8000-000000000001";
    scanner.types = {d::dpwsDeviceType(), d::scanDeviceType()};
    scanner.xaddrs = {"http://Pantum-1C6FA7:43001/43001", "http://198.18.0.2:5357/wsd"};
    for (d::Version v : {d::Version::V2005, d::Version::V2009}) {
        auto m = d::parse(d::buildProbeMatches(v, "urn:uuid:p", std::vector<d::Endpoint>{printer, scanner}, {},
                                               "urn:uuid:m"));
        ck_assert(m.has_value() && m->kind == d::Kind::ProbeMatches);
        ck_assert_uint_eq(m->endpoints.size(), 2);
        ck_assert_str_eq(m->endpoints[0].address.c_str(), printer.address.c_str());
        ck_assert(!d::hasType(m->endpoints[0].types, d::scanDeviceType()));
        ck_assert_str_eq(m->endpoints[1].address.c_str(), scanner.address.c_str());
        ck_assert(d::hasType(m->endpoints[1].types, d::scanDeviceType()));
        ck_assert(m->endpoints[1].xaddrs == scanner.xaddrs);
    }
}
END_TEST

START_TEST(probe_matches_without_xaddrs)
{
    d::Endpoint e;
    e.address = "urn:uuid:no-xaddrs";
    e.types = {d::scanDeviceType()};
    auto m = d::parse(d::buildProbeMatches(d::Version::V2005, "urn:uuid:p", e, {}, "urn:uuid:m"));
    ck_assert(m.has_value());
    ck_assert(!m->appSequence.present);
    ck_assert(m->endpoints.at(0).xaddrs.empty());
}
END_TEST

START_TEST(hostile_input)
{
    // Odd prefixes, a default namespace for Types, non-http XAddrs dropped,
    // a match without an address skipped.
    const char *text =
        "<e:Envelope xmlns:e='http://www.w3.org/2003/05/soap-envelope'>"
        "<e:Body><q:ProbeMatches xmlns:q='http://schemas.xmlsoap.org/ws/2005/04/discovery'"
        " xmlns:x='http://schemas.xmlsoap.org/ws/2004/08/addressing'>"
        "<q:ProbeMatch><q:Types>Nothing</q:Types></q:ProbeMatch>"
        "<q:ProbeMatch><x:EndpointReference><x:Address>urn:uuid:ok</x:Address></x:EndpointReference>"
        "<q:Types xmlns='http://schemas.microsoft.com/windows/2006/08/wdp/scan'>ScanDeviceType</q:Types>"
        "<q:XAddrs>ftp://198.18.0.2/ file:///etc/passwd http:// javascript:x HTTP://198.18.0.3:80/wsd"
        " https://[fd00:5ca::2]/x</q:XAddrs><q:MetadataVersion>junk</q:MetadataVersion></q:ProbeMatch>"
        "</q:ProbeMatches></e:Body></e:Envelope>";
    auto m = d::parse(text);
    ck_assert(m.has_value());
    ck_assert_uint_eq(m->endpoints.size(), 1);
    const d::Endpoint &e = m->endpoints[0];
    ck_assert_str_eq(e.address.c_str(), "urn:uuid:ok");
    ck_assert(d::hasType(e.types, d::scanDeviceType()));
    ck_assert_uint_eq(e.xaddrs.size(), 2);
    ck_assert_str_eq(e.xaddrs[0].c_str(), "HTTP://198.18.0.3:80/wsd");
    ck_assert_str_eq(e.xaddrs[1].c_str(), "https://[fd00:5ca::2]/x");
    ck_assert_uint_eq(e.metadataVersion, 0);

    std::string error;
    std::string huge(d::MaxMessageSize + 1, ' ');
    ck_assert(!d::parse(huge, &error));
    ck_assert(error.find("exceeds") != std::string::npos);
    // A Hello without an address, and a SOAP message that is not discovery.
    ck_assert(!d::parse("<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body>"
                        "<d:Hello xmlns:d='http://schemas.xmlsoap.org/ws/2005/04/discovery'/></s:Body></s:Envelope>",
                        &error));
    ck_assert(!d::parse(wsd::soap::buildEnvelope({}, {}, nullptr), &error));
}
END_TEST

START_TEST(type_matching)
{
    std::vector<wsd::xml::QName> offered = {d::dpwsDeviceType(), d::scanDeviceType()};
    ck_assert(d::typesMatch({}, offered));
    ck_assert(d::typesMatch({d::scanDeviceType()}, offered));
    ck_assert(d::typesMatch({d::scanDeviceType(), d::dpwsDeviceType()}, offered));
    ck_assert(!d::typesMatch({{wsd::ns::Print, "PrintDeviceType"}}, offered));
    // Same local name, other namespace (HP's pre-WS-Scan protocol binds wscn elsewhere).
    ck_assert(!d::typesMatch({{"http://tempuri.org/wscn.xsd", "ScanDeviceType"}}, offered));
    ck_assert(d::isHttpUrl("http://198.18.0.2/"));
    ck_assert(!d::isHttpUrl("http:///x"));
    ck_assert(!d::isHttpUrl("soap.udp://198.18.0.2:3702"));
    ck_assert(!d::isHttpUrl(std::string("http://a/\x01", 11)));
    ck_assert(!d::isHttpUrl("http://" + std::string(d::MaxUrlLength, 'a')));
}
END_TEST

Suite *discoveryMessageSuite()
{
    Suite *s = suite_create("discovery_message");
    TCase *devices = tcase_create("device captures");
    tcase_add_test(devices, canon_resolve_matches);
    tcase_add_test(devices, canon_directed_probe_matches_truncated_is_rejected);
    tcase_add_test(devices, dell_print_only_hello);
    tcase_add_test(devices, hp_ledm_types_fragment);
    suite_add_tcase(s, devices);
    TCase *built = tcase_create("build and parse");
    tcase_add_test(built, probe_round_trip_both_versions);
    tcase_add_test(built, matches_hello_bye_resolve_round_trip);
    tcase_add_test(built, probe_matches_without_xaddrs);
    tcase_add_test(built, hostile_input);
    tcase_add_test(built, type_matching);
    tcase_add_test(built, probe_matches_with_several_records);
    suite_add_tcase(s, built);
    return s;
}
