#include "wsd/metadata.h"
#include "wsd/namespaces.h"

#include <fstream>
#include <sstream>
#include <string>

// After the standard headers: check.h defines a macro named fail.
#include "suites.h"
#include "test_files.h"

START_TEST(samsung_print_only)
{
    auto m = wsd::soap::parse(readDeviceCapture("samsung-m2020w/GetMetadataResponse-printonly-templated.xml"));
    ck_assert(m.has_value());
    std::string error;
    auto md = wsd::parseMetadata(*m, &error);
    ck_assert_msg(md.has_value(), "%s", error.c_str());
    ck_assert_str_eq(md->friendlyName.c_str(), "Samsung M2020W");
    ck_assert_str_eq(md->firmwareVersion.c_str(), "V3.00.01.23 AUG-16-2018");
    ck_assert_str_eq(md->serialNumber.c_str(), "123456789101112");
    ck_assert_str_eq(md->manufacturer.c_str(), "Samsung Electronics Co., Ltd.");
    ck_assert_str_eq(md->model.c_str(), "M2020 Series");
    ck_assert_str_eq(md->modelNumber.c_str(), "M2020 Series");
    ck_assert_str_eq(md->presentationUrl.c_str(), "http://192.168.100.50");
    ck_assert(md->host.addresses.empty());  // Samsung sends no Host section
    ck_assert_uint_eq(md->hosted.size(), 1);
    const auto &printer = md->hosted[0];
    ck_assert_uint_eq(printer.addresses.size(), 1);
    ck_assert_str_eq(printer.addresses[0].c_str(), "http://192.168.100.50:8018/wsd/print");
    ck_assert_uint_eq(printer.types.size(), 1);
    ck_assert(printer.types[0] == (wsd::xml::QName{wsd::ns::Print, "PrinterServiceType"}));
    ck_assert_str_eq(printer.serviceId.c_str(), "uri:Printer1");
    ck_assert(md->scanServiceUrls().empty());  // print-only: nothing to scan with
}
END_TEST

// As a DPWS 1.1 (2009/01) MFP would answer, with W3C addressing, unusual
// prefixes, two languages and a scanner reachable over IPv4 and IPv6.
static const char *dpws2009Response =
    "<env:Envelope xmlns:env='http://www.w3.org/2003/05/soap-envelope'"
    " xmlns:a='http://www.w3.org/2005/08/addressing' xmlns:mx='http://schemas.xmlsoap.org/ws/2004/09/mex'"
    " xmlns:dp='http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01'>"
    "<env:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse</a:Action>"
    "<a:RelatesTo>urn:uuid:req</a:RelatesTo></env:Header><env:Body><mx:Metadata>"
    "<mx:MetadataSection Dialect='http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01/ThisModel'><dp:ThisModel>"
    "<dp:Manufacturer xml:lang='de'>Beispiel GmbH</dp:Manufacturer>"
    "<dp:Manufacturer xml:lang='en-GB'>Example Ltd</dp:Manufacturer>"
    "<dp:ModelName>Sim MFP 1</dp:ModelName><dp:ModelNumber>SIM-1</dp:ModelNumber>"
    "<dp:PresentationUrl>http://198.18.0.2/</dp:PresentationUrl><dp:Unknown>x</dp:Unknown></dp:ThisModel>"
    "</mx:MetadataSection>"
    "<mx:MetadataSection Dialect='http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01/ThisDevice'><dp:ThisDevice>"
    "<dp:FriendlyName>Lab scanner</dp:FriendlyName><dp:FirmwareVersion>1.2</dp:FirmwareVersion>"
    "<dp:SerialNumber>0042</dp:SerialNumber></dp:ThisDevice></mx:MetadataSection>"
    "<mx:MetadataSection Dialect='http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01/Relationship'>"
    "<dp:Relationship Type='http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01/host'>"
    "<dp:Host><a:EndpointReference><a:Address>urn:uuid:5ca00000-0000-4000-8000-000000000002</a:Address>"
    "</a:EndpointReference><dp:Types xmlns:p='http://schemas.xmlsoap.org/ws/2006/02/devprof'>p:Device</dp:Types>"
    "</dp:Host>"
    "<dp:Hosted><a:EndpointReference><a:Address>http://198.18.0.2:8018/wsd/print</a:Address></a:EndpointReference>"
    "<dp:Types xmlns:pr='http://schemas.microsoft.com/windows/2006/08/wdp/print'>pr:PrinterServiceType</dp:Types>"
    "<dp:ServiceId>uri:print</dp:ServiceId></dp:Hosted>"
    "<dp:Hosted><a:EndpointReference><a:Address>http://198.18.0.2:8018/wsd/scan</a:Address></a:EndpointReference>"
    "<a:EndpointReference><a:Address>http://[fd00:5ca::2]:8018/wsd/scan</a:Address></a:EndpointReference>"
    "<a:EndpointReference><a:Address>urn:uuid:not-a-url</a:Address></a:EndpointReference>"
    "<dp:Types xmlns:sc='http://schemas.microsoft.com/windows/2006/08/wdp/scan'>sc:ScannerServiceType</dp:Types>"
    "<dp:ServiceId>uri:scan</dp:ServiceId></dp:Hosted>"
    "</dp:Relationship></mx:MetadataSection></mx:Metadata></env:Body></env:Envelope>";

