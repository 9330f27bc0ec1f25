#include "suites.h"

#include "wsd/namespaces.h"
#include "wsd/scan_job_messages.h"
#include "wsd/soap.h"

#include <string>
#include <vector>

namespace {

// ck_assert_str_eq keeps only pointers: temporaries must be named first.
void assertWord(const std::string &got, const char *want) { ck_assert_str_eq(got.c_str(), want); }

const char *const Url = "http://198.18.0.2:5357/wsd/scan";

wsd::soap::Message parsed(const std::string &text)
{
    std::string error;
    std::optional<wsd::soap::Message> m = wsd::soap::parse(text, &error);
    ck_assert_msg(m.has_value(), "does not parse: %s", error.c_str());
    return std::move(*m);
}

std::string childNames(const wsd::xml::Node &node)
{
    std::string out;
    for (const wsd::xml::Node &c : node.elements()) {
        ck_assert(c.nsUri() == wsd::ns::Scan);
        out += (out.empty() ? "" : ",") + std::string(c.localName());
    }
    return out;
}

// The wsa:Action of a scan operation.
void assertAction(const wsd::soap::Message &m, const char *op)
{
    std::string want = std::string(wsd::ns::ScanActionPrefix) + op;
    ck_assert_str_eq(m.action.c_str(), want.c_str());
}



std::string response(const char *scanNs, const std::string &body)
{
    return "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope' xmlns:wscn='" + std::string(scanNs) +
           "'><s:Body>" + body + "</s:Body></s:Envelope>";
}

wsd::ScanSettings duplexSettings()
{
    wsd::ScanSettings s;
    s.source = "ADFDuplex";
    s.format = "jfif";
    s.colorEntry = "Grayscale8";
    s.xResolution = 300;
    s.yResolution = 600;
    s.xOffset = 100;
    s.yOffset = 200;
    s.width = 8000;
    s.height = 11000;
    s.imagesToTransfer = 0;
    s.brightness = -250;
    s.contrast = 400;
    s.compressionQuality = 85;
    s.contentType = "Text";
    s.jobName = "scan & <more>";
    s.userName = "alice";
    return s;
}

}  // namespace

START_TEST(ticket_in_schema_order)
{
    wsd::ScanSettings s = duplexSettings();
    std::string text = wsd::buildCreateScanJobRequest(Url, s);
    ck_assert(text.find('\n') == std::string::npos);
    ck_assert(text.find("<soap:Envelope") == 0);
    ck_assert(text.find("xmlns:wscn=\"http://schemas.microsoft.com/windows/2006/08/wdp/scan\"") != std::string::npos);
    wsd::soap::Message m = parsed(text);
    assertAction(m, "CreateScanJob");
    ck_assert_str_eq(m.to.c_str(), Url);
    ck_assert(m.payload.is(wsd::ns::Scan, "CreateScanJobRequest"));
    assertWord(childNames(m.payload), "ScanTicket");
    wsd::xml::Node ticket = m.payload.child(wsd::ns::Scan, "ScanTicket");
    assertWord(childNames(ticket), "JobDescription,DocumentParameters");
    assertWord(childNames(ticket.child(wsd::ns::Scan, "JobDescription")),
                     "JobName,JobOriginatingUserName,JobInformation");
    wsd::xml::Node params = ticket.child(wsd::ns::Scan, "DocumentParameters");
    assertWord(childNames(params),
                     "Format,CompressionQualityFactor,ImagesToTransfer,InputSource,ContentType,InputSize,"
                     "Exposure,MediaSides");
    assertWord(childNames(params.path(wsd::ns::Scan, {"Exposure", "ExposureSettings"})),
                     "Contrast,Brightness");
    wsd::xml::Node media = params.path(wsd::ns::Scan, {"InputSize", "InputMediaSize"});
    assertWord(media.child(wsd::ns::Scan, "Width").text(), "8100");
    assertWord(media.child(wsd::ns::Scan, "Height").text(), "11200");
    wsd::xml::Node sides = params.child(wsd::ns::Scan, "MediaSides");
    assertWord(childNames(sides), "MediaFront,MediaBack");
    for (const char *side : {"MediaFront", "MediaBack"}) {
        wsd::xml::Node n = sides.child(wsd::ns::Scan, side);
        assertWord(childNames(n), "ScanRegion,ColorProcessing,Resolution");
        assertWord(childNames(n.child(wsd::ns::Scan, "ScanRegion")),
                         "ScanRegionXOffset,ScanRegionYOffset,ScanRegionWidth,ScanRegionHeight");
        assertWord(childNames(n.child(wsd::ns::Scan, "Resolution")), "Width,Height");
    }

    // And back: every value survives the round trip.
    wsd::ScanSettings back = wsd::parseScanTicket(ticket);
    ck_assert_str_eq(back.source.c_str(), "ADFDuplex");
    ck_assert_str_eq(back.format.c_str(), "jfif");
    ck_assert_str_eq(back.colorEntry.c_str(), "Grayscale8");
    ck_assert_int_eq(back.xResolution, 300);
    ck_assert_int_eq(back.yResolution, 600);
    ck_assert_int_eq(back.xOffset, 100);
    ck_assert_int_eq(back.yOffset, 200);
    ck_assert_int_eq(back.width, 8000);
    ck_assert_int_eq(back.height, 11000);
    ck_assert_int_eq(back.imagesToTransfer, 0);
    ck_assert(back.brightness && *back.brightness == -250);
    ck_assert(back.contrast && *back.contrast == 400);
    ck_assert(back.compressionQuality && *back.compressionQuality == 85);
    ck_assert_str_eq(back.contentType.c_str(), "Text");
    ck_assert_str_eq(back.jobName.c_str(), "scan & <more>");
    ck_assert_str_eq(back.userName.c_str(), "alice");
}
END_TEST

