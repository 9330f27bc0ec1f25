#include "suites.h"

#include "wsd/namespaces.h"
#include "wsd/scan_job_messages.h"
#include "wsd/soap.h"

#include <set>
#include <string>

START_TEST(builds_and_parses_request)
{
    wsd::soap::Addressing a;
    a.to = "http://198.18.0.2/scan";
    a.action = std::string(wsd::ns::ScanActionPrefix) + "CancelJob";
    a.replyToAnonymous = true;
    std::string text = wsd::soap::buildEnvelope(a, {{"wscn", wsd::ns::Scan}}, [](wsd::xml::Writer &w) {
        w.start("wscn", "CancelJobRequest").element("wscn", "JobId", "7").end();
    });
    ck_assert(text.find("<soap:Envelope") == 0);
    auto m = wsd::soap::parse(text);
    ck_assert(m.has_value());
    ck_assert_str_eq(m->action.c_str(), a.action.c_str());
    ck_assert_str_eq(m->to.c_str(), a.to.c_str());
    ck_assert(m->messageId.rfind("urn:uuid:", 0) == 0);
    ck_assert(m->payload.is(wsd::ns::Scan, "CancelJobRequest"));
    ck_assert(m->payload.child(wsd::ns::Scan, "JobId").text() == "7");
    ck_assert(!m->fault.has_value());
}
END_TEST

START_TEST(fault_round_trip)
{
    wsd::soap::Addressing a;
    a.to = wsd::ns::AnonymousReply;
    a.relatesTo = "urn:uuid:1";
    std::string text = wsd::soap::buildFault(a, {"Sender", "ClientErrorJobIdNotFound", "no such job", ""});
    auto m = wsd::soap::parse(text);
    ck_assert(m && m->fault);
    ck_assert_str_eq(m->fault->code.c_str(), "Sender");
    ck_assert_str_eq(m->fault->subcode.c_str(), "ClientErrorJobIdNotFound");
    ck_assert_str_eq(m->fault->reason.c_str(), "no such job");
    ck_assert_str_eq(m->relatesTo.c_str(), "urn:uuid:1");
    ck_assert_str_eq(m->action.c_str(), wsd::ns::FaultAction);
}
END_TEST

START_TEST(reads_device_style_fault)
{
    // Ricoh MP C3003 style: SOAP-ENV prefix, subcode prefix declared on the element.
    const char *text =
        "<SOAP-ENV:Envelope xmlns:SOAP-ENV='http://www.w3.org/2003/05/soap-envelope'>"
        "<SOAP-ENV:Body><SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Receiver</SOAP-ENV:Value>"
        "<SOAP-ENV:Subcode><SOAP-ENV:Value xmlns:wscn='http://schemas.microsoft.com/windows/2006/08/wdp/scan'>"
        "wscn:OperationFailed</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code>"
        "<SOAP-ENV:Reason><SOAP-ENV:Text xml:lang='en'>Service cannot perform the requested operation"
        "</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>";
    auto m = wsd::soap::parse(text);
    ck_assert(m && m->fault);
    ck_assert_str_eq(m->fault->code.c_str(), "Receiver");
    ck_assert_str_eq(m->fault->subcode.c_str(), "OperationFailed");
    ck_assert(!m->header);  // no Header at all is accepted
}
END_TEST

START_TEST(rejects_non_envelopes)
{
    std::string error;
    ck_assert(!wsd::soap::parse("<Envelope/>", &error));
    ck_assert(!error.empty());
    ck_assert(!wsd::soap::parse("<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'/>", &error));
    ck_assert(!wsd::soap::parse("not xml", &error));
}
END_TEST

