// wsd-sim's scan service at the handler level (no network): every
// operation, every fault, and every knob.
// Before check.h: its fail() macro breaks the iostream headers json.hpp includes.
#include <nlohmann/json.hpp>

#include "suites.h"

#include "test_sim_support.h"

#include "../sim/control_api.h"
#include "../sim/image_encoder.h"
#include "../sim/test_pattern.h"
#include "wsd/mtom.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

using namespace simtest;
using namespace wsdsim;

namespace {

// Splits an MTOM answer with the backend's parser.
struct MtomParts : wsd::MtomParser::Handler {
    std::string envelope, imageType, image;
    bool ended = false;
    bool onEnvelope(std::string_view xml) override { return envelope.assign(xml), true; }
    bool onImageStart(std::string_view type) override { return imageType.assign(type), true; }
    bool onImageData(const uint8_t *d, size_t n) override { return image.append(reinterpret_cast<const char *>(d), n), true; }
    bool onImageEnd() override { return ended = true; }
};

MtomParts parseMtom(const std::string &contentType, const std::string &body, bool *ok)
{
    MtomParts parts;
    wsd::MtomParser parser(contentType, parts);
    *ok = parser.feed(body.data(), body.size()) && parser.finish() && parser.closed();
    return parts;
}

Answer retrieve(ScanService &service, const JobRef &job) { return call(service, "RetrieveImage", retrieveInner(job)); }

// Retrieves one image whole; the drained MTOM body.
std::string retrieveWhole(ScanService &service, const JobRef &job)
{
    Answer a = retrieve(service, job);
    ck_assert_msg(a.transfer != nullptr, "RetrieveImage answered %d: %s", a.status, a.body.c_str());
    Drained d = drain(*a.transfer);
    ck_assert(!d.error);
    return d.body;
}

void setKnob(SimDevice &device, const char *name, const char *value)
{
    std::string error;
    ck_assert_msg(device.knobs.set(name, value, &error), "%s", error.c_str());
}

const char *stateOf(SimDevice &device, long id) { return jobStateName(device.jobs.find(id)->state); }

}  // namespace

START_TEST(get_scanner_elements_answers_each_name)
{
    auto device = makeDevice();
    ScanService service(*device);
    Answer a = call(service, "GetScannerElements",
                    "<wscn:RequestedElements><wscn:Name>wscn:ScannerDescription</wscn:Name>"
                    "<wscn:Name>wscn:ScannerConfiguration</wscn:Name><wscn:Name>wscn:DefaultScanTicket</wscn:Name>"
                    "<wscn:Name>wscn:ScannerStatus</wscn:Name><wscn:Name xmlns:v='urn:vendor'>v:Secret</wscn:Name>"
                    "</wscn:RequestedElements>");
    ck_assert_int_eq(a.status, 200);
    ck_assert(a.message && !a.message->fault);
    SIM_ASSERT_EQ(a.message->action.c_str(),
                     "http://schemas.microsoft.com/windows/2006/08/wdp/scan/GetScannerElementsResponse");
    SIM_ASSERT_EQ(a.message->relatesTo.c_str(), "urn:uuid:42");
    SIM_ASSERT_EQ(a.message->to.c_str(), wsd::ns::AnonymousReply);
    ck_assert(a.message->messageId.rfind("urn:uuid:", 0) == 0 && a.message->messageId != "urn:uuid:42");
    auto data = a.message->payload.child(wsd::ns::Scan, "ScannerElements").children(wsd::ns::Scan, "ElementData");
    ck_assert_int_eq(data.size(), 5);
    const char *valid[] = {"true", "true", "true", "true", "false"};
    for (size_t i = 0; i < 5; ++i)
        SIM_ASSERT_EQ(data[i].attr("Valid")->c_str(), valid[i]);
    wsd::xml::QName vendor = data[4].resolveQName(*data[4].attr("Name"));
    SIM_ASSERT_EQ(vendor.ns.c_str(), "urn:vendor");
    SIM_ASSERT_EQ(vendor.local.c_str(), "Secret");
    // The profile's section comes back as it is.
    ck_assert_int_eq(data[1].descendant(wsd::ns::Scan, "FormatsSupported").children(wsd::ns::Scan, "FormatValue").size(), 6);
    SIM_ASSERT_EQ(data[3].path(wsd::ns::Scan, {"ScannerStatus", "ScannerState"}).text().c_str(), "Idle");

    auto flatbed = makeDevice("flatbed");
    ScanService flatbedService(*flatbed);
    Answer f = call(flatbedService, "GetScannerElements",
                    "<wscn:RequestedElements><wscn:Name>wscn:DefaultScanTicket</wscn:Name></wscn:RequestedElements>");
    SIM_ASSERT_EQ(f.message->payload.descendant(wsd::ns::Scan, "ElementData").attr("Valid")->c_str(), "false");

    Answer none = call(service, "GetScannerElements", "<wscn:RequestedElements/>");
    ck_assert_int_eq(none.status, 400);
    SIM_ASSERT_EQ(none.subcode().c_str(), "InvalidArgs");
}
END_TEST

