#include "../sim/discovery_responder.h"

#include "wsd/discovery_message.h"
#include "wsd/namespaces.h"
#include "wsd/soap.h"

#include <string>

// After the standard headers: check.h defines a macro named fail.
#include "suites.h"

namespace d = wsd::discovery;

namespace {

wsdsim::DiscoveryIdentity identity()
{
    wsdsim::DiscoveryIdentity id;
    id.endpointUuid = "urn:uuid:5ca00000-0000-4000-8000-00000000d001";
    id.xaddrs = {"http://198.18.0.2:8018/wsd", "http://[fd00:5ca::2]:8018/wsd"};
    return id;
}

}  // namespace

START_TEST(directed_probe_answered)
{
    const std::string probeId = "urn:uuid:probe-1";
    std::string answer = wsdsim::answerHttpProbe(identity(), d::buildProbe(d::Version::V2005, {d::scanDeviceType()}, probeId));
    auto m = d::parse(answer);
    ck_assert(m.has_value());
    ck_assert(m->kind == d::Kind::ProbeMatches);
    ck_assert_str_eq(m->relatesTo.c_str(), probeId.c_str());
    ck_assert(m->appSequence.present);
    ck_assert_uint_eq(m->endpoints.size(), 1);
    const d::Endpoint &e = m->endpoints[0];
    ck_assert_str_eq(e.address.c_str(), "urn:uuid:5ca00000-0000-4000-8000-00000000d001");
    ck_assert(d::hasType(e.types, d::scanDeviceType()));
    ck_assert(d::hasType(e.types, d::dpwsDeviceType()));
    // A directed probe always gets the transport addresses.
    ck_assert_uint_eq(e.xaddrs.size(), 2);
    ck_assert_str_eq(e.xaddrs[1].c_str(), "http://[fd00:5ca::2]:8018/wsd");
    // An empty Types list matches every endpoint.
    ck_assert(!wsdsim::answerHttpProbe(identity(), d::buildProbe(d::Version::V2005, {}, probeId)).empty());
}
END_TEST

START_TEST(directed_probe_not_answered)
{
    const wsdsim::DiscoveryIdentity id = identity();
    // Another type, the other discovery version, not a Probe, not XML.
    ck_assert(wsdsim::answerHttpProbe(id, d::buildProbe(d::Version::V2005, {{wsd::ns::Print, "PrintDeviceType"}},
                                                        "urn:uuid:p")).empty());
    ck_assert(wsdsim::answerHttpProbe(id, d::buildProbe(d::Version::V2009, {d::scanDeviceType()}, "urn:uuid:p")).empty());
    ck_assert(wsdsim::answerHttpProbe(id, d::buildResolve(d::Version::V2005, id.endpointUuid, "urn:uuid:r")).empty());
    ck_assert(wsdsim::answerHttpProbe(id, "<not xml").empty());
}
END_TEST

START_TEST(printer_only_and_2009_identities)
{
    wsdsim::DiscoveryIdentity printer = identity();
    printer.printerOnly = true;
    ck_assert(wsdsim::answerHttpProbe(printer, d::buildProbe(d::Version::V2005, {d::scanDeviceType()}, "urn:uuid:p"))
                  .empty());
    auto m = d::parse(wsdsim::answerHttpProbe(printer, d::buildProbe(d::Version::V2005, {d::dpwsDeviceType()}, "urn:uuid:p")));
    ck_assert(m.has_value());
    ck_assert(d::hasType(m->endpoints.at(0).types, {wsd::ns::Print, "PrintDeviceType"}));
    ck_assert(!d::hasType(m->endpoints.at(0).types, d::scanDeviceType()));

    wsdsim::DiscoveryIdentity oasis = identity();
    oasis.ns2009 = true;
    auto m2009 = d::parse(wsdsim::answerHttpProbe(oasis, d::buildProbe(d::Version::V2009, {d::scanDeviceType()}, "urn:uuid:q")));
    ck_assert(m2009.has_value());
    ck_assert(m2009->version == d::Version::V2009);
    ck_assert(d::hasType(m2009->endpoints.at(0).types, {wsd::ns::Dpws2009, "Device"}));
}
END_TEST

// A message as the UDP responder receives it.
d::Message received(const std::string &text)
{
    auto m = d::parse(text);
    ck_assert(m.has_value());
    return *m;
}