START_TEST(ticket_leaves_out_what_is_unset)
{
    wsd::ScanSettings s;  // platen, nothing optional
    s.colorEntry = "RGB24";
    s.xResolution = s.yResolution = 300;
    s.width = 8500;
    s.height = 11000;
    wsd::soap::Message m = parsed(wsd::buildValidateScanTicketRequest(Url, s));
    assertAction(m, "ValidateScanTicket");
    ck_assert(m.payload.is(wsd::ns::Scan, "ValidateScanTicketRequest"));
    wsd::xml::Node params = m.payload.path(wsd::ns::Scan, {"ScanTicket", "DocumentParameters"});
    assertWord(childNames(params), "ImagesToTransfer,InputSource,InputSize,MediaSides");
    assertWord(params.child(wsd::ns::Scan, "ImagesToTransfer").text(), "1");
    assertWord(params.child(wsd::ns::Scan, "InputSource").text(), "Platen");
    assertWord(childNames(params.child(wsd::ns::Scan, "MediaSides")), "MediaFront");
    // Job names are required by the schema: defaults fill them.
    wsd::xml::Node description = m.payload.path(wsd::ns::Scan, {"ScanTicket", "JobDescription"});
    ck_assert(!description.child(wsd::ns::Scan, "JobName").text().empty());
    ck_assert(!description.child(wsd::ns::Scan, "JobOriginatingUserName").text().empty());
}
END_TEST

