// Helpers shared by the wsd-sim unit tests: a simulated device built from a
// bundled profile, requests as a client writes them, and answers read back.
#pragma once

#include "../sim/image_transfer.h"
#include "../sim/profile.h"
#include "../sim/scan_service.h"
#include "../sim/sim_device.h"
#include "wsd/namespaces.h"
#include "wsd/soap.h"

#include <memory>
#include <string>

// Compares as std::string: Check's ck_assert_str_eq keeps the pointers it is
// given, which dangle when they come from temporaries.
#define SIM_ASSERT_EQ(actual, expected)                                                                \
    do {                                                                                             \
        std::string simActual_ = (actual);                                                           \
        std::string simExpected_ = (expected);                                                       \
        ck_assert_msg(simActual_ == simExpected_, "%s: '%s' != '%s'", #actual, simActual_.c_str(),     \
                      simExpected_.c_str());                                                         \
    } while (0)

namespace simtest {

inline std::unique_ptr<wsdsim::SimDevice> makeDevice(const char *profile = "office-mfp")
{
    wsdsim::DeviceIdentity id;
    id.endpointUuid = "urn:uuid:00000000-0000-4000-8000-000000000001";
    id.deviceUrls = {"http://127.0.0.1:1/wsd"};
    id.serviceUrls = {"http://127.0.0.1:1/wsd/scan", "http://[::1]:1/wsd/scan"};
    return std::make_unique<wsdsim::SimDevice>(
        wsdsim::loadProfileFile(WSD_SOURCE_DIR "/testsuite/sim/profiles/" + std::string(profile) + ".xml"), id);
}

// A request envelope for one scan operation; `inner` is the Request element's content.
inline std::string request(const std::string &operation, const std::string &inner, const std::string &messageId = "urn:uuid:42")
{
    wsd::soap::Addressing a;
    a.to = "http://127.0.0.1:1/wsd/scan";
    a.action = std::string(wsd::ns::ScanActionPrefix) + operation;
    a.messageId = messageId;
    return wsd::soap::buildEnvelope(a, {{"wscn", wsd::ns::Scan}}, [&](wsd::xml::Writer &w) {
        w.start("wscn", (operation + "Request").c_str()).raw(inner).end();
    });
}

inline std::string ticket(const std::string &source = "Platen", const std::string &format = "jfif",
                          const std::string &color = "RGB24", int dpi = 75, const std::string &extra = "")
{
    return "<wscn:ScanTicket><wscn:JobDescription><wscn:JobName>unit</wscn:JobName>"
           "<wscn:JobOriginatingUserName>tester</wscn:JobOriginatingUserName></wscn:JobDescription>"
           "<wscn:DocumentParameters><wscn:Format>" + format + "</wscn:Format><wscn:InputSource>" + source +
           "</wscn:InputSource>" + extra + "<wscn:MediaSides><wscn:MediaFront><wscn:ColorProcessing>" + color +
           "</wscn:ColorProcessing><wscn:Resolution><wscn:Width>" + std::to_string(dpi) +
           "</wscn:Width></wscn:Resolution></wscn:MediaFront></wscn:MediaSides></wscn:DocumentParameters></wscn:ScanTicket>";
}

struct Answer {
    int status = 0;
    std::string contentType;
    std::string body;
    std::shared_ptr<wsdsim::ImageTransfer> transfer;
    std::optional<wsd::soap::Message> message;  // parsed body (not for transfers)

    std::string subcode() const { return message && message->fault ? message->fault->subcode : ""; }
    std::string code() const { return message && message->fault ? message->fault->code : ""; }
    std::string text(const char *local) const
    {
        return message ? message->payload.descendant(wsd::ns::Scan, local).text() : "";
    }
};

// client: the peer's host address, as the HTTP server gives it.
inline Answer call(wsdsim::ScanService &service, const std::string &operation, const std::string &inner,
                   const std::string &client = "127.0.0.1")
{
    wsdsim::HttpReply r = service.handle(request(operation, inner), client);
    Answer a{r.status, r.contentType, r.body, r.transfer, std::nullopt};
    if (!r.transfer)
        a.message = wsd::soap::parse(r.body);
    return a;
}

struct JobRef {
    long id = 0;
    std::string token;
};

inline JobRef createJob(wsdsim::ScanService &service, const std::string &ticketXml)
{
    Answer a = call(service, "CreateScanJob", ticketXml);
    return {std::atol(a.text("JobId").c_str()), a.text("JobToken")};
}

inline std::string retrieveInner(const JobRef &job)
{
    return "<wscn:JobId>" + std::to_string(job.id) + "</wscn:JobId><wscn:JobToken>" + job.token +
           "</wscn:JobToken><wscn:DocumentDescription><wscn:DocumentName>page</wscn:DocumentName>"
           "</wscn:DocumentDescription>";
}

struct Drained {
    std::string body;
    bool error = false;  // the transfer ended with Error (connection dropped)
};

// Reads a transfer the way the HTTP layer does, then lets go of it.
inline Drained drain(wsdsim::ImageTransfer &t, size_t chunk = 16384)
{
    Drained d;
    std::string buf(chunk, '\0');
    for (;;) {
        long n = t.read(&buf[0], buf.size());
        if (n == wsdsim::ImageTransfer::EndOfStream)
            break;
        if (n == wsdsim::ImageTransfer::Error) {
            d.error = true;
            break;
        }
        d.body.append(buf.data(), static_cast<size_t>(n));
    }
    t.closed();
    return d;
}

}  // namespace simtest