START_TEST(udp_answers_and_log_outcomes)
{
    const wsdsim::DiscoveryIdentity id = identity();
    const wsdsim::DiscoveryOptions plain;
    const d::AppSequence sequence;
    const d::Message probe = received(d::buildProbe(d::Version::V2005, {d::scanDeviceType()}, "urn:uuid:p"));

    wsdsim::UdpAnswer a = wsdsim::answerDatagram(id, plain, probe, true, sequence);
    ck_assert_str_eq(a.outcome.c_str(), "ok");
    auto matches = d::parse(a.reply);
    ck_assert(matches && matches->kind == d::Kind::ProbeMatches);
    ck_assert_uint_eq(matches->endpoints.at(0).xaddrs.size(), 2);

    // --ignore-multicast-probe: the multicast Probe is ignored, a unicast one answered.
    wsdsim::DiscoveryOptions quiet;
    quiet.ignoreMulticastProbe = true;
    a = wsdsim::answerDatagram(id, quiet, probe, true, sequence);
    ck_assert_str_eq(a.outcome.c_str(), "ignored:multicast-probe");
    ck_assert(a.reply.empty());
    a = wsdsim::answerDatagram(id, quiet, probe, false, sequence);
    ck_assert_str_eq(a.outcome.c_str(), "ok");

    // --no-xaddrs: the ProbeMatch leaves them out, the ResolveMatch has them.
    wsdsim::DiscoveryOptions bare;
    bare.omitXAddrs = true;
    matches = d::parse(wsdsim::answerDatagram(id, bare, probe, true, sequence).reply);
    ck_assert(matches && matches->endpoints.at(0).xaddrs.empty());
    const d::Message resolve = received(d::buildResolve(d::Version::V2005, id.endpointUuid, "urn:uuid:r"));
    a = wsdsim::answerDatagram(id, bare, resolve, true, sequence);
    ck_assert_str_eq(a.outcome.c_str(), "ok");
    matches = d::parse(a.reply);
    ck_assert(matches && matches->kind == d::Kind::ResolveMatches);
    ck_assert_uint_eq(matches->endpoints.at(0).xaddrs.size(), 2);
}
END_TEST

START_TEST(udp_not_answered_says_why)
{
    const wsdsim::DiscoveryIdentity id = identity();
    const wsdsim::DiscoveryOptions plain;
    const d::AppSequence sequence;
    auto expect = [&](const std::string &text, const char *outcome) {
        const wsdsim::UdpAnswer a = wsdsim::answerDatagram(id, plain, received(text), true, sequence);
        ck_assert(a.reply.empty());
        ck_assert_str_eq(a.outcome.c_str(), outcome);
    };
    expect(d::buildProbe(d::Version::V2009, {d::scanDeviceType()}, "urn:uuid:p"), "ignored:version");
    expect(d::buildProbe(d::Version::V2005, {{wsd::ns::Print, "PrintDeviceType"}}, "urn:uuid:p"), "no-match");
    expect(d::buildResolve(d::Version::V2005, "urn:uuid:someone-else", "urn:uuid:r"), "no-match");
}
END_TEST

START_TEST(log_operation_names)
{
    const std::string probe = wsdsim::discoveryOperation(d::Kind::Probe, "UDP multicast");
    const std::string resolve = wsdsim::discoveryOperation(d::Kind::Resolve, "UDP unicast");
    ck_assert_str_eq(probe.c_str(), "Probe (UDP multicast)");
    ck_assert_str_eq(resolve.c_str(), "Resolve (UDP unicast)");
}
END_TEST

Suite *discoveryResponderSuite()
{
    Suite *s = suite_create("discovery_responder");
    TCase *tc = tcase_create("directed probe");
    tcase_add_test(tc, directed_probe_answered);
    tcase_add_test(tc, directed_probe_not_answered);
    tcase_add_test(tc, printer_only_and_2009_identities);
    suite_add_tcase(s, tc);
    TCase *udp = tcase_create("udp");
    tcase_add_test(udp, udp_answers_and_log_outcomes);
    tcase_add_test(udp, udp_not_answered_says_why);
    tcase_add_test(udp, log_operation_names);
    suite_add_tcase(s, udp);
    return s;
}
