// wsd-sim's control endpoint, knob board, JSON, device profiles, and the
// HTTP server on loopback (body cap, chunked requests, routing).
// Before check.h: its fail() macro breaks the iostream headers json.hpp includes.
#include <nlohmann/json.hpp>

#include "suites.h"

#include "test_sim_support.h"

#include "../sim/control_api.h"
#include "../sim/device_router.h"
#include "../sim/http_server.h"
#include "../sim/ticket_validator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

using namespace simtest;
using namespace wsdsim;

namespace {

HttpReply control(ControlApi &api, const char *method, const char *path, const std::string &body = "")
{
    return api.route(HttpRequest{method, path, body, "127.0.0.1"});
}

// One HTTP/1.1 exchange over loopback with Connection: close; the raw answer.
std::string exchange(uint16_t port, const std::string &requestText)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{30, 0};  // hang guard
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ck_assert_int_eq(connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa), 0);
    size_t sent = 0;
    while (sent < requestText.size()) {
        ssize_t n = send(fd, requestText.data() + sent, requestText.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;  // the server may answer and close before reading everything
        sent += static_cast<size_t>(n);
    }
    std::string answer;
    char buf[65536];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        answer.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return answer;
}

std::string post(const std::string &path, const std::string &body, bool chunked = false)
{
    std::string head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/soap+xml\r\n"
                       "Connection: close\r\n";
    if (!chunked)
        return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::string out = head + "Transfer-Encoding: chunked\r\n\r\n";
    for (size_t i = 0; i < body.size(); i += 100) {
        std::string piece = body.substr(i, 100);
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        out += size + piece + "\r\n";
    }
    return out + "0\r\n\r\n";
}

// Whether text[0..end) ends with an xs:dateTime to the microsecond:
// "2026-11-23T20:01:02.345678Z".
bool endsWithMicroStamp(const std::string &text, size_t end)
{
    const size_t length = sizeof "2026-11-23T20:01:02.345678Z" - 1;
    if (end == std::string::npos || end < length)
        return false;
    const std::string stamp = text.substr(end - length, length);
    for (size_t i = 0; i < length; ++i) {
        const char c = stamp[i];
        const char expected = "0000-00-00T00:00:00.000000Z"[i];
        if (expected == '0' ? !(c >= '0' && c <= '9') : c != expected)
            return false;
    }
    return true;
}

}  // namespace

START_TEST(control_json_bodies)
{
    auto device = makeDevice();
    ControlApi api(*device);
    HttpReply ok = control(api, "POST", "/knobs", " { \"pace\" : 1000, \"busy\":true, \"empty-adf-at\":\"retrieve\" } ");
    ck_assert_int_eq(ok.status, 200);
    ck_assert_int_eq(device->knobs.get().paceBytesPerSecond, 1000);
    ck_assert(device->knobs.get().busy && device->knobs.get().emptyAdfAtRetrieve);
    ck_assert(ok.body.find("\"pace\":1000,") != std::string::npos);
    ck_assert(ok.body.find("\"empty-adf-at\":\"retrieve\",\"image-file\":\"\"}") != std::string::npos);
    ck_assert_int_eq(control(api, "POST", "/knobs", "{}").status, 200);
    for (const char *bad : {"{\"pace\": {\"b\": 1}}", "{\"pace\": 1", "[1]", "{\"pace\": 1} x", "{\"pace\": null}",
                            "{\"empty-adf-at\": \"re\\\"t\"}", ""})
        ck_assert_msg(control(api, "POST", "/knobs", bad).status == 400, "accepted %s", bad);
    ck_assert_int_eq(device->knobs.get().paceBytesPerSecond, 1000);

    // Names and addresses from peers are escaped, whatever bytes they hold.
    device->log.clear();
    device->log.add("Op\"x", 0, "ok", "a\\b\n\x01\xff", wsdsim::WallClock::now(), "urn:\"to");
    HttpReply log = control(api, "GET", "/log");
    ck_assert_msg(log.body.find("\"operation\":\"Op\\\"x\",\"jobId\":0,\"outcome\":\"ok\","
                                "\"client\":\"a\\\\b\\n\\u0001\xef\xbf\xbd\",\"to\":\"urn:\\\"to\"}]}") !=
                      std::string::npos,
                  "%s", log.body.c_str());
}
END_TEST

