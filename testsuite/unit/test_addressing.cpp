// wsa:To: what the backend addresses (metadataTo, the probe targets of a host
// given alone) and what wsd-sim accepts, as a device that checks it does.
#include "../sim/addressing_check.h"
#include "../sim/request_layout.h"
#include "suites.h"
#include "test_sim_support.h"
#include "wsd/device_locator.h"
#include "wsd/directed_probe.h"
#include "wsd/metadata.h"
#include "wsd/url.h"

#include <algorithm>

namespace {

const char *const Uuid = "urn:uuid:00000000-0000-4000-8000-000000000001";

}  // namespace

START_TEST(metadata_to_prefers_the_endpoint_address)
{
    wsd::DeviceRecord r;
    r.deviceUrls = {"http://198.18.0.2:5357/wsd"};
    SIM_ASSERT_EQ(wsd::metadataTo(r, r.deviceUrls.front()), "http://198.18.0.2:5357/wsd");
    r.endpointUuid = Uuid;
    SIM_ASSERT_EQ(wsd::metadataTo(r, r.deviceUrls.front()), Uuid);
    auto get = wsd::soap::parse(wsd::buildGetMetadataRequest(wsd::metadataTo(r, "http://x/"), "http://x/"));
    ck_assert(get.has_value());
    SIM_ASSERT_EQ(get->to, Uuid);
}
END_TEST

START_TEST(host_forms_and_their_probe_urls)
{
    for (const char *host : {"198.18.0.2", "198.18.0.2:8018", "[fd00:5ca::2]:5357", "fd00:5ca::2", "mfp.example"})
        ck_assert_msg(wsd::url::isHostForm(host), "%s", host);
    for (const char *notHost : {"", "http://198.18.0.2/", "198.18.0.2/wsd", "a b", "user@198.18.0.2", "x?y"})
        ck_assert_msg(!wsd::url::isHostForm(notHost), "%s", notHost);

    const std::string path = wsd::discovery::StableProbePath;
    std::vector<std::string> one = wsd::discovery::hostProbeUrls("198.18.0.2:8018");
    ck_assert_uint_eq(one.size(), 1);
    SIM_ASSERT_EQ(one.front(), "http://198.18.0.2:8018" + path);
    one = wsd::discovery::hostProbeUrls("[fd00:5ca::2]:5357");
    ck_assert_uint_eq(one.size(), 1);
    SIM_ASSERT_EQ(one.front(), "http://[fd00:5ca::2]:5357" + path);
    // A bare IPv6 literal has no port: every usual one, in brackets.
    for (const std::string &u : wsd::discovery::hostProbeUrls("fd00:5ca::2"))
        ck_assert_msg(u.rfind("http://[fd00:5ca::2]:", 0) == 0, "%s", u.c_str());

    // No port: every usual WSD port, WSDAPI's 5357 among them.
    std::vector<std::string> many = wsd::discovery::hostProbeUrls("198.18.0.2");
    ck_assert_uint_gt(many.size(), 1);
    ck_assert(std::find(many.begin(), many.end(), "http://198.18.0.2:5357" + path) != many.end());
    for (const std::string &u : many)
        ck_assert_msg(u.rfind("http://198.18.0.2:", 0) == 0 && u.find(path) != std::string::npos, "%s", u.c_str());
    ck_assert(wsd::discovery::hostProbeUrls("http://198.18.0.2/").empty());
}
END_TEST

START_TEST(sim_device_to)
{
    ck_assert(!wsdsim::wrongDeviceTo(Uuid, Uuid));
    // UUIDs compare without regard to case (RFC 4122).
    ck_assert(!wsdsim::wrongDeviceTo("URN:UUID:00000000-0000-4000-8000-000000000001", Uuid));
    ck_assert(wsdsim::wrongDeviceTo("http://127.0.0.1:1/wsd", Uuid));
    ck_assert(wsdsim::wrongDeviceTo("", Uuid));
    ck_assert(wsdsim::wrongDeviceTo("urn:uuid:00000000-0000-4000-8000-000000000002", Uuid));
}
END_TEST