START_TEST(builds_job_requests)
{
    wsd::soap::Message m = parsed(wsd::buildRetrieveImageRequest(Url, 42, "tok-1", "scan001"));
    assertAction(m, "RetrieveImage");
    ck_assert(m.payload.is(wsd::ns::Scan, "RetrieveImageRequest"));
    assertWord(childNames(m.payload), "JobId,JobToken,DocumentDescription");
    assertWord(m.payload.child(wsd::ns::Scan, "JobId").text(), "42");
    assertWord(m.payload.child(wsd::ns::Scan, "JobToken").text(), "tok-1");
    assertWord(m.payload.path(wsd::ns::Scan, {"DocumentDescription", "DocumentName"}).text(),
                     "scan001");

    m = parsed(wsd::buildCancelJobRequest(Url, 42));
    assertAction(m, "CancelJob");
    ck_assert(m.payload.is(wsd::ns::Scan, "CancelJobRequest"));
    assertWord(m.payload.child(wsd::ns::Scan, "JobId").text(), "42");

    m = parsed(wsd::buildGetJobElementsRequest(Url, 42));
    assertAction(m, "GetJobElements");
    assertWord(childNames(m.payload), "JobId,RequestedElements");
    wsd::xml::Node name = m.payload.path(wsd::ns::Scan, {"RequestedElements", "Name"});
    wsd::xml::QName q = name.resolveQName(name.text());
    ck_assert_str_eq(q.ns.c_str(), wsd::ns::Scan);
    ck_assert_str_eq(q.local.c_str(), "JobStatus");

    m = parsed(wsd::buildGetActiveJobsRequest(Url));
    assertAction(m, "GetActiveJobs");
    ck_assert(m.payload.is(wsd::ns::Scan, "GetActiveJobsRequest"));
    m = parsed(wsd::buildGetJobHistoryRequest(Url));
    assertAction(m, "GetJobHistory");
    ck_assert(m.payload.is(wsd::ns::Scan, "GetJobHistoryRequest"));
    ck_assert(m.header.child(wsd::ns::Addressing, "ReplyTo"));
}
END_TEST

START_TEST(parses_create_scan_job_response)
{
    // Shaped like the docs example: 2006/01 namespace, the misspelt
    // DocumentFinalParamters, Override/UsedDefault attributes, padded text.
    const char *body =
        "<wscn:CreateScanJobResponse><wscn:JobId>1</wscn:JobId><wscn:JobToken>Job9876TokenString</wscn:JobToken>"
        "<wscn:ImageInformation><wscn:MediaFrontImageInfo><wscn:PixelsPerLine>900</wscn:PixelsPerLine>"
        "<wscn:NumberOfLines>1500</wscn:NumberOfLines><wscn:BytesPerLine>113</wscn:BytesPerLine>"
        "</wscn:MediaFrontImageInfo></wscn:ImageInformation>"
        "<wscn:DocumentFinalParamters><wscn:Format>jfif</wscn:Format>"
        "<wscn:CompressionQualityFactor>45</wscn:CompressionQualityFactor>"
        "<wscn:ImagesToTransfer>0</wscn:ImagesToTransfer><wscn:InputSource>Platen</wscn:InputSource>"
        "<wscn:ContentType>Auto</wscn:ContentType><wscn:InputSize><wscn:InputMediaSize>"
        "<wscn:Width wscn:Override='true'>8500</wscn:Width><wscn:Height wscn:Override='true'>11000</wscn:Height>"
        "</wscn:InputMediaSize></wscn:InputSize><wscn:Exposure><wscn:ExposureSettings>"
        "<wscn:Contrast wscn:UsedDefault='true'>0</wscn:Contrast><wscn:Brightness wscn:UsedDefault='true'>0"
        "</wscn:Brightness><wscn:Sharpness>0</wscn:Sharpness></wscn:ExposureSettings></wscn:Exposure>"
        "<wscn:Rotation>0</wscn:Rotation><wscn:MediaSides><wscn:MediaFront><wscn:ScanRegion>"
        "<wscn:ScanRegionXOffset>\n 0\n </wscn:ScanRegionXOffset><wscn:ScanRegionYOffset>0</wscn:ScanRegionYOffset>"
        "<wscn:ScanRegionWidth> 8500 </wscn:ScanRegionWidth><wscn:ScanRegionHeight>11000</wscn:ScanRegionHeight>"
        "</wscn:ScanRegion><wscn:ColorProcessing wscn:UsedDefault='true'>\n RGB24\n </wscn:ColorProcessing>"
        "<wscn:Resolution><wscn:Width>300</wscn:Width><wscn:Height>300</wscn:Height></wscn:Resolution>"
        "</wscn:MediaFront></wscn:MediaSides></wscn:DocumentFinalParamters></wscn:CreateScanJobResponse>";
    std::string error;
    auto job = wsd::parseCreateScanJobResponse(parsed(response(wsd::ns::ScanPrerelease, body)), &error);
    ck_assert_msg(job.has_value(), "%s", error.c_str());
    ck_assert_int_eq(job->jobId, 1);
    ck_assert_str_eq(job->jobToken.c_str(), "Job9876TokenString");
    ck_assert_int_eq(job->front.pixelsPerLine, 900);
    ck_assert_int_eq(job->front.lines, 1500);
    ck_assert_int_eq(job->front.bytesPerLine, 113);
    ck_assert(!job->back.has_value());
    const wsd::ScanSettings &f = job->finalParameters;
    ck_assert_str_eq(f.format.c_str(), "jfif");
    ck_assert(f.compressionQuality && *f.compressionQuality == 45);
    ck_assert_int_eq(f.imagesToTransfer, 0);
    ck_assert_str_eq(f.source.c_str(), "Platen");
    ck_assert_str_eq(f.colorEntry.c_str(), "RGB24");
    ck_assert_int_eq(f.xResolution, 300);
    ck_assert_int_eq(f.width, 8500);
    ck_assert_int_eq(f.height, 11000);
    ck_assert(f.brightness && *f.brightness == 0);
}
END_TEST

