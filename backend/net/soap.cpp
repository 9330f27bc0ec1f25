#include "wsd/soap.h"

#include "wsd/namespaces.h"
#include "wsd/url.h"

#include <cstdio>
#include <random>

namespace wsd::soap {

std::string newUuid()
{
    // A random UUID (RFC 4122 section 4.4, version 4) from the system's
    // generator, as libuuid's uuid_generate_random made it; without libuuid
    // the process maps one library less.
    std::random_device random;
    unsigned char id[16];
    for (std::size_t i = 0; i < sizeof id; i += 4) {
        const std::uint32_t word = random();
        for (std::size_t j = 0; j < 4; ++j)
            id[i + j] = static_cast<unsigned char>(word >> (8 * j));
    }
    id[6] = (id[6] & 0x0f) | 0x40;  // version 4
    id[8] = (id[8] & 0x3f) | 0x80;  // the RFC 4122 variant
    char text[37];
    std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", id[0],
                  id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11], id[12], id[13],
                  id[14], id[15]);
    return text;
}

std::string newMessageId() { return "urn:uuid:" + newUuid(); }

std::string buildEnvelope(const Addressing &addressing, const std::vector<Namespace> &extraNamespaces,
                          const std::function<void(xml::Writer &)> &body,
                          const std::function<void(xml::Writer &)> &header)
{
    xml::Writer w;
    w.start("soap", "Envelope").declare("soap", ns::Soap).declare("wsa", ns::Addressing);
    for (const Namespace &n : extraNamespaces)
        w.declare(n.prefix, n.uri);
    w.start("soap", "Header");
    // A URL reached over IPv6 link-local carries the client's zone; the
    // device never knows it and some (HP LaserJet M125) refuse such a To.
    w.element("wsa", "To", url::withoutZone(addressing.to));
    w.element("wsa", "Action", addressing.action);
    w.element("wsa", "MessageID", addressing.messageId.empty() ? newMessageId() : addressing.messageId);
    if (!addressing.relatesTo.empty())
        w.element("wsa", "RelatesTo", addressing.relatesTo);
    if (addressing.replyToAnonymous)
        w.start("wsa", "ReplyTo").element("wsa", "Address", ns::AnonymousReply).end();
    if (header)
        header(w);
    w.end();
    w.start("soap", "Body");
    if (body)
        body(w);
    w.end();
    w.end();
    return w.finish();
}

std::string buildFault(const Addressing &addressing, const Fault &fault)
{
    Addressing a = addressing;
    if (a.action.empty())
        a.action = ns::FaultAction;
    return buildEnvelope(a, {{"wscn", ns::Scan}}, [&](xml::Writer &w) {
        w.start("soap", "Fault");
        w.start("soap", "Code").element("soap", "Value", "soap:" + fault.code);
        if (!fault.subcode.empty())
            w.start("soap", "Subcode").element("soap", "Value", "wscn:" + fault.subcode).end();
        w.end();
        w.start("soap", "Reason").start("soap", "Text").attr("xml:lang", "en").text(fault.reason).end().end();
        if (!fault.detail.empty())
            w.element("soap", "Detail", fault.detail);
        w.end();
    });
}

namespace {

std::string addressingText(const xml::Node &header, const char *local)
{
    return header.child({ns::Addressing, ns::AddressingW3C}, local).text();
}

Fault readFault(const xml::Node &faultNode)
{
    Fault f;
    xml::Node code = faultNode.child(ns::Soap, "Code");
    f.code = code.resolveQName(code.child(ns::Soap, "Value").text()).local;
    // Subcodes nest; the innermost one is the most specific.
    for (xml::Node sub = code.child(ns::Soap, "Subcode"); sub; sub = sub.child(ns::Soap, "Subcode")) {
        xml::Node value = sub.child(ns::Soap, "Value");
        if (value)
            f.subcode = value.resolveQName(value.text()).local;
    }
    f.reason = faultNode.path(ns::Soap, {"Reason", "Text"}).text();
    f.detail = faultNode.child(ns::Soap, "Detail").text();
    return f;
}

}  // namespace

std::optional<Message> parse(std::string_view bytes, std::string *error)
{
    Message m;
    m.doc = xml::Document::parse(bytes, error);
    if (!m.doc)
        return std::nullopt;
    xml::Node envelope = m.doc.root();
    if (!envelope.is(ns::Soap, "Envelope")) {
        if (error)
            *error = "root element is not a SOAP 1.2 Envelope";
        return std::nullopt;
    }
    m.header = envelope.child(ns::Soap, "Header");
    m.body = envelope.child(ns::Soap, "Body");
    if (!m.body) {
        if (error)
            *error = "SOAP envelope without Body";
        return std::nullopt;
    }
    m.payload = m.body.firstElement();
    m.action = addressingText(m.header, "Action");
    m.messageId = addressingText(m.header, "MessageID");
    m.relatesTo = addressingText(m.header, "RelatesTo");
    m.to = addressingText(m.header, "To");
    if (m.payload.is(ns::Soap, "Fault"))
        m.fault = readFault(m.payload);
    return m;
}

}  // namespace wsd::soap
