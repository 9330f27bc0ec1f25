#include "wsd/capture_mask.h"
#include "wsd/xml.h"

#include "test_files.h"

#include <string>

// After the standard headers: check.h defines a macro named fail.
#include "suites.h"

namespace {

bool contains(const std::string &text, const char *part) { return text.find(part) != std::string::npos; }

std::string maskOrFail(wsd::CaptureMasker &masker, const std::string &document)
{
    std::string error;
    std::optional<std::string> masked = masker.mask(document, &error);
    ck_assert_msg(masked.has_value(), "mask failed: %s", error.c_str());
    ck_assert_msg(static_cast<bool>(wsd::xml::Document::parse(*masked)), "the masked document is not XML");
    return *masked;
}

}  // namespace

START_TEST(masks_a_real_metadata_response)
{
    std::string original = readDeviceCapture("samsung-m2020w/GetMetadataResponse-printonly-templated.xml");
    ck_assert(contains(original, "123456789101112"));
    wsd::CaptureMasker masker;
    std::string masked = maskOrFail(masker, original);
    ck_assert(!contains(masked, "123456789101112"));
    ck_assert(contains(masked, "<wsdp:SerialNumber>MASKED-SERIAL-1</wsdp:SerialNumber>"));
    ck_assert(!contains(masked, "192.168.100.50"));
    ck_assert(contains(masked, "http://192.0.2.1:8018/wsd/print"));
    // The presentation URL names the same host: the same placeholder.
    ck_assert(contains(masked, ">http://192.0.2.1<"));
    // Specification URIs and the maker's site identify no one: kept.
    ck_assert(contains(masked, "http://schemas.xmlsoap.org/ws/2006/02/devprof/ThisDevice"));
    ck_assert(contains(masked, "http://www.samsungprinter.com"));
    ck_assert(contains(masked, "Samsung"));
}
END_TEST

START_TEST(masks_addresses_uuids_macs_and_names_consistently)
{
    const std::string metadata =
        "<m xmlns=\"http://schemas.xmlsoap.org/ws/2006/02/devprof\">"
        "<Address>urn:uuid:16a65700-007c-1000-bb49-30055c0e3f1b</Address>"
        "<Other>urn:uuid:0f4ad9a4-6b7e-4c1e-9f0e-3a1d2c5b7e01</Other>"
        "<XAddrs>http://[fe80::3205:5cff:fe0e:3f1b]:80/wsd http://npi0e3f1b.lan:8018/wsd</XAddrs>"
        "<FriendlyName>HP (NPI0E3F1B.lan) serial CN12345678</FriendlyName>"
        "<SerialNumber> CN12345678 </SerialNumber>"
        "<Mac>30:05:5C:0E:3F:1B</Mac><Ip attr=\"10.1.2.3\">fd00:5ca::7</Ip>"
        "</m>";
    wsd::CaptureMasker masker;
    masker.setEndpointUuid("urn:uuid:16A65700-007C-1000-BB49-30055C0E3F1B");
    std::string masked = maskOrFail(masker, metadata);
    for (const char *secret : {"16a65700", "30055c0e3f1b", "0f4ad9a4", "fe80::", "npi0e3f1b", "NPI0E3F1B", "CN12345678",
                               "30:05:5C", "10.1.2.3", "fd00:5ca"})
        ck_assert_msg(!contains(masked, secret), "%s left in %s", secret, masked.c_str());
    ck_assert(contains(masked, "urn:uuid:00000000-0000-4000-8000-000000000001</Address>"));
    ck_assert(contains(masked, "urn:uuid:00000000-0000-4000-8000-000000000002</Other>"));
    ck_assert(contains(masked, "http://[2001:db8::1]:80/wsd http://host-1.invalid:8018/wsd"));
    ck_assert(contains(masked, "HP (host-1.invalid) serial MASKED-SERIAL-1"));
    ck_assert(contains(masked, "attr=\"192.0.2.1\""));
    ck_assert(contains(masked, "<Mac>MASKED-MAC-1</Mac>"));

    // A second message of the same capture: the same placeholders.
    std::string elements = maskOrFail(masker, "<e><To>http://10.1.2.3:8018/scan</To><U>16a65700-007c-1000-bb49-"
                                              "30055c0e3f1b</U></e>");
    ck_assert(contains(elements, "http://192.0.2.1:8018/scan"));
    ck_assert(contains(elements, "<U>00000000-0000-4000-8000-000000000001</U>"));
}
END_TEST

START_TEST(long_texts_are_masked_within_bounds)
{
    // A hostile device's text: longer than any host or address, long enough
    // to overflow the stack of an unbounded recursive match.
    std::string longHost(100000, 'a');
    std::string colons;
    for (int i = 0; i < 20000; ++i)
        colons += "ab:";
    wsd::CaptureMasker masker;
    std::string masked = maskOrFail(masker, "<m><A>http://" + longHost + "/x</A><B>" + colons + "</B></m>");
    ck_assert(contains(masked, "<A>http://host-1.invalid"));
}
END_TEST

START_TEST(refuses_what_is_not_xml)
{
    wsd::CaptureMasker masker;
    std::string error;
    ck_assert(!masker.mask("<a><b></a>", &error).has_value());
    ck_assert(!error.empty());
}
END_TEST

Suite *captureMaskSuite()
{
    Suite *s = suite_create("capture_mask");
    TCase *tc = tcase_create("mask");
    tcase_add_test(tc, masks_a_real_metadata_response);
    tcase_add_test(tc, masks_addresses_uuids_macs_and_names_consistently);
    tcase_add_test(tc, long_texts_are_masked_within_bounds);
    tcase_add_test(tc, refuses_what_is_not_xml);
    suite_add_tcase(s, tc);
    return s;
}