START_TEST(parses_duplex_job_and_rejects_incomplete)
{
    const char *body =
        "<wscn:CreateScanJobResponse><wscn:JobId>77</wscn:JobId><wscn:JobToken>t</wscn:JobToken>"
        "<wscn:ImageInformation><wscn:MediaFrontImageInfo><wscn:PixelsPerLine>2550</wscn:PixelsPerLine>"
        "<wscn:NumberOfLines>3300</wscn:NumberOfLines><wscn:BytesPerLine>7650</wscn:BytesPerLine>"
        "</wscn:MediaFrontImageInfo><wscn:MediaBackImageInfo><wscn:PixelsPerLine>2550</wscn:PixelsPerLine>"
        "<wscn:NumberOfLines>3300</wscn:NumberOfLines><wscn:BytesPerLine>7650</wscn:BytesPerLine>"
        "</wscn:MediaBackImageInfo></wscn:ImageInformation>"
        "<wscn:DocumentFinalParameters><wscn:InputSource>ADFDuplex</wscn:InputSource></wscn:DocumentFinalParameters>"
        "</wscn:CreateScanJobResponse>";
    std::string error;
    auto job = wsd::parseCreateScanJobResponse(parsed(response(wsd::ns::Scan, body)), &error);
    ck_assert_msg(job.has_value(), "%s", error.c_str());
    ck_assert_int_eq(job->jobId, 77);
    ck_assert(job->back.has_value());
    ck_assert_int_eq(job->back->lines, 3300);
    ck_assert_str_eq(job->finalParameters.source.c_str(), "ADFDuplex");

    const char *noToken = "<wscn:CreateScanJobResponse><wscn:JobId>77</wscn:JobId></wscn:CreateScanJobResponse>";
    ck_assert(!wsd::parseCreateScanJobResponse(parsed(response(wsd::ns::Scan, noToken)), &error));
    ck_assert(error.find("JobToken") != std::string::npos);
    const char *badId = "<wscn:CreateScanJobResponse><wscn:JobId>0</wscn:JobId><wscn:JobToken>t</wscn:JobToken>"
                        "</wscn:CreateScanJobResponse>";
    ck_assert(!wsd::parseCreateScanJobResponse(parsed(response(wsd::ns::Scan, badId)), &error));
    // A response for another operation is not taken for this one.
    ck_assert(!wsd::parseCreateScanJobResponse(
        parsed(response(wsd::ns::Scan, "<wscn:CancelJobResponse/>")), &error));
    ck_assert(error.find("CancelJobResponse") != std::string::npos);
}
END_TEST