START_TEST(create_scan_job_reports_final_parameters)
{
    auto device = makeDevice();
    ScanService service(*device);
    Answer a = call(service, "CreateScanJob",
                    ticket("Platen", "png", "Grayscale8", 333,
                           "<wscn:ImagesToTransfer>1</wscn:ImagesToTransfer>"));
    ck_assert_int_eq(a.status, 200);
    SIM_ASSERT_EQ(a.text("JobId").c_str(), "1");
    ck_assert(!a.text("JobToken").empty());
    wsd::xml::Node final = a.message->payload.child(wsd::ns::Scan, "DocumentFinalParameters");
    SIM_ASSERT_EQ(final.child(wsd::ns::Scan, "Format").text().c_str(), "png");
    ck_assert(!final.child(wsd::ns::Scan, "Format").attr("UsedDefault"));
    // Not in the ticket: the device default, marked so.
    SIM_ASSERT_EQ(final.child(wsd::ns::Scan, "ContentType").attr("UsedDefault")->c_str(), "true");
    // 333 dpi is not offered: the nearest resolution, marked Override.
    wsd::xml::Node width = final.descendant(wsd::ns::Scan, "Resolution").child(wsd::ns::Scan, "Width");
    SIM_ASSERT_EQ(width.text().c_str(), "300");
    SIM_ASSERT_EQ(width.attr("Override")->c_str(), "true");
    SIM_ASSERT_EQ(final.descendant(wsd::ns::Scan, "ScanRegionWidth").text().c_str(), "8500");
    for (const char *child : {"CompressionQualityFactor", "ImagesToTransfer", "InputSource", "InputSize", "Exposure",
                              "Scaling", "Rotation", "MediaSides"})
        ck_assert_msg(final.child(wsd::ns::Scan, child), "DocumentFinalParameters lacks %s", child);

    PageSpec spec;
    spec.colorEntry = "Grayscale8";
    spec.format = "png";
    spec.width = 8500;
    spec.height = 11690;
    TestPattern pattern(spec);
    wsd::xml::Node info = a.message->payload.path(wsd::ns::Scan, {"ImageInformation", "MediaFrontImageInfo"});
    ck_assert_int_eq(std::atoi(info.child(wsd::ns::Scan, "PixelsPerLine").text().c_str()), pattern.pixelsPerLine());
    ck_assert_int_eq(std::atoi(info.child(wsd::ns::Scan, "NumberOfLines").text().c_str()), pattern.lines());
    SIM_ASSERT_EQ(info.child(wsd::ns::Scan, "BytesPerLine").text().c_str(), "0");
}
END_TEST

START_TEST(create_scan_job_refusals)
{
    auto device = makeDevice();
    ScanService service(*device);
    // Format first, even when the device is also busy.
    setKnob(*device, "busy", "true");
    Answer format = call(service, "CreateScanJob", ticket("Platen", "xps"));
    ck_assert_int_eq(format.status, 400);
    SIM_ASSERT_EQ(format.subcode().c_str(), "ClientErrorFormatNotSupported");
    setKnob(*device, "busy", "false");

    Answer mustHonor = call(service, "CreateScanJob",
                            "<wscn:ScanTicket><wscn:JobDescription><wscn:JobName>a</wscn:JobName>"
                            "<wscn:JobOriginatingUserName>b</wscn:JobOriginatingUserName></wscn:JobDescription>"
                            "<wscn:DocumentParameters><wscn:Format>jfif</wscn:Format>"
                            "<wscn:MediaSides><wscn:MediaFront><wscn:Resolution wscn:MustHonor='true'>"
                            "<wscn:Width>333</wscn:Width></wscn:Resolution></wscn:MediaFront></wscn:MediaSides>"
                            "</wscn:DocumentParameters></wscn:ScanTicket>");
    SIM_ASSERT_EQ(mustHonor.subcode().c_str(), "InvalidArgs");

    Answer notANumber = call(service, "CreateScanJob", ticket("Platen", "jfif", "RGB24", 300,
                                                              "<wscn:ImagesToTransfer>many</wscn:ImagesToTransfer>"));
    ck_assert_int_eq(notANumber.status, 400);
    SIM_ASSERT_EQ(notANumber.subcode().c_str(), "InvalidArgs");

    Answer noTicket = call(service, "CreateScanJob", "");
    SIM_ASSERT_EQ(noTicket.subcode().c_str(), "InvalidArgs");

    Answer push = call(service, "CreateScanJob", "<wscn:ScanIdentifier>x</wscn:ScanIdentifier>" + ticket());
    SIM_ASSERT_EQ(push.subcode().c_str(), "ClientErrorInvalidScanIdentifier");

    // exif cannot carry gray: another advertised format is used instead.
    Answer exif = call(service, "CreateScanJob", ticket("Platen", "exif", "Grayscale8"));
    wsd::xml::Node f = exif.message->payload.path(wsd::ns::Scan, {"DocumentFinalParameters", "Format"});
    SIM_ASSERT_EQ(f.text().c_str(), "jfif");
    SIM_ASSERT_EQ(f.attr("Override")->c_str(), "true");

    auto flatbed = makeDevice("flatbed");
    ScanService flatbedService(*flatbed);
    Answer adf = call(flatbedService, "CreateScanJob", ticket("ADF"));
    SIM_ASSERT_EQ(adf.message->payload.path(wsd::ns::Scan, {"DocumentFinalParameters", "InputSource"}).text().c_str(),
                     "Platen");
}
END_TEST