START_TEST(knob_board)
{
    KnobBoard board;
    std::string error;
    ck_assert(board.set("pace", "5000", &error));
    ck_assert(board.set("busy", "1", &error));
    ck_assert(board.set("empty-adf-at", "retrieve", &error));
    Knobs k = board.get();
    ck_assert_int_eq(k.paceBytesPerSecond, 5000);
    ck_assert(k.busy);
    ck_assert(k.emptyAdfAtRetrieve);
    ck_assert(board.set("redirect-image", "http://127.0.0.1:9/scan", &error));
    const std::string redirect = board.get().redirectImage;
    ck_assert_str_eq(redirect.c_str(), "http://127.0.0.1:9/scan");
    ck_assert(board.toJson().at("redirect-image") == "http://127.0.0.1:9/scan");
    ck_assert(!board.set("pace", "-5", &error));
    ck_assert(!board.set("busy", "maybe", &error));
    ck_assert(!board.set("job-timeout", "0", &error));
    ck_assert(!board.set("image-file", "true", &error));  // a path, absolute
    ck_assert(board.set("image-file", "/tmp/bomb.jpg", &error));
    SIM_ASSERT_EQ(board.get().imageFile.c_str(), "/tmp/bomb.jpg");
    ck_assert(!board.set("warp-speed", "1", &error));
    ck_assert(error.find("warp-speed") != std::string::npos);
    // All or nothing.
    ck_assert(!board.setAll({{"adf-pages", "9"}, {"nonsense", "1"}}, &error));
    ck_assert_int_eq(board.get().adfPages, 3);
    ck_assert(board.setAll({{"adf-pages", "9"}, {"reset-after", "-1"}}, &error));
    ck_assert_int_eq(board.get().adfPages, 9);
    for (const std::string &name : KnobBoard::names())
        ck_assert_msg(board.toJson().contains(name), "%s missing", name.c_str());
}
END_TEST

START_TEST(control_endpoint)
{
    auto device = makeDevice();
    ScanService service(*device);
    ControlApi api(*device);

    HttpReply knobs = control(api, "POST", "/knobs", "{\"busy\": true, \"adf-pages\": 7}");
    ck_assert_int_eq(knobs.status, 200);
    ck_assert(device->knobs.get().busy);
    ck_assert_int_eq(device->knobs.get().adfPages, 7);
    ck_assert_int_eq(control(api, "POST", "/knobs", "{\"busy\": \"no\"}").status, 400);
    ck_assert(device->knobs.get().busy);
    control(api, "POST", "/knobs", "{\"busy\": false}");

    JobRef job = createJob(service, ticket());
    call(service, "CancelJob", "<wscn:JobId>" + std::to_string(job.id) + "</wscn:JobId>");
    HttpReply log = control(api, "GET", "/log");
    SIM_ASSERT_EQ(log.contentType.c_str(), "application/json");
    ck_assert(log.body.find("\"operation\":\"CancelJob\",\"jobId\":1,\"outcome\":\"ok\"") != std::string::npos);
    // Arrival times to the microsecond: "2026-11-23T20:01:02.345678Z".
    ck_assert(endsWithMicroStamp(log.body, log.body.find("\",\"operation\":\"CancelJob\"")));
    HttpReply jobs = control(api, "GET", "/jobs");
    ck_assert(jobs.body.find("\"id\":1,\"state\":\"Canceled\"") != std::string::npos);
    size_t ended = jobs.body.find("\"ended\":\"");
    ck_assert(ended != std::string::npos);
    ck_assert(endsWithMicroStamp(jobs.body, jobs.body.find('"', ended + 9)));
    ck_assert(jobs.body.find("\"user\":\"tester\"") != std::string::npos);

    HttpReply foreign = control(api, "POST", "/create-foreign-job", "{\"user\": \"alice\", \"name\": \"report\"}");
    ck_assert_int_eq(foreign.status, 200);
    ck_assert(foreign.body.find("\"id\":2") != std::string::npos);
    SIM_ASSERT_EQ(control(api, "GET", "/active").body.c_str(), "{\"active\":[2]}\n");
    Answer active = call(service, "GetActiveJobs", "");
    SIM_ASSERT_EQ(active.text("JobOriginatingUserName").c_str(), "alice");
    ck_assert(control(api, "GET", "/jobs").body.find("\"foreign\":true") != std::string::npos);
    SIM_ASSERT_EQ(control(api, "POST", "/cancel-active").body.c_str(), "{\"canceled\":[2]}\n");
    SIM_ASSERT_EQ(control(api, "GET", "/active").body.c_str(), "{\"active\":[]}\n");
    SIM_ASSERT_EQ(control(api, "POST", "/cancel-active").body.c_str(), "{\"canceled\":[]}\n");

    ck_assert_int_eq(control(api, "POST", "/reset-log").status, 200);
    ck_assert_int_eq(device->log.size(), 0);
    ck_assert(control(api, "GET", "/status").body.find("\"state\":\"Idle\"") != std::string::npos);
    ck_assert_int_eq(control(api, "GET", "/nothing").status, 404);
    ck_assert_int_eq(control(api, "DELETE", "/log").status, 404);
}
END_TEST

