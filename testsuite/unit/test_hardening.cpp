// Proofs of the XML and size hardening against hostile devices and LAN
// peers: entity expansion (billion laughs), external entities (XXE, file
// and network), external DTDs and XInclude are refused or left inert, and
// libxml2 never loads anything (an entity loader that records every call
// must stay unused); datagrams and HTTP bodies are bounded.
#include "suites.h"

#include "wsd/discovery_message.h"
#include "wsd/discovery_socket.h"
#include "wsd/http.h"
#include "wsd/soap.h"
#include "wsd/xml.h"

#include <libxml/parserInternals.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// Every external resource libxml2 tries to open (entity, DTD, XInclude)
// passes through the external entity loader: this one refuses and counts.
std::atomic<int> loadAttempts{0};

xmlParserInputPtr recordingLoader(const char *, const char *, xmlParserCtxtPtr)
{
    ++loadAttempts;
    return nullptr;
}

class LoaderSpy {
public:
    LoaderSpy() : previous_(xmlGetExternalEntityLoader())
    {
        loadAttempts = 0;
        xmlSetExternalEntityLoader(recordingLoader);
    }
    ~LoaderSpy() { xmlSetExternalEntityLoader(previous_); }
    int attempts() const { return loadAttempts; }

private:
    xmlExternalEntityLoader previous_;
};

const char *const Envelope12 = "http://www.w3.org/2003/05/soap-envelope";

std::string soapWith(const std::string &prolog, const std::string &bodyContent)
{
    return prolog + "<s:Envelope xmlns:s='" + Envelope12 + "'><s:Body>" + bodyContent +
           "</s:Body></s:Envelope>";
}

// Classic ten-level entity expansion: a billion "lol"s if expanded.
std::string billionLaughs()
{
    std::string dtd = "<!DOCTYPE s:Envelope [<!ENTITY lol0 'lol'>";
    for (int i = 1; i <= 9; ++i) {
        dtd += "<!ENTITY lol" + std::to_string(i) + " '";
        for (int j = 0; j < 10; ++j)
            dtd += "&lol" + std::to_string(i - 1) + ";";
        dtd += "'>";
    }
    dtd += "]>";
    return soapWith(dtd, "<r>&lol9;</r>");
}

}  // namespace

START_TEST(billion_laughs_refused)
{
    LoaderSpy spy;
    std::string error;
    std::string doc = billionLaughs();
    ck_assert(!wsd::xml::Document::parse(doc, &error));
    ck_assert_msg(error.find("DOCTYPE") != std::string::npos, "error: %s", error.c_str());
    ck_assert(!wsd::soap::parse(doc, &error));
    ck_assert(!wsd::discovery::parse(doc, &error));
    ck_assert_int_eq(spy.attempts(), 0);
}
END_TEST

START_TEST(xxe_file_and_network_refused)
{
    LoaderSpy spy;
    const std::vector<std::string> hostile = {
        // External general entities: a local file, an http and an ftp URL.
        soapWith("<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>", "<r>&x;</r>"),
        soapWith("<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM 'http://198.18.0.1/secret'>]>", "<r>&x;</r>"),
        soapWith("<!DOCTYPE s:Envelope [<!ENTITY x PUBLIC 'p' 'ftp://198.18.0.1/x'>]>", "<r>&x;</r>"),
        // A parameter entity pulling in a remote DTD fragment.
        soapWith("<!DOCTYPE s:Envelope [<!ENTITY % p SYSTEM 'http://198.18.0.1/p.dtd'> %p;]>", "<r/>"),
        // An entity defined in the internal subset without any reference to it.
        soapWith("<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM 'file:///etc/hostname'>]>", "<r/>"),
    };
    for (const std::string &doc : hostile) {
        std::string error;
        wsd::xml::Document parsed = wsd::xml::Document::parse(doc, &error);
        ck_assert_msg(!parsed, "accepted: %s", doc.c_str());
        ck_assert_msg(error.find("DOCTYPE") != std::string::npos, "error: %s", error.c_str());
        ck_assert(!wsd::soap::parse(doc));
    }
    ck_assert_int_eq(spy.attempts(), 0);
}
END_TEST