START_TEST(retrieve_image_sends_mtom)
{
    auto device = makeDevice();
    ScanService service(*device);
    JobRef job = createJob(service, ticket("Platen", "png", "RGB24", 75));
    Answer a = retrieve(service, job);
    ck_assert_int_eq(a.status, 200);
    ck_assert(a.transfer != nullptr);
    ck_assert(a.contentType.find("multipart/related") == 0);
    ck_assert(a.contentType.find("application/xop+xml") != std::string::npos);
    ck_assert(!a.transfer->declaredSize());  // chunked
    Drained d = drain(*a.transfer);
    ck_assert(!d.error);
    ck_assert(d.body.rfind("\r\n--", 0) == 0);
    bool ok = false;
    MtomParts parts = parseMtom(a.contentType, d.body, &ok);
    ck_assert(ok && parts.ended);
    SIM_ASSERT_EQ(parts.imageType.c_str(), "image/png");

    PageSpec spec = pageSpecFor(device->jobs.find(job.id)->ticket, 1, false);
    ck_assert(parts.image == encodePage(spec).bytes);
    auto envelope = wsd::soap::parse(parts.envelope);
    ck_assert(envelope && !envelope->fault);
    SIM_ASSERT_EQ(envelope->action.c_str(),
                     "http://schemas.microsoft.com/windows/2006/08/wdp/scan/RetrieveImageResponse");
    ck_assert(envelope->payload.descendant(wsd::ns::Xop, "Include").attr("href")->rfind("cid:", 0) == 0);
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Completed");

    Answer again = retrieve(service, job);
    ck_assert_int_eq(again.status, 400);
    SIM_ASSERT_EQ(again.subcode().c_str(), "ClientErrorNoImagesAvailable");
    auto log = device->log.entries();
    SIM_ASSERT_EQ(log.back().operation.c_str(), "RetrieveImage");
    SIM_ASSERT_EQ(log.back().outcome.c_str(), "fault:ClientErrorNoImagesAvailable");
    ck_assert_int_eq(log.back().jobId, job.id);
}
END_TEST

START_TEST(job_faults)
{
    auto device = makeDevice();
    ScanService service(*device);
    JobRef job = createJob(service, ticket());

    Answer unknown = retrieve(service, {job.id + 7, job.token});
    ck_assert_int_eq(unknown.status, 400);
    SIM_ASSERT_EQ(unknown.code().c_str(), "Sender");
    SIM_ASSERT_EQ(unknown.subcode().c_str(), "ClientErrorJobIdNotFound");
    SIM_ASSERT_EQ(unknown.message->relatesTo.c_str(), "urn:uuid:42");
    SIM_ASSERT_EQ(unknown.message->action.c_str(), wsd::ns::FaultAction);

    SIM_ASSERT_EQ(retrieve(service, {job.id, "wrong"}).subcode().c_str(), "ClientErrorInvalidJobToken");
    SIM_ASSERT_EQ(retrieve(service, {0, job.token}).subcode().c_str(), "ClientErrorJobIdNotFound");
    SIM_ASSERT_EQ(call(service, "RetrieveImage", "<wscn:JobToken>x</wscn:JobToken>").subcode().c_str(), "InvalidArgs");

    Answer cancel = call(service, "CancelJob", "<wscn:JobId>" + std::to_string(job.id) + "</wscn:JobId>");
    ck_assert_int_eq(cancel.status, 200);
    ck_assert(cancel.message->payload.is(wsd::ns::Scan, "CancelJobResponse"));
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Canceled");
    SIM_ASSERT_EQ(retrieve(service, job).subcode().c_str(), "ClientErrorJobCancelled");
    SIM_ASSERT_EQ(call(service, "CancelJob", "<wscn:JobId>" + std::to_string(job.id) + "</wscn:JobId>").subcode().c_str(),
                     "ClientErrorJobIdNotFound");
    SIM_ASSERT_EQ(call(service, "GetJobElements", "<wscn:JobId>99</wscn:JobId><wscn:RequestedElements>"
                                                     "<wscn:Name>wscn:JobStatus</wscn:Name></wscn:RequestedElements>")
                         .subcode().c_str(),
                     "ClientErrorJobIdNotFound");
}
END_TEST