START_TEST(parses_validation)
{
    // The docs example, with its wrong closing tags fixed (WS-Scan ValidateScanTicketResponse page).
    const char *body =
        "<wscn:ValidateScanTicketResponse><wscn:ValidationInfo><wscn:ValidTicket>false</wscn:ValidTicket>"
        "<wscn:ImageInformation><wscn:MediaFrontImageInfo><wscn:PixelsPerLine>0</wscn:PixelsPerLine>"
        "<wscn:NumberOfLines>0</wscn:NumberOfLines><wscn:BytesPerLine>0</wscn:BytesPerLine>"
        "</wscn:MediaFrontImageInfo></wscn:ImageInformation><wscn:ValidScanTicket><wscn:JobDescription>"
        "<wscn:JobName>Photo Scan</wscn:JobName><wscn:JobOriginatingUserName>RogerSmith</wscn:JobOriginatingUserName>"
        "</wscn:JobDescription><wscn:DocumentParameters><wscn:Format>jfif</wscn:Format>"
        "<wscn:InputSource>Platen</wscn:InputSource><wscn:InputSize><wscn:DocumentSizeAutoDetect>true"
        "</wscn:DocumentSizeAutoDetect></wscn:InputSize><wscn:MediaSides><wscn:MediaFront><wscn:Resolution>"
        "<wscn:Width>300</wscn:Width><wscn:Height>300</wscn:Height></wscn:Resolution></wscn:MediaFront>"
        "</wscn:MediaSides></wscn:DocumentParameters></wscn:ValidScanTicket></wscn:ValidationInfo>"
        "</wscn:ValidateScanTicketResponse>";
    std::string error;
    auto v = wsd::parseValidateScanTicketResponse(parsed(response(wsd::ns::Scan, body)), &error);
    ck_assert_msg(v.has_value(), "%s", error.c_str());
    ck_assert(!v->valid);
    ck_assert(v->validTicket.has_value());
    ck_assert_str_eq(v->validTicket->format.c_str(), "jfif");
    ck_assert_str_eq(v->validTicket->userName.c_str(), "RogerSmith");
    ck_assert_int_eq(v->validTicket->xResolution, 300);
    ck_assert_int_eq(v->front.pixelsPerLine, 0);

    const char *ok =
        "<wscn:ValidateScanTicketResponse><wscn:ValidationInfo><wscn:ValidTicket>1</wscn:ValidTicket>"
        "<wscn:ImageInformation><wscn:MediaFrontImageInfo><wscn:PixelsPerLine>900</wscn:PixelsPerLine>"
        "<wscn:NumberOfLines>1500</wscn:NumberOfLines><wscn:BytesPerLine>113</wscn:BytesPerLine>"
        "</wscn:MediaFrontImageInfo></wscn:ImageInformation></wscn:ValidationInfo></wscn:ValidateScanTicketResponse>";
    v = wsd::parseValidateScanTicketResponse(parsed(response(wsd::ns::Scan, ok)), &error);
    ck_assert(v && v->valid && !v->validTicket);
    ck_assert_int_eq(v->front.bytesPerLine, 113);
}
END_TEST