START_TEST(bundled_profiles_load)
{
    Profile office = loadProfileFile(findProfile("office-mfp"));
    SIM_ASSERT_EQ(office.scannerName.c_str(), "WSD Sim Office MFP 4200");
    ck_assert(office.platen.present && office.adfPresent && office.adfDuplex && office.adfBack.present);
    ck_assert_int_eq(office.formats.size(), 6);
    SIM_ASSERT_EQ(office.defaults.format.value.c_str(), "jfif");
    ck_assert_int_eq(office.adfFront.maxHeight, 14000);

    Profile flatbed = loadProfileFile(findProfile("flatbed"));
    ck_assert(flatbed.platen.present && !flatbed.adfPresent);
    ck_assert(flatbed.defaultScanTicketXml.empty());
    ck_assert(!flatbed.supportsSource("ADF"));

    // Odd prefixes in a whole saved envelope, 0/1 booleans, lists that differ.
    Profile inkjet = loadProfileFile(findProfile("inkjet"));
    ck_assert(inkjet.adfPresent && !inkjet.adfDuplex);
    ck_assert(!inkjet.supportsSource("ADFDuplex"));
    ck_assert_int_eq(inkjet.platen.xResolutions.size(), 5);
    ck_assert_int_eq(inkjet.platen.yResolutions.size(), 4);
    ck_assert_int_eq(inkjet.defaults.front.xResolution.value, 150);
    ck_assert(inkjet.scannerConfigurationXml.find("sc:ScannerConfiguration") == 1);

    // 1200 dpi exists across but not down: the height falls back to the nearest.
    ScanTicket t;
    t.format.set("jfif");
    t.front.xResolution.set(1200);
    TicketCheck check = checkTicket(inkjet, t, CheckMode::Create);
    ck_assert(!check.fault);
    ck_assert_int_eq(check.final.front.xResolution.value, 1200);
    ck_assert_int_eq(check.final.front.yResolution.value, 600);

    ck_assert_int_eq(checkTicket(inkjet, t, CheckMode::Validate).final.front.color.value == "RGB24", 1);
    try {
        findProfile("no-such-profile");
        ck_abort_msg("findProfile accepted a missing profile");
    } catch (const std::runtime_error &) {
    }
}
END_TEST