START_TEST(bad_requests)
{
    auto device = makeDevice();
    ScanService service(*device);
    HttpReply malformed = service.handle("<soap:Envelope><unclosed>", "127.0.0.1");
    ck_assert_int_eq(malformed.status, 400);
    auto m = wsd::soap::parse(malformed.body);
    ck_assert(m && m->fault);
    SIM_ASSERT_EQ(m->fault->code.c_str(), "Sender");

    HttpReply notSoap = service.handle("<a/>", "127.0.0.1");
    ck_assert_int_eq(notSoap.status, 400);

    HttpReply doctype = service.handle("<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "127.0.0.1");
    ck_assert_int_eq(doctype.status, 400);

    Answer unknown = call(service, "Frobnicate", "");
    ck_assert_int_eq(unknown.status, 400);
    SIM_ASSERT_EQ(unknown.subcode().c_str(), "ActionNotSupported");
    // The subcode is the WS-Addressing one, not a wscn name.
    auto value = unknown.message->payload.path(wsd::ns::Soap, {"Code", "Subcode", "Value"});
    SIM_ASSERT_EQ(value.resolveQName(value.text()).ns.c_str(), wsd::ns::Addressing);

    // Body element and action disagree.
    wsd::soap::Addressing a;
    a.to = "http://127.0.0.1:1/wsd/scan";
    a.action = std::string(wsd::ns::ScanActionPrefix) + "CancelJob";
    std::string mismatched = wsd::soap::buildEnvelope(a, {{"wscn", wsd::ns::Scan}}, [](wsd::xml::Writer &w) {
        w.start("wscn", "GetActiveJobsRequest").end();
    });
    HttpReply r = service.handle(mismatched, "127.0.0.1");
    ck_assert_int_eq(r.status, 400);
    SIM_ASSERT_EQ(wsd::soap::parse(r.body)->fault->subcode.c_str(), "InvalidArgs");
    SIM_ASSERT_EQ(device->log.entries().front().operation.c_str(), "(unparsable)");
}
END_TEST

START_TEST(job_queries)
{
    auto device = makeDevice();
    ScanService service(*device);
    JobRef done = createJob(service, ticket());
    retrieveWhole(service, done);
    JobRef waiting = createJob(service, ticket("ADF"));

    Answer active = call(service, "GetActiveJobs", "");
    auto summaries = active.message->payload.child(wsd::ns::Scan, "ActiveJobs").children(wsd::ns::Scan, "JobSummary");
    ck_assert_int_eq(summaries.size(), 1);
    SIM_ASSERT_EQ(summaries[0].child(wsd::ns::Scan, "JobId").text().c_str(), std::to_string(waiting.id).c_str());
    SIM_ASSERT_EQ(summaries[0].child(wsd::ns::Scan, "JobOriginatingUserName").text().c_str(), "tester");
    SIM_ASSERT_EQ(summaries[0].child(wsd::ns::Scan, "JobState").text().c_str(), "Pending");

    Answer history = call(service, "GetJobHistory", "");
    auto past = history.message->payload.child(wsd::ns::Scan, "JobHistory").children(wsd::ns::Scan, "JobSummary");
    ck_assert_int_eq(past.size(), 1);
    SIM_ASSERT_EQ(past[0].child(wsd::ns::Scan, "JobState").text().c_str(), "Completed");
    SIM_ASSERT_EQ(past[0].child(wsd::ns::Scan, "ScansCompleted").text().c_str(), "1");

    Answer elements = call(service, "GetJobElements",
                           "<wscn:JobId>" + std::to_string(done.id) + "</wscn:JobId><wscn:RequestedElements>"
                           "<wscn:Name>wscn:JobStatus</wscn:Name><wscn:Name>wscn:ScanTicket</wscn:Name>"
                           "<wscn:Name>wscn:Documents</wscn:Name><wscn:Name>wscn:Nothing</wscn:Name>"
                           "</wscn:RequestedElements>");
    auto data = elements.message->payload.child(wsd::ns::Scan, "JobElements").children(wsd::ns::Scan, "ElementData");
    ck_assert_int_eq(data.size(), 4);
    SIM_ASSERT_EQ(data[0].path(wsd::ns::Scan, {"JobStatus", "JobState"}).text().c_str(), "Completed");
    SIM_ASSERT_EQ(data[0].descendant(wsd::ns::Scan, "JobStateReason").text().c_str(), "JobCompletedSuccessfully");
    SIM_ASSERT_EQ(data[1].descendant(wsd::ns::Scan, "JobName").text().c_str(), "unit");
    ck_assert(data[2].descendant(wsd::ns::Scan, "DocumentFinalParameters"));
    ck_assert(data[2].descendant(wsd::ns::Scan, "DocumentName"));
    SIM_ASSERT_EQ(data[3].attr("Valid")->c_str(), "false");
}
END_TEST

// Strict like devices: no Format, or a colour the source never listed, is
// refused at CreateScanJob and /log says why and what the ticket asked.
START_TEST(create_scan_job_strict_ticket)
{
    auto device = makeDevice("jpeg-pdf-only");
    ScanService service(*device);
    const std::string noFormat = ticket("Platen", "jfif", "Grayscale8");
    const std::string withoutFormat =
        noFormat.substr(0, noFormat.find("<wscn:Format>")) + noFormat.substr(noFormat.find("<wscn:InputSource>"));
    Answer missing = call(service, "CreateScanJob", withoutFormat);
    ck_assert_int_eq(missing.status, 400);
    SIM_ASSERT_EQ(missing.subcode(), "InvalidArgs");

    Answer lineart = call(service, "CreateScanJob", ticket("Platen", "jfif", "BlackAndWhite1", 300));
    ck_assert_int_eq(lineart.status, 400);
    SIM_ASSERT_EQ(lineart.subcode(), "InvalidArgs");
    // ValidateScanTicket proposes what the device has instead of refusing.
    Answer validated = call(service, "ValidateScanTicket", ticket("Platen", "jfif", "BlackAndWhite1", 300));
    SIM_ASSERT_EQ(validated.text("ValidTicket"), "false");
    SIM_ASSERT_EQ(validated.message->payload.descendant(wsd::ns::Scan, "ValidScanTicket")
                      .descendant(wsd::ns::Scan, "ColorProcessing")
                      .text(),
                  "RGB24");

    Answer gray = call(service, "CreateScanJob", ticket("Platen", "jfif", "Grayscale8", 300));
    ck_assert_int_eq(gray.status, 200);

    const nlohmann::ordered_json log = device->log.toJson()["log"];
    ck_assert_int_eq(log.size(), 4);
    ck_assert(log[0]["ticket"]["format"].is_null());
    SIM_ASSERT_EQ(log[0]["ticket"]["colorProcessing"].get<std::string>(), "Grayscale8");
    ck_assert(!log[0]["reason"].get<std::string>().empty());
    SIM_ASSERT_EQ(log[1]["ticket"]["colorProcessing"].get<std::string>(), "BlackAndWhite1");
    ck_assert(log[1].contains("reason"));
    SIM_ASSERT_EQ(log[3]["outcome"].get<std::string>(), "ok");
    SIM_ASSERT_EQ(log[3]["ticket"]["format"].get<std::string>(), "jfif");
    SIM_ASSERT_EQ(log[3]["ticket"]["colorProcessing"].get<std::string>(), "Grayscale8");
    ck_assert(!log[3].contains("reason"));
}
END_TEST

START_TEST(validate_scan_ticket)
{
    auto device = makeDevice();
    ScanService service(*device);
    Answer good = call(service, "ValidateScanTicket", ticket("Platen", "jfif", "RGB24", 300));
    SIM_ASSERT_EQ(good.text("ValidTicket").c_str(), "true");
    ck_assert(!good.message->payload.descendant(wsd::ns::Scan, "ValidScanTicket"));
    ck_assert(good.message->payload.descendant(wsd::ns::Scan, "MediaFrontImageInfo"));

    Answer bad = call(service, "ValidateScanTicket", ticket("Platen", "xps", "RGB48", 300));
    SIM_ASSERT_EQ(bad.text("ValidTicket").c_str(), "false");
    wsd::xml::Node corrected = bad.message->payload.descendant(wsd::ns::Scan, "ValidScanTicket");
    SIM_ASSERT_EQ(corrected.descendant(wsd::ns::Scan, "Format").text().c_str(), "jfif");
    SIM_ASSERT_EQ(corrected.descendant(wsd::ns::Scan, "ColorProcessing").text().c_str(), "RGB24");
    ck_assert(bad.message->payload.descendant(wsd::ns::Scan, "MediaFrontImageInfo"));
    ck_assert(call(service, "ValidateScanTicket", "").subcode() == "InvalidArgs");
}
END_TEST

START_TEST(adf_and_duplex_image_counts)
{
    auto device = makeDevice();
    ScanService service(*device);
    setKnob(*device, "adf-pages", "3");
    JobRef simplex = createJob(service, ticket("ADF"));
    for (int i = 0; i < 3; ++i)
        retrieveWhole(service, simplex);
    SIM_ASSERT_EQ(stateOf(*device, simplex.id), "Completed");
    SIM_ASSERT_EQ(retrieve(service, simplex).subcode().c_str(), "ClientErrorNoImagesAvailable");

    setKnob(*device, "adf-pages", "2");
    JobRef duplex = createJob(service, ticket("ADFDuplex"));
    for (int i = 0; i < 4; ++i)
        retrieveWhole(service, duplex);
    SIM_ASSERT_EQ(retrieve(service, duplex).subcode().c_str(), "ClientErrorNoImagesAvailable");
    ck_assert_int_eq(device->jobs.find(duplex.id)->imagesSent, 4);

    setKnob(*device, "adf-pages", "5");
    JobRef limited = createJob(service, ticket("ADF", "jfif", "RGB24", 75, "<wscn:ImagesToTransfer>2</wscn:ImagesToTransfer>"));
    retrieveWhole(service, limited);
    retrieveWhole(service, limited);
    SIM_ASSERT_EQ(stateOf(*device, limited.id), "Completed");
    SIM_ASSERT_EQ(retrieve(service, limited).subcode().c_str(), "ClientErrorNoImagesAvailable");
}
END_TEST

START_TEST(knobs_busy_cover_internal_and_http_status)
{
    auto device = makeDevice();
    ScanService service(*device);
    setKnob(*device, "busy", "true");
    Answer busy = call(service, "CreateScanJob", ticket());
    ck_assert_int_eq(busy.status, 500);
    SIM_ASSERT_EQ(busy.code().c_str(), "Receiver");
    SIM_ASSERT_EQ(busy.subcode().c_str(), "ServerErrorNotAcceptingJobs");
    setKnob(*device, "fault-http-200", "true");
    ck_assert_int_eq(call(service, "CreateScanJob", ticket()).status, 200);
    setKnob(*device, "busy", "false");
    setKnob(*device, "fault-http-200", "false");

    setKnob(*device, "cover-open", "true");
    SIM_ASSERT_EQ(call(service, "CreateScanJob", ticket()).subcode().c_str(), "ServerErrorNotAcceptingJobs");
    Answer status = call(service, "GetScannerElements",
                         "<wscn:RequestedElements><wscn:Name>wscn:ScannerStatus</wscn:Name></wscn:RequestedElements>");
    SIM_ASSERT_EQ(status.text("ScannerState").c_str(), "Stopped");
    SIM_ASSERT_EQ(status.text("ScannerStateReason").c_str(), "CoverOpen");
    wsd::xml::Node condition = status.message->payload.descendant(wsd::ns::Scan, "DeviceCondition");
    SIM_ASSERT_EQ(condition.child(wsd::ns::Scan, "Name").text().c_str(), "CoverOpen");
    ck_assert(condition.attr("Id"));
    setKnob(*device, "cover-open", "false");
    status = call(service, "GetScannerElements",
                  "<wscn:RequestedElements><wscn:Name>wscn:ScannerStatus</wscn:Name></wscn:RequestedElements>");
    SIM_ASSERT_EQ(status.text("ScannerState").c_str(), "Idle");
    ck_assert(status.message->payload.descendant(wsd::ns::Scan, "ConditionHistoryEntry"));

    setKnob(*device, "internal-error", "true");
    Answer internal = call(service, "GetActiveJobs", "");
    ck_assert_int_eq(internal.status, 500);
    SIM_ASSERT_EQ(internal.subcode().c_str(), "ServerErrorInternalError");
    setKnob(*device, "internal-error", "false");

    setKnob(*device, "malformed-xml", "true");
    Answer broken = call(service, "GetActiveJobs", "");
    ck_assert_int_eq(broken.status, 200);
    ck_assert(!broken.message);
    setKnob(*device, "malformed-xml", "false");

    setKnob(*device, "delay-ms", "20");
    ck_assert_int_eq(call(service, "GetActiveJobs", "").status, 200);
}
END_TEST

START_TEST(knobs_jam_and_empty_feeder)
{
    auto device = makeDevice();
    ScanService service(*device);
    setKnob(*device, "jam-after", "1");
    JobRef job = createJob(service, ticket("ADF"));
    retrieveWhole(service, job);
    Answer jam = retrieve(service, job);
    ck_assert_int_eq(jam.status, 500);
    SIM_ASSERT_EQ(jam.subcode().c_str(), "OperationFailed");
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Aborted");
    ck_assert(device->status.jammed());
    Answer status = call(service, "GetScannerElements",
                         "<wscn:RequestedElements><wscn:Name>wscn:ScannerStatus</wscn:Name></wscn:RequestedElements>");
    SIM_ASSERT_EQ(status.text("ScannerStateReason").c_str(), "MediaJam");
    setKnob(*device, "jam-after", "0");
    createJob(service, ticket());  // the user cleared the jam
    ck_assert(!device->status.jammed());

    setKnob(*device, "empty-adf", "true");
    Answer empty = call(service, "CreateScanJob", ticket("ADF"));
    ck_assert_int_eq(empty.status, 400);
    SIM_ASSERT_EQ(empty.subcode().c_str(), "ClientErrorNoImagesAvailable");
    ck_assert_int_eq(call(service, "CreateScanJob", ticket("Platen")).status, 200);  // the glass still works
    setKnob(*device, "empty-adf-at", "retrieve");
    JobRef late = createJob(service, ticket("ADF"));
    ck_assert_int_gt(late.id, 0);
    SIM_ASSERT_EQ(retrieve(service, late).subcode().c_str(), "ClientErrorNoImagesAvailable");
}
END_TEST

START_TEST(knobs_transfer_framing)
{
    auto device = makeDevice();
    ScanService service(*device);
    setKnob(*device, "no-leading-crlf", "true");
    JobRef job = createJob(service, ticket());
    Answer a = retrieve(service, job);
    Drained d = drain(*a.transfer);
    ck_assert(d.body.rfind("--", 0) == 0);
    bool ok = false;
    parseMtom(a.contentType, d.body, &ok);
    ck_assert(ok);
    setKnob(*device, "no-leading-crlf", "false");

    setKnob(*device, "truncate-image", "100");
    job = createJob(service, ticket());
    a = retrieve(service, job);
    d = drain(*a.transfer);
    MtomParts parts = parseMtom(a.contentType, d.body, &ok);
    ck_assert(ok);
    ck_assert_int_eq(parts.image.size(), 100);
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Completed");
    setKnob(*device, "truncate-image", "-1");

    setKnob(*device, "content-length-excess", "10");
    job = createJob(service, ticket());
    a = retrieve(service, job);
    std::optional<uint64_t> declared = a.transfer->declaredSize();
    d = drain(*a.transfer);
    ck_assert(declared && *declared == d.body.size() + 10);
    setKnob(*device, "content-length-excess", "0");

    setKnob(*device, "texture", "true");
    setKnob(*device, "pace", "2000000");
    job = createJob(service, ticket("Platen", "png"));
    a = retrieve(service, job);
    d = drain(*a.transfer, 4096);
    parts = parseMtom(a.contentType, d.body, &ok);
    ck_assert(ok);
    PageSpec plain = pageSpecFor(device->jobs.find(job.id)->ticket, 1, false);
    ck_assert(parts.image != encodePage(plain).bytes);  // textured
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Completed");
}
END_TEST

START_TEST(knob_image_file)
{
    auto device = makeDevice();
    ScanService service(*device);
    char path[] = "/tmp/wsd-image-file.XXXXXX";
    const int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const std::string hostile = std::string("\xFF\xD8\xFF\xC2", 4) + std::string(300, '\0');
    ck_assert_int_eq(write(fd, hostile.data(), hostile.size()), static_cast<ssize_t>(hostile.size()));
    close(fd);
    setKnob(*device, "image-file", path);
    JobRef job = createJob(service, ticket());
    Answer a = retrieve(service, job);
    Drained d = drain(*a.transfer);
    bool ok = false;
    MtomParts parts = parseMtom(a.contentType, d.body, &ok);
    ck_assert(ok);
    ck_assert(parts.image == hostile);  // the file as it is, not the page
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Completed");

    // A file that cannot be read: the device reports an internal error.
    unlink(path);
    job = createJob(service, ticket());
    SIM_ASSERT_EQ(retrieve(service, job).subcode().c_str(), "ServerErrorInternalError");
    setKnob(*device, "image-file", "");
    job = createJob(service, ticket());
    ck_assert_int_eq(retrieve(service, job).status, 200);
}
END_TEST

START_TEST(knobs_reset_and_stall)
{
    auto device = makeDevice();
    ScanService service(*device);
    setKnob(*device, "reset-after", "100");
    JobRef job = createJob(service, ticket());
    Answer a = retrieve(service, job);
    Drained d = drain(*a.transfer);
    ck_assert(d.error);
    ck_assert_int_eq(a.transfer->imageBytesSent(), 100);
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Aborted");
    SIM_ASSERT_EQ(device->jobs.find(job.id)->reasons.at(0).c_str(), "ImageTransferError");
    SIM_ASSERT_EQ(device->log.entries().back().outcome.c_str(), "incomplete");
    setKnob(*device, "reset-after", "-1");

    // A client that walks away mid-image aborts the job too.
    job = createJob(service, ticket());
    a = retrieve(service, job);
    char buf[64];
    ck_assert_int_gt(a.transfer->read(buf, sizeof buf), 0);
    a.transfer->closed();
    SIM_ASSERT_EQ(device->jobs.find(job.id)->reasons.at(0).c_str(), "ImageTransferError");

    setKnob(*device, "stall-after", "50");
    job = createJob(service, ticket());
    a = retrieve(service, job);
    Drained stalled;
    std::thread reader([&] { stalled = drain(*a.transfer, 16); });
    // The reader blocks at 50 image bytes until the job ends: CancelJob ends it.
    ck_assert_int_eq(call(service, "CancelJob", "<wscn:JobId>" + std::to_string(job.id) + "</wscn:JobId>").status, 200);
    reader.join();
    ck_assert(stalled.error);
    ck_assert_int_le(a.transfer->imageBytesSent(), 50);
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Canceled");
}
END_TEST

// A device that lingers in Terminating after CancelJob and refuses jobs meanwhile.
START_TEST(knob_terminating)
{
    auto device = makeDevice();
    ScanService service(*device);
    setKnob(*device, "terminating-ms", "60000");
    JobRef job = createJob(service, ticket());
    const std::string jobId = "<wscn:JobId>" + std::to_string(job.id) + "</wscn:JobId>";
    ck_assert_int_eq(call(service, "CancelJob", jobId).status, 200);
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Terminating");
    SIM_ASSERT_EQ(retrieve(service, job).subcode().c_str(), "ClientErrorJobCancelled");
    ck_assert_int_eq(call(service, "CancelJob", jobId).status, 200);  // until Canceled, a cancel is allowed
    SIM_ASSERT_EQ(call(service, "CreateScanJob", ticket()).subcode().c_str(), "ServerErrorNotAcceptingJobs");
    Answer status = call(service, "GetScannerElements",
                         "<wscn:RequestedElements><wscn:Name>wscn:ScannerStatus</wscn:Name></wscn:RequestedElements>");
    SIM_ASSERT_EQ(status.text("ScannerState").c_str(), "Processing");

    setKnob(*device, "terminating-refuses-jobs", "false");
    JobRef next = createJob(service, ticket());
    ck_assert_int_gt(next.id, job.id);
    SIM_ASSERT_EQ(stateOf(*device, job.id), "Terminating");
}
END_TEST

// CancelJob for a finished job or another client's: ClientErrorJobIdNotFound.
START_TEST(cancel_job_refusals)
{
    auto device = makeDevice();
    ScanService service(*device);
    JobRef other = createJob(service, ticket());
    JobRef done = createJob(service, ticket());
    retrieveWhole(service, done);
    SIM_ASSERT_EQ(stateOf(*device, done.id), "Completed");
    const std::string doneId = "<wscn:JobId>" + std::to_string(done.id) + "</wscn:JobId>";
    SIM_ASSERT_EQ(call(service, "CancelJob", doneId).subcode().c_str(), "ClientErrorJobIdNotFound");

    const std::string otherId = "<wscn:JobId>" + std::to_string(other.id) + "</wscn:JobId>";
    Answer refused = call(service, "CancelJob", otherId, "198.18.0.9");
    ck_assert_int_eq(refused.status, 400);
    SIM_ASSERT_EQ(refused.subcode().c_str(), "ClientErrorJobIdNotFound");
    SIM_ASSERT_EQ(stateOf(*device, other.id), "Pending");
    const LogEntry last = device->log.entries().back();
    SIM_ASSERT_EQ(last.operation.c_str(), "CancelJob");
    SIM_ASSERT_EQ(last.outcome.c_str(), "fault:ClientErrorJobIdNotFound");
    SIM_ASSERT_EQ(last.client.c_str(), "198.18.0.9");
    ck_assert_int_eq(call(service, "CancelJob", otherId).status, 200);
    SIM_ASSERT_EQ(stateOf(*device, other.id), "Canceled");
}
END_TEST

START_TEST(knob_job_timeout_and_reboot)
{
    auto device = makeDevice();
    ScanService service(*device);
    setKnob(*device, "job-timeout", "1");
    JobRef job = createJob(service, ticket());
    ck_assert(device->jobs.waitUntilFinished(job.id, std::chrono::seconds(30)));  // hang guard
    SIM_ASSERT_EQ(device->jobs.find(job.id)->reasons.at(0).c_str(), "JobTimedOut");
    SIM_ASSERT_EQ(retrieve(service, job).subcode().c_str(), "OperationFailed");

    ControlApi control(*device);
    HttpRequest reboot{"POST", "/reboot", "", "127.0.0.1"};
    ck_assert_int_eq(control.route(reboot).status, 200);
    SIM_ASSERT_EQ(retrieve(service, job).subcode().c_str(), "ClientErrorJobIdNotFound");
}
END_TEST

// The image part of one RetrieveImage answer.
std::string retrievedImage(ScanService &service, const JobRef &job)
{
    Answer a = retrieve(service, job);
    ck_assert_msg(a.transfer != nullptr, "RetrieveImage answered %d: %s", a.status, a.body.c_str());
    Drained d = drain(*a.transfer);
    ck_assert(!d.error);
    bool ok = false;
    MtomParts parts = parseMtom(a.contentType, d.body, &ok);
    ck_assert(ok);
    return parts.image;
}

START_TEST(knobs_of_the_delivered_image)
{
    auto device = makeDevice();
    ScanService service(*device);
    const std::string region = "<wscn:MediaSides><wscn:MediaFront><wscn:ScanRegion>"
                               "<wscn:ScanRegionXOffset>1000</wscn:ScanRegionXOffset>"
                               "<wscn:ScanRegionYOffset>2000</wscn:ScanRegionYOffset>"
                               "<wscn:ScanRegionWidth>3000</wscn:ScanRegionWidth>"
                               "<wscn:ScanRegionHeight>4000</wscn:ScanRegionHeight></wscn:ScanRegion>";
    std::string regionTicket = ticket("Platen", "png", "Grayscale8", 75);
    regionTicket.replace(regionTicket.find("<wscn:MediaSides><wscn:MediaFront>"), 34, region);

    // ignore-region: the whole platen from its origin; the answer still tells the region.
    setKnob(*device, "ignore-region", "true");
    JobRef whole = createJob(service, regionTicket);
    PageSpec spec = pageSpecFor(device->jobs.find(whole.id)->ticket, 1, false);
    ck_assert_int_eq(spec.width, 3000);
    spec.xOffset = spec.yOffset = 0;
    spec.width = device->profile.platen.maxWidth;
    spec.height = device->profile.platen.maxHeight;
    ck_assert(retrievedImage(service, whole) == encodePage(spec).bytes);
    setKnob(*device, "ignore-region", "false");

    // final-resolution: DocumentFinalParameters, ImageInformation and the image say 150 dpi.
    setKnob(*device, "final-resolution", "150");
    Answer created = call(service, "CreateScanJob", ticket("Platen", "png", "Grayscale8", 300));
    wsd::xml::Node resolution =
        created.message->payload.path(wsd::ns::Scan, {"DocumentFinalParameters", "MediaSides", "MediaFront", "Resolution"});
    SIM_ASSERT_EQ(resolution.child(wsd::ns::Scan, "Width").text().c_str(), "150");
    const JobRef scaled{std::atol(created.text("JobId").c_str()), created.text("JobToken")};
    const PageSpec scaledSpec = pageSpecFor(device->jobs.find(scaled.id)->ticket, 1, false);
    ck_assert_int_eq(scaledSpec.xResolution, 150);
    SIM_ASSERT_EQ(created.text("PixelsPerLine").c_str(), std::to_string(scaledSpec.width * 150 / 1000).c_str());
    ck_assert(retrievedImage(service, scaled) == encodePage(scaledSpec).bytes);
    setKnob(*device, "final-resolution", "0");

    // one-page-jobs: each feeder job takes the next sheet and is then forgotten.
    setKnob(*device, "one-page-jobs", "true");
    setKnob(*device, "adf-pages", "2");
    for (int sheet = 1; sheet <= 2; ++sheet) {
        JobRef job = createJob(service, ticket("ADF", "png", "Grayscale8", 75));
        ck_assert_int_gt(job.id, 0);
        ck_assert(retrievedImage(service, job) == encodePage(pageSpecFor(device->jobs.find(job.id)->ticket, sheet, false)).bytes);
        SIM_ASSERT_EQ(retrieve(service, job).subcode().c_str(), "ClientErrorJobIdNotFound");
    }
    SIM_ASSERT_EQ(call(service, "CreateScanJob", ticket("ADF")).subcode().c_str(), "ClientErrorNoImagesAvailable");
    // Loaded again for the next batch.
    ck_assert_int_gt(createJob(service, ticket("ADF")).id, 0);
}
END_TEST

Suite *simServiceSuite()
{
    Suite *s = suite_create("sim service");
    TCase *ops = tcase_create("operations");
    tcase_set_timeout(ops, 60);
    tcase_add_test(ops, get_scanner_elements_answers_each_name);
    tcase_add_test(ops, create_scan_job_reports_final_parameters);
    tcase_add_test(ops, create_scan_job_refusals);
    tcase_add_test(ops, retrieve_image_sends_mtom);
    tcase_add_test(ops, job_faults);
    tcase_add_test(ops, bad_requests);
    tcase_add_test(ops, job_queries);
    tcase_add_test(ops, create_scan_job_strict_ticket);
    tcase_add_test(ops, validate_scan_ticket);
    tcase_add_test(ops, adf_and_duplex_image_counts);
    suite_add_tcase(s, ops);
    TCase *knobs = tcase_create("knobs");
    tcase_set_timeout(knobs, 60);
    tcase_add_test(knobs, knobs_busy_cover_internal_and_http_status);
    tcase_add_test(knobs, knobs_jam_and_empty_feeder);
    tcase_add_test(knobs, knobs_transfer_framing);
    tcase_add_test(knobs, knob_image_file);
    tcase_add_test(knobs, knobs_reset_and_stall);
    tcase_add_test(knobs, knob_job_timeout_and_reboot);
    tcase_add_test(knobs, knob_terminating);
    tcase_add_test(knobs, cancel_job_refusals);
    tcase_add_test(knobs, knobs_of_the_delivered_image);
    suite_add_tcase(s, knobs);
    return s;
}