START_TEST(sim_service_to)
{
    const std::vector<std::string> advertised = {"http://127.0.0.1:1/wsd/scan"};
    ck_assert(!wsdsim::wrongServiceTo("http://127.0.0.1:1/wsd/scan", advertised));
    // The host part is however the client reached the device.
    ck_assert(!wsdsim::wrongServiceTo("http://scanner.example:1/wsd/scan", advertised));
    ck_assert(wsdsim::wrongServiceTo("http://127.0.0.1:1/wsd", advertised));
    ck_assert(wsdsim::wrongServiceTo(Uuid, advertised));
    ck_assert(wsdsim::wrongServiceTo("", advertised));
}
END_TEST

START_TEST(sim_scan_service_faults_a_wrong_to)
{
    auto device = simtest::makeDevice();
    wsdsim::ScanService service(*device);
    std::string body = simtest::request(
        "GetScannerElements", "<wscn:RequestedElements><wscn:Name>wscn:ScannerDescription</wscn:Name></wscn:RequestedElements>");
    const std::string rightTo = "http://127.0.0.1:1/wsd/scan";
    ck_assert(body.find(rightTo) != std::string::npos);
    body.replace(body.find(rightTo), rightTo.size(), Uuid);
    wsdsim::HttpReply r = service.handle(body, "127.0.0.1");
    auto fault = wsd::soap::parse(r.body);
    ck_assert(fault && fault->fault);
    SIM_ASSERT_EQ(fault->fault->subcode, "DestinationUnreachable");
    ck_assert_int_eq(r.status, 400);
    wsdsim::LogEntry last = device->log.entries().back();
    SIM_ASSERT_EQ(last.outcome, "fault:DestinationUnreachable");
    SIM_ASSERT_EQ(last.to, Uuid);

    // A lenient device (the any-to knob) takes it.
    std::string error;
    ck_assert(device->knobs.set("any-to", "true", &error));
    r = service.handle(body, "127.0.0.1");
    auto answer = wsd::soap::parse(r.body);
    ck_assert(answer && !answer->fault);
    SIM_ASSERT_EQ(device->log.entries().back().outcome, "ok");
}
END_TEST

// The refuse-zone-to knob's check: a zone inside the brackets of the host,
// written %25 as in a URL or bare, is refused; anything else is not its concern.
START_TEST(sim_zone_in_to)
{
    ck_assert(wsdsim::zoneInTo("http://[fe80::2%25lab0]:80/wsd/scan").has_value());
    ck_assert(wsdsim::zoneInTo("http://[fe80::2%lab0]/wsd/scan").has_value());
    ck_assert(!wsdsim::zoneInTo("http://[fe80::2]:80/wsd/scan").has_value());
    ck_assert(!wsdsim::zoneInTo("http://198.18.0.2/wsd%25scan").has_value());
    ck_assert(!wsdsim::zoneInTo("http://[fd00:5ca::2]/a%25b").has_value());
    ck_assert(!wsdsim::zoneInTo(Uuid).has_value());
    ck_assert(!wsdsim::zoneInTo("]%[").has_value());
}
END_TEST

// The one-line-only knob's check: the document element must be on one line;
// a break after the XML declaration, or a final one, is allowed.
START_TEST(sim_one_line_layout)
{
    ck_assert(!wsdsim::multiLineLayout("<a><b>1</b></a>").has_value());
    ck_assert(!wsdsim::multiLineLayout("<?xml version=\"1.0\"?>\n<a><b>1</b></a>\r\n").has_value());
    ck_assert(!wsdsim::multiLineLayout("").has_value());
    auto why = wsdsim::multiLineLayout("<a>\n  <b>1</b>\n</a>");
    ck_assert(why.has_value());
    ck_assert(why->find("3 lines") != std::string::npos);
    ck_assert(wsdsim::multiLineLayout("<a\n xmlns:b='urn:b'><b:c/></a>").has_value());
    ck_assert(wsdsim::multiLineLayout("<a>x\ry</a>").has_value());
}
END_TEST

Suite *addressingSuite()
{
    Suite *s = suite_create("addressing");
    TCase *tc = tcase_create("wsa:To");
    tcase_add_test(tc, metadata_to_prefers_the_endpoint_address);
    tcase_add_test(tc, host_forms_and_their_probe_urls);
    tcase_add_test(tc, sim_device_to);
    tcase_add_test(tc, sim_service_to);
    tcase_add_test(tc, sim_scan_service_faults_a_wrong_to);
    tcase_add_test(tc, sim_zone_in_to);
    tcase_add_test(tc, sim_one_line_layout);
    suite_add_tcase(s, tc);
    return s;
}