START_TEST(parses_job_status_leniently)
{
    // Docs style: an unprefixed Name that resolves to no namespace.
    const char *body =
        "<wscn:GetJobElementsResponse><wscn:JobElements><wscn:ElementData wscn:Name='JobStatus' wscn:Valid='true'>"
        "<wscn:JobStatus><wscn:JobId>1</wscn:JobId><wscn:JobState>Pending-Held</wscn:JobState>"
        "<wscn:JobStateReasons><wscn:JobStateReason>JobTransfering</wscn:JobStateReason>"
        "<wscn:JobStateReason>None</wscn:JobStateReason><wscn:JobStateReason>VendorThing</wscn:JobStateReason>"
        "</wscn:JobStateReasons><wscn:ScansCompleted>3</wscn:ScansCompleted></wscn:JobStatus>"
        "</wscn:ElementData></wscn:JobElements></wscn:GetJobElementsResponse>";
    std::string error;
    auto s = wsd::parseGetJobElementsResponse(parsed(response(wsd::ns::Scan, body)), &error);
    ck_assert_msg(s.has_value(), "%s", error.c_str());
    ck_assert_int_eq(s->jobId, 1);
    ck_assert_str_eq(s->state.c_str(), "Held");
    ck_assert_uint_eq(s->reasons.size(), 2);
    ck_assert_str_eq(s->reasons[0].c_str(), "JobTransferring");
    ck_assert_str_eq(s->reasons[1].c_str(), "VendorThing");
    ck_assert_int_eq(s->scansCompleted, 3);

    assertWord(wsd::normalizeJobState("cancelled"), "Canceled");
    assertWord(wsd::normalizeJobState("COMPLETED"), "Completed");
    assertWord(wsd::normalizeJobState("Frobbing"), "Frobbing");
    assertWord(wsd::normalizeJobStateReason("JobScanningAndTransfering"), "JobScanningAndTransferring");
    ck_assert(wsd::jobStateIsFinal("Completed"));
    ck_assert(wsd::jobStateIsFinal("Aborted"));
    ck_assert(wsd::jobStateIsFinal("Cancelled"));
    ck_assert(wsd::jobStateIsFinal("Terminating"));
    ck_assert(!wsd::jobStateIsFinal("Processing"));
    ck_assert(!wsd::jobStateIsFinal("Frobbing"));

    const char *invalid =
        "<wscn:GetJobElementsResponse><wscn:JobElements><wscn:ElementData Name='wscn:JobStatus' Valid='false'/>"
        "</wscn:JobElements></wscn:GetJobElementsResponse>";
    ck_assert(!wsd::parseGetJobElementsResponse(parsed(response(wsd::ns::Scan, invalid)), &error));
}
END_TEST

START_TEST(parses_job_lists)
{
    const char *active =
        "<wscn:GetActiveJobsResponse><wscn:ActiveJobs><wscn:JobSummary><wscn:JobId>1</wscn:JobId>"
        "<wscn:JobName>SampleJob 1</wscn:JobName><wscn:JobOriginatingUserName>Joe.Smith</wscn:JobOriginatingUserName>"
        "<wscn:JobState>Processing</wscn:JobState><wscn:JobStateReasons><wscn:JobStateReason>JobScanning"
        "</wscn:JobStateReason></wscn:JobStateReasons><wscn:ScansCompleted>2</wscn:ScansCompleted></wscn:JobSummary>"
        "<wscn:JobSummary><wscn:JobId>2</wscn:JobId><wscn:JobName>Sample Job 2</wscn:JobName>"
        "<wscn:JobOriginatingUserName>JaneSmith</wscn:JobOriginatingUserName><wscn:JobState>Pending</wscn:JobState>"
        "<wscn:ScansCompleted>0</wscn:ScansCompleted></wscn:JobSummary></wscn:ActiveJobs></wscn:GetActiveJobsResponse>";
    std::string error;
    auto jobs = wsd::parseJobSummaries(parsed(response(wsd::ns::Scan, active)), &error);
    ck_assert_msg(jobs.has_value(), "%s", error.c_str());
    ck_assert_uint_eq(jobs->size(), 2);
    ck_assert_int_eq((*jobs)[0].jobId, 1);
    assertWord((*jobs)[0].jobName, "SampleJob 1");
    assertWord((*jobs)[0].userName, "Joe.Smith");
    assertWord((*jobs)[0].state, "Processing");
    ck_assert_uint_eq((*jobs)[0].reasons.size(), 1);
    assertWord((*jobs)[0].reasons[0], "JobScanning");
    ck_assert_int_eq((*jobs)[0].scansCompleted, 2);
    assertWord((*jobs)[1].state, "Pending");
    ck_assert((*jobs)[1].reasons.empty());

    jobs = wsd::parseJobSummaries(
        parsed(response(wsd::ns::Scan, "<wscn:GetActiveJobsResponse><wscn:ActiveJobs/></wscn:GetActiveJobsResponse>")),
        &error);
    ck_assert(jobs && jobs->empty());

    const char *history =
        "<wscn:GetJobHistoryResponse><wscn:JobHistory><wscn:JobSummary><wscn:JobId>9</wscn:JobId>"
        "<wscn:JobName>old</wscn:JobName><wscn:JobOriginatingUserName>u</wscn:JobOriginatingUserName>"
        "<wscn:JobState>Aborted</wscn:JobState><wscn:JobStateReasons><wscn:JobStateReason>JobTimedOut"
        "</wscn:JobStateReason></wscn:JobStateReasons><wscn:ScansCompleted>1</wscn:ScansCompleted></wscn:JobSummary>"
        "</wscn:JobHistory></wscn:GetJobHistoryResponse>";
    jobs = wsd::parseJobSummaries(parsed(response(wsd::ns::Scan, history)), &error);
    ck_assert(jobs && jobs->size() == 1);
    assertWord((*jobs)[0].state, "Aborted");
    assertWord((*jobs)[0].reasons[0], "JobTimedOut");
}
END_TEST