START_TEST(external_dtd_refused)
{
    LoaderSpy spy;
    for (const char *prolog : {"<!DOCTYPE s:Envelope SYSTEM 'http://198.18.0.1/evil.dtd'>",
                               "<!DOCTYPE s:Envelope SYSTEM 'file:///etc/passwd'>",
                               "<!DOCTYPE s:Envelope PUBLIC '-//W3C//DTD XHTML 1.0//EN' 'x.dtd'>"}) {
        std::string error;
        ck_assert(!wsd::xml::Document::parse(soapWith(prolog, "<r/>"), &error));
        ck_assert_msg(error.find("DOCTYPE") != std::string::npos, "error: %s", error.c_str());
    }
    ck_assert_int_eq(spy.attempts(), 0);

    // Control: the spy does see a load when libxml2 is asked to load a DTD,
    // so the zero counts above mean that nothing was tried.
    std::string doc = soapWith("<!DOCTYPE s:Envelope SYSTEM 'http://198.18.0.1/evil.dtd'>", "<r/>");
    xmlDocPtr loaded = xmlReadMemory(doc.data(), static_cast<int>(doc.size()), nullptr, nullptr,
                                     XML_PARSE_DTDLOAD | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlFreeDoc(loaded);
    ck_assert_int_ge(spy.attempts(), 1);
}
END_TEST

// Documents without a DTD that name external resources are accepted as
// plain XML: nothing is fetched or expanded, the references stay elements
// and attributes.
START_TEST(no_network_for_xinclude_and_schema_location)
{
    LoaderSpy spy;
    std::string doc = soapWith(
        "<?xml version='1.0'?><?xml-stylesheet href='http://198.18.0.1/s.xsl'?>",
        "<r xmlns:xi='http://www.w3.org/2001/XInclude' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'"
        " xsi:schemaLocation='urn:x http://198.18.0.1/x.xsd'>"
        "<xi:include href='file:///etc/passwd' parse='text'/>"
        "<xi:include href='http://198.18.0.1/remote.xml'/></r>");
    std::string error;
    auto message = wsd::soap::parse(doc, &error);
    ck_assert_msg(message.has_value(), "error: %s", error.c_str());
    wsd::xml::Node r = message->payload;
    ck_assert(r.localName() == "r");
    ck_assert_uint_eq(r.children("http://www.w3.org/2001/XInclude", "include").size(), 2);
    ck_assert(r.text().empty());
    ck_assert_int_eq(spy.attempts(), 0);
}
END_TEST

START_TEST(oversize_documents_refused)
{
    std::string error;
    // One byte over the XML bound, well-formed otherwise.
    std::string big = soapWith("", "<r>" + std::string(wsd::xml::MaxDocumentSize, ' ') + "</r>");
    ck_assert(!wsd::soap::parse(big, &error));
    ck_assert_msg(error.find("limit") != std::string::npos, "error: %s", error.c_str());

    // A discovery datagram one byte over its own (smaller) bound.
    std::string hello = wsd::discovery::buildHello(wsd::discovery::Version::V2005,
                                                   {"urn:uuid:1", {wsd::discovery::scanDeviceType()}, {},
                                                    {"http://198.18.0.2/wsd"}, 1},
                                                   {}, "urn:uuid:2");
    ck_assert(wsd::discovery::parse(hello).has_value());
    std::string padded = hello + std::string(wsd::discovery::MaxMessageSize + 1 - hello.size(), ' ');
    ck_assert_uint_eq(padded.size(), wsd::discovery::MaxMessageSize + 1);
    ck_assert(!wsd::discovery::parse(padded, &error));
    ck_assert(!error.empty());
}
END_TEST

// The largest datagram UDP can carry, sent over loopback to a discovery
// socket, arrives bounded by MaxMessageSize (+1 to tell a truncation).
START_TEST(largest_datagram_bounded)
{
    std::string error;
    auto receiver = wsd::discovery::UdpSocket::open(AF_INET, 0, false, &error);
    ck_assert_msg(receiver.has_value(), "%s", error.c_str());
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    ck_assert_int_eq(getsockname(receiver->fd(), reinterpret_cast<sockaddr *>(&bound), &length), 0);
    auto sender = wsd::discovery::UdpSocket::open(AF_INET, 0, false, &error);
    ck_assert(sender.has_value());
    auto to = wsd::discovery::SocketAddress::parse("127.0.0.1", ntohs(bound.sin_port));
    ck_assert(to.has_value());

    const std::size_t largestUdpPayload = 65507;  // 65535 - IPv4 and UDP headers
    ck_assert(sender->sendTo(std::string(largestUdpPayload, '<'), *to));
    pollfd p{receiver->fd(), POLLIN, 0};
    ck_assert_int_eq(poll(&p, 1, 5000), 1);
    auto datagram = receiver->receive();
    ck_assert(datagram.has_value());
    ck_assert_uint_le(datagram->data.size(), wsd::discovery::MaxMessageSize + 1);
    ck_assert(!wsd::discovery::parse(datagram->data, &error));
}
END_TEST

namespace {

// A one-connection HTTP server on loopback that answers any request with
// `bodyBytes` bytes, with or without a Content-Length.
class OversizeServer {
public:
    OversizeServer(std::size_t bodyBytes, bool contentLength) : bodyBytes_(bodyBytes), contentLength_(contentLength)
    {
        listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof a;
        if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
            listen(listener_, 1) != 0 || getsockname(listener_, reinterpret_cast<sockaddr *>(&a), &length) != 0)
            ck_abort_msg("loopback listener: %s", std::strerror(errno));
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~OversizeServer()
    {
        shutdown(listener_, SHUT_RDWR);
        thread_.join();
        close(listener_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/wsd/scan"; }
    std::size_t bytesSent() const { return sent_; }

private:
    void serve()
    {
        int fd = accept(listener_, nullptr, nullptr);
        if (fd < 0)
            return;
        // Read the whole request (header block, then Content-Length bytes)
        // so that the client is waiting for the answer when it comes.
        std::string request;
        char buffer[4096];
        std::size_t headerEnd = std::string::npos, total = std::string::npos;
        while (total == std::string::npos || request.size() < total) {
            ssize_t n = recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0)
                break;
            request.append(buffer, static_cast<std::size_t>(n));
            if (headerEnd == std::string::npos && (headerEnd = request.find("\r\n\r\n")) != std::string::npos) {
                std::size_t at = request.find("Content-Length:");
                std::size_t bodyLength = at < headerEnd ? std::stoul(request.substr(at + 15)) : 0;
                total = headerEnd + 4 + bodyLength;
            }
        }
        std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n";
        head += contentLength_ ? "Content-Length: " + std::to_string(bodyBytes_) + "\r\n" : "Connection: close\r\n";
        head += "\r\n";
        send(fd, head.data(), head.size(), MSG_NOSIGNAL);
        std::string chunk(64 * 1024, ' ');
        while (sent_ < bodyBytes_) {
            std::size_t n = std::min(chunk.size(), bodyBytes_ - sent_);
            ssize_t w = send(fd, chunk.data(), n, MSG_NOSIGNAL);
            if (w <= 0)
                break;  // the client hung up: what we want to see
            sent_ += static_cast<std::size_t>(w);
        }
        close(fd);
    }

    std::size_t bodyBytes_;
    bool contentLength_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> sent_{0};
    std::thread thread_;
};

}  // namespace

START_TEST(oversize_http_body_refused)
{
    for (bool contentLength : {true, false}) {
        wsd::http::Options options;
        options.maxBodyBytes = 256 * 1024;
        options.timeoutMs = 20000;
        const std::size_t offered = 64 * 1024 * 1024;
        OversizeServer server(offered, contentLength);
        wsd::http::Response r = wsd::http::post({server.url(), "<s:Envelope/>"}, options);
        ck_assert_msg(!r.transportOk(), "a %zu-byte body was accepted", r.body.size());
        ck_assert_msg(r.error.find("exceeds") != std::string::npos, "error: %s", r.error.c_str());
        ck_assert_uint_eq(r.body.size(), 0);
    }
}
END_TEST

Suite *hardeningSuite()
{
    Suite *s = suite_create("hardening");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, billion_laughs_refused);
    tcase_add_test(tc, xxe_file_and_network_refused);
    tcase_add_test(tc, external_dtd_refused);
    tcase_add_test(tc, no_network_for_xinclude_and_schema_location);
    tcase_add_test(tc, oversize_documents_refused);
    tcase_add_test(tc, largest_datagram_bounded);
    tcase_add_test(tc, oversize_http_body_refused);
    suite_add_tcase(s, tc);
    return s;
}