// Device personalities' capability shapes: maximum sizes advertised
// transposed, a single-pass duplex feeder, a ContentType never listed.
START_TEST(profile_shapes_and_strict_content_type)
{
    Profile mfp = loadProfileFile(findProfile("office-mfp"));
    // transpose-max-size: advertised landscape, the area checked stays portrait.
    auto configuration = [](const std::string &xml) {
        wsd::xml::Document doc = wsd::xml::Document::parse(xml);
        ck_assert(doc);
        return doc;
    };
    wsd::xml::Document sent = configuration(mfp.transposedConfigurationXml);
    wsd::xml::Node platenMax = sent.root().path(wsd::ns::Scan, {"Platen", "PlatenMaximumSize"});
    ck_assert_msg(platenMax.child(wsd::ns::Scan, "Width").text() == "11690", "%s", platenMax.child(wsd::ns::Scan, "Width").text().c_str());
    ck_assert_msg(platenMax.child(wsd::ns::Scan, "Height").text() == "8500", "%s", platenMax.child(wsd::ns::Scan, "Height").text().c_str());
    wsd::xml::Node adfMax = sent.root().path(wsd::ns::Scan, {"ADF", "ADFFront", "ADFMaximumSize"});
    ck_assert_msg(adfMax.child(wsd::ns::Scan, "Width").text() == "14000", "%s", adfMax.child(wsd::ns::Scan, "Width").text().c_str());
    wsd::xml::Node platenMin = sent.root().path(wsd::ns::Scan, {"Platen", "PlatenMinimumSize"});
    ck_assert_msg(platenMin.child(wsd::ns::Scan, "Width").text() == "500", "%s", platenMin.child(wsd::ns::Scan, "Width").text().c_str());  // minimums untouched
    wsd::xml::Document plain = configuration(mfp.scannerConfigurationXml);
    ck_assert_msg(plain.root().path(wsd::ns::Scan, {"Platen", "PlatenMaximumSize", "Width"}).text() == "8500", "%s", plain.root().path(wsd::ns::Scan, {"Platen", "PlatenMaximumSize", "Width"}).text().c_str());
    ck_assert_int_eq(mfp.platen.maxWidth, 8500);
    ck_assert_int_eq(mfp.platen.maxHeight, 11690);

    // ContentType: listed ones pass; another is refused with its reason, or
    // corrected by ValidateScanTicket.
    ScanTicket t;
    t.format.set("jfif");
    t.contentType.set("Text");
    ck_assert(!checkTicket(mfp, t, CheckMode::Create).fault);
    t.contentType.set("Halftone");
    TicketCheck refused = checkTicket(mfp, t, CheckMode::Create);
    ck_assert(refused.fault);
    ck_assert_msg(refused.fault->reason.find("ContentType 'Halftone'") != std::string::npos, "%s",
                  refused.fault->reason.c_str());
    TicketCheck corrected = checkTicket(mfp, t, CheckMode::Validate);
    ck_assert(!corrected.fault && !corrected.valid);
    ck_assert_str_eq(corrected.final.contentType.value.c_str(), "Auto");

    // ADFBack without ADFSupportsDuplex: duplex tickets are taken; a device
    // listing no content types refuses any.
    Profile single = loadProfileFile(findProfile("single-pass-duplex"));
    ck_assert(single.adfPresent && !single.adfDuplex && single.adfBack.present);
    ck_assert(single.supportsSource("ADFDuplex"));
    ck_assert(single.contentTypes.empty());
    ScanTicket duplex;
    duplex.format.set("jfif");
    duplex.inputSource.set("ADFDuplex");
    TicketCheck taken = checkTicket(single, duplex, CheckMode::Create);
    ck_assert(!taken.fault && taken.valid);
    ck_assert_str_eq(taken.final.inputSource.value.c_str(), "ADFDuplex");
    duplex.contentType.set("Auto");
    ck_assert(checkTicket(single, duplex, CheckMode::Create).fault);
}
END_TEST

START_TEST(broken_profiles_are_refused)
{
    const char *bad[] = {
        "<notxml",
        "<x xmlns:w='http://schemas.microsoft.com/windows/2006/08/wdp/scan'><w:ScannerDescription/></x>",
        "<w:ScannerConfiguration xmlns:w='http://schemas.microsoft.com/windows/2006/08/wdp/scan'>"
        "<w:DeviceSettings><w:FormatsSupported><w:FormatValue>jfif</w:FormatValue></w:FormatsSupported>"
        "</w:DeviceSettings></w:ScannerConfiguration>",
        // The prefix says scan, the namespace does not (HP's pre-WS-Scan protocol).
        "<wscn:ScannerConfiguration xmlns:wscn='http://tempuri.org/wscn.xsd'/>",
    };
    for (const char *text : bad) {
        try {
            loadProfileText(text, "bad");
            ck_abort_msg("accepted: %s", text);
        } catch (const std::runtime_error &) {
        }
    }
}
END_TEST