START_TEST(dpws2009_scanner)
{
    auto m = wsd::soap::parse(dpws2009Response);
    ck_assert(m.has_value());
    auto md = wsd::parseMetadata(*m);
    ck_assert(md.has_value());
    ck_assert_str_eq(md->manufacturer.c_str(), "Example Ltd");
    ck_assert_str_eq(md->model.c_str(), "Sim MFP 1");
    ck_assert_str_eq(md->modelNumber.c_str(), "SIM-1");
    ck_assert_str_eq(md->presentationUrl.c_str(), "http://198.18.0.2/");
    ck_assert_str_eq(md->friendlyName.c_str(), "Lab scanner");
    ck_assert_str_eq(md->firmwareVersion.c_str(), "1.2");
    ck_assert_str_eq(md->serialNumber.c_str(), "0042");
    ck_assert_str_eq(md->host.addresses.at(0).c_str(), "urn:uuid:5ca00000-0000-4000-8000-000000000002");
    ck_assert(md->host.types.at(0) == (wsd::xml::QName{wsd::ns::Dpws, "Device"}));
    ck_assert_uint_eq(md->hosted.size(), 2);
    ck_assert_str_eq(md->hosted[1].serviceId.c_str(), "uri:scan");
    ck_assert_uint_eq(md->hosted[1].addresses.size(), 3);
    auto urls = md->scanServiceUrls();
    ck_assert_uint_eq(urls.size(), 2);
    ck_assert_str_eq(urls[0].c_str(), "http://198.18.0.2:8018/wsd/scan");
    ck_assert_str_eq(urls[1].c_str(), "http://[fd00:5ca::2]:8018/wsd/scan");
}
END_TEST

START_TEST(get_request_and_errors)
{
    std::string text = wsd::buildGetMetadataRequest("urn:uuid:dev", "http://198.18.0.2:8018/wsd");
    auto m = wsd::soap::parse(text);
    ck_assert(m.has_value());
    ck_assert_str_eq(m->action.c_str(), wsd::ns::TransferGet);
    ck_assert_str_eq(m->to.c_str(), "urn:uuid:dev");
    ck_assert(!m->payload);  // WS-Transfer Get has an empty body
    ck_assert(text.find(wsd::ns::AnonymousReply) != std::string::npos);
    auto byUrl = wsd::soap::parse(wsd::buildGetMetadataRequest("", "http://198.18.0.2:8018/wsd"));
    ck_assert_str_eq(byUrl->to.c_str(), "http://198.18.0.2:8018/wsd");

    std::string error;
    // A Get request is not a GetResponse; a fault is reported as such.
    ck_assert(!wsd::parseMetadata(*m, &error));
    ck_assert(error.find("wsx:Metadata") != std::string::npos);
    auto fault = wsd::soap::parse(wsd::soap::buildFault({}, {"Receiver", "OperationFailed", "busy", ""}));
    ck_assert(!wsd::parseMetadata(*fault, &error));
    ck_assert(error.find("OperationFailed") != std::string::npos);
}
END_TEST

Suite *metadataSuite()
{
    Suite *s = suite_create("metadata");
    TCase *tc = tcase_create("GetResponse");
    tcase_add_test(tc, samsung_print_only);
    tcase_add_test(tc, dpws2009_scanner);
    tcase_add_test(tc, get_request_and_errors);
    suite_add_tcase(s, tc);
    return s;
}