// Requests go out on one line: firmware that parses by lines refused the
// same request laid out with line breaks and indentation (sane-airscan#22).
START_TEST(requests_are_one_line)
{
    wsd::ScanSettings settings;
    settings.source = "ADF";
    settings.format = "jfif";
    settings.colorEntry = "RGB24";
    settings.xResolution = settings.yResolution = 300;
    settings.width = 8500;
    settings.height = 11000;
    settings.jobName = "multi\nline name";
    const std::string requests[] = {
        wsd::buildCreateScanJobRequest("http://198.18.0.2/scan", settings),
        wsd::buildValidateScanTicketRequest("http://198.18.0.2/scan", settings),
        wsd::buildRetrieveImageRequest("http://198.18.0.2/scan", 3, "token", "page"),
        wsd::buildGetJobElementsRequest("http://198.18.0.2/scan", 3),
    };
    for (const std::string &r : requests) {
        ck_assert_msg(r.find('\r') == std::string::npos, "carriage return in %s", r.c_str());
        // The one line break the job name holds travels as a character reference.
        ck_assert_msg(r.find('\n') == std::string::npos, "line break in %s", r.c_str());
        ck_assert(r.find("> <") == std::string::npos && r.find(">  ") == std::string::npos);
        ck_assert(wsd::soap::parse(r).has_value());
    }
    auto m = wsd::soap::parse(requests[0]);
    const std::string name = m->payload.child(wsd::ns::Scan, "ScanTicket")
                                 .child(wsd::ns::Scan, "JobDescription")
                                 .child(wsd::ns::Scan, "JobName")
                                 .text();
    ck_assert_str_eq(name.c_str(), "multi\nline name");
}
END_TEST

// RFC 6874: the zone is the sender's; the device is addressed without it.
START_TEST(to_carries_no_ipv6_zone)
{
    wsd::soap::Addressing a;
    a.to = "http://[fe80::2%25lab0]:5357/wsd/scan";
    a.action = "urn:test";
    auto m = wsd::soap::parse(wsd::soap::buildEnvelope(a, {}, nullptr));
    ck_assert(m.has_value());
    ck_assert_str_eq(m->to.c_str(), "http://[fe80::2]:5357/wsd/scan");
    a.to = "http://[fd00:5ca::2]:5357/wsd/scan";
    m = wsd::soap::parse(wsd::soap::buildEnvelope(a, {}, nullptr));
    ck_assert_str_eq(m->to.c_str(), "http://[fd00:5ca::2]:5357/wsd/scan");
    a.to = "urn:uuid:0b7d0f2c-6c8e-4f6c-9d52-2b1d8f3b1a10";
    m = wsd::soap::parse(wsd::soap::buildEnvelope(a, {}, nullptr));
    ck_assert_str_eq(m->to.c_str(), "urn:uuid:0b7d0f2c-6c8e-4f6c-9d52-2b1d8f3b1a10");
}
END_TEST

// Message IDs and our endpoint's UUIDs: random (version 4, RFC 4122 variant),
// lowercase 8-4-4-4-12 hex, different each time.
START_TEST(new_uuids_are_random_version_4)
{
    std::set<std::string> seen;
    for (int i = 0; i < 64; ++i) {
        const std::string id = wsd::soap::newUuid();
        ck_assert_uint_eq(id.size(), 36);
        for (std::size_t c = 0; c < id.size(); ++c) {
            if (c == 8 || c == 13 || c == 18 || c == 23)
                ck_assert_msg(id[c] == '-', "%s", id.c_str());
            else
                ck_assert_msg(std::string("0123456789abcdef").find(id[c]) != std::string::npos, "%s", id.c_str());
        }
        ck_assert_msg(id[14] == '4', "version of %s", id.c_str());
        ck_assert_msg(std::string("89ab").find(id[19]) != std::string::npos, "variant of %s", id.c_str());
        seen.insert(id);
    }
    ck_assert_uint_eq(seen.size(), 64);
    ASSERT_STRING_EQ(wsd::soap::newMessageId().substr(0, 9), "urn:uuid:");
}
END_TEST

Suite *soapSuite()
{
    Suite *s = suite_create("soap");
    TCase *tc = tcase_create("envelope");
    tcase_add_test(tc, builds_and_parses_request);
    tcase_add_test(tc, fault_round_trip);
    tcase_add_test(tc, reads_device_style_fault);
    tcase_add_test(tc, rejects_non_envelopes);
    tcase_add_test(tc, requests_are_one_line);
    tcase_add_test(tc, to_carries_no_ipv6_zone);
    tcase_add_test(tc, new_uuids_are_random_version_4);
    suite_add_tcase(s, tc);
    return s;
}