START_TEST(maps_faults)
{
    auto status = [](const char *code, const char *subcode) {
        return wsd::statusFromFault(wsd::soap::Fault{code, subcode, "", ""});
    };
    ck_assert_int_eq(status("Sender", "ClientErrorNoImagesAvailable"), SANE_STATUS_NO_DOCS);
    ck_assert_int_eq(status("Receiver", "ServerErrorNotAcceptingJobs"), SANE_STATUS_DEVICE_BUSY);
    ck_assert_int_eq(status("Receiver", "ServerErrorTemporaryError"), SANE_STATUS_DEVICE_BUSY);
    ck_assert_int_eq(status("Sender", "ClientErrorJobIdNotFound"), SANE_STATUS_CANCELLED);
    ck_assert_int_eq(status("Sender", "ClientErrorJobCancelled"), SANE_STATUS_CANCELLED);
    ck_assert_int_eq(status("Sender", "ClientErrorFormatNotSupported"), SANE_STATUS_INVAL);
    ck_assert_int_eq(status("Sender", "InvalidArgs"), SANE_STATUS_INVAL);
    ck_assert_int_eq(status("Sender", "ClientErrorInvalidScanTicket"), SANE_STATUS_INVAL);
    ck_assert_int_eq(status("Sender", "ClientErrorDocumentFormatNotSupported"), SANE_STATUS_INVAL);
    ck_assert_int_eq(status("Receiver", "NotSupported"), SANE_STATUS_IO_ERROR);
    ck_assert_int_eq(status("Receiver", "OperationFailed"), SANE_STATUS_IO_ERROR);
    ck_assert_int_eq(status("Receiver", "ServerErrorInternalError"), SANE_STATUS_IO_ERROR);
    ck_assert_int_eq(status("Receiver", ""), SANE_STATUS_IO_ERROR);

    // A parser handed a fault says which one.
    wsd::soap::Addressing a;
    a.to = wsd::ns::AnonymousReply;
    std::string text = wsd::soap::buildFault(a, {"Sender", "ClientErrorNoImagesAvailable", "feeder empty", ""});
    std::string error;
    ck_assert(!wsd::parseCreateScanJobResponse(parsed(text), &error));
    ck_assert_msg(error.find("ClientErrorNoImagesAvailable (Sender): feeder empty") != std::string::npos, "%s",
                  error.c_str());
}
END_TEST

Suite *scanJobMessagesSuite()
{
    Suite *s = suite_create("scan_job_messages");
    TCase *tc = tcase_create("messages");
    tcase_add_test(tc, ticket_in_schema_order);
    tcase_add_test(tc, ticket_leaves_out_what_is_unset);
    tcase_add_test(tc, builds_job_requests);
    tcase_add_test(tc, parses_create_scan_job_response);
    tcase_add_test(tc, parses_duplex_job_and_rejects_incomplete);
    tcase_add_test(tc, parses_validation);
    tcase_add_test(tc, parses_job_status_leniently);
    tcase_add_test(tc, parses_job_lists);
    tcase_add_test(tc, maps_faults);
    suite_add_tcase(s, tc);
    return s;
}