START_TEST(http_server_on_loopback)
{
    auto device = makeDevice();
    DeviceRouter router(*device, EndpointPaths{});
    HttpServer server({"127.0.0.1"}, 0, [&](const HttpRequest &r) { return router.route(r); }, 4096,
                      [](const HttpRequest &) {
                          HttpReply r;
                          r.contentType = "application/soap+xml";
                          r.body = faultEnvelope("", {"Sender", "InvalidArgs", "too large", ""});
                          return r;
                      });
    ck_assert_int_gt(server.port(), 0);

    std::string get = request("GetActiveJobs", "");
    std::string plain = exchange(server.port(), post("/wsd/scan", get));
    ck_assert(plain.rfind("HTTP/1.1 200", 0) == 0);
    ck_assert(plain.find("GetActiveJobsResponse") != std::string::npos);

    std::string chunked = exchange(server.port(), post("/wsd/scan", get, true));
    ck_assert(chunked.rfind("HTTP/1.1 200", 0) == 0);
    ck_assert(chunked.find("GetActiveJobsResponse") != std::string::npos);

    std::string oversize = exchange(server.port(), post("/wsd/scan", std::string(10000, 'x')));
    ck_assert(oversize.rfind("HTTP/1.1 413", 0) == 0);
    ck_assert(oversize.find("InvalidArgs") != std::string::npos);

    ck_assert(exchange(server.port(), post("/elsewhere", get)).rfind("HTTP/1.1 404", 0) == 0);
    ck_assert(exchange(server.port(), "GET /wsd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").rfind("HTTP/1.1 405", 0) == 0);

    device->identity.endpointUuid = "urn:uuid:00000000-0000-4000-8000-000000000001";
    wsd::soap::Addressing a;
    a.to = device->identity.endpointUuid;
    a.action = wsd::ns::TransferGet;
    a.messageId = "urn:uuid:7";
    std::string metadata = exchange(server.port(), post("/wsd", wsd::soap::buildEnvelope(a, {}, nullptr)));
    ck_assert(metadata.rfind("HTTP/1.1 200", 0) == 0);
    auto m = wsd::soap::parse(metadata.substr(metadata.find("\r\n\r\n") + 4));
    ck_assert(m && !m->fault);
    SIM_ASSERT_EQ(m->action.c_str(), wsd::ns::TransferGetResponse);
    SIM_ASSERT_EQ(m->relatesTo.c_str(), "urn:uuid:7");
    wsd::xml::Node hosted = m->payload.descendant(wsd::ns::Dpws, "Hosted");
    auto addresses = hosted.children(wsd::ns::Addressing, "EndpointReference");
    ck_assert_int_eq(addresses.size(), 2);
    SIM_ASSERT_EQ(addresses[1].child(wsd::ns::Addressing, "Address").text().c_str(), "http://[::1]:1/wsd/scan");
    wsd::xml::Node types = hosted.child(wsd::ns::Dpws, "Types");
    auto q = types.resolveQName(types.text());
    SIM_ASSERT_EQ(q.ns.c_str(), wsd::ns::Scan);
    SIM_ASSERT_EQ(q.local.c_str(), "ScannerServiceType");

    std::string image = exchange(server.port(), post("/wsd/scan", request("CreateScanJob", ticket())));
    ck_assert(image.find("JobToken") != std::string::npos);
    std::string token = image.substr(image.find("JobToken>") + 9);
    token.resize(token.find('<'));
    std::string retrieved = exchange(server.port(), post("/wsd/scan", request("RetrieveImage", retrieveInner({1, token}))));
    ck_assert(retrieved.find("Transfer-Encoding: chunked") != std::string::npos);
    ck_assert(retrieved.find("multipart/related") != std::string::npos);
    ck_assert(retrieved.find("Content-Type: image/jpeg") != std::string::npos);
    SIM_ASSERT_EQ(jobStateName(device->jobs.find(1)->state), "Completed");
}
END_TEST

Suite *simControlSuite()
{
    Suite *s = suite_create("sim control");
    TCase *tc = tcase_create("control");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, control_json_bodies);
    tcase_add_test(tc, knob_board);
    tcase_add_test(tc, control_endpoint);
    tcase_add_test(tc, bundled_profiles_load);
    tcase_add_test(tc, profile_shapes_and_strict_content_type);
    tcase_add_test(tc, broken_profiles_are_refused);
    tcase_add_test(tc, http_server_on_loopback);
    suite_add_tcase(s, tc);
    return s;
}
