#include "wsd/discovery_message.h"

#include "wsd/namespaces.h"
#include "wsd/soap.h"
#include "wsd/strings.h"
#include "wsd/url.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <map>

namespace wsd::discovery {

namespace {

constexpr const char *AnonymousW3C = "http://www.w3.org/2005/08/addressing/anonymous";

// What differs between the two WS-Discovery versions on the wire: 2009/01
// travels with W3C WS-Addressing, 2005/04 with the 2004/08 submission.
struct Flavour {
    const char *discovery;
    const char *addressing;
    const char *multicastTo;
    const char *anonymous;
};

Flavour flavour(Version v)
{
    if (v == Version::V2009)
        return {ns::Discovery2009, ns::AddressingW3C, ns::Discovery2009MulticastTo, AnonymousW3C};
    return {ns::Discovery, ns::Addressing, ns::DiscoveryMulticastTo, ns::AnonymousReply};
}

std::optional<unsigned long> parseUnsigned(const std::optional<std::string> &text)
{
    if (!text || text->empty() || !std::isdigit(static_cast<unsigned char>(text->front())))
        return std::nullopt;
    errno = 0;
    char *end = nullptr;
    unsigned long long v = std::strtoull(text->c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || v > 0xffffffffULL)
        return std::nullopt;
    return static_cast<unsigned long>(v);
}

bool kindFromName(std::string_view local, Kind &kind)
{
    static const std::pair<const char *, Kind> names[] = {
        {"Probe", Kind::Probe},     {"ProbeMatches", Kind::ProbeMatches}, {"Resolve", Kind::Resolve},
        {"ResolveMatches", Kind::ResolveMatches}, {"Hello", Kind::Hello}, {"Bye", Kind::Bye},
    };
    for (const auto &n : names)
        if (local == n.first) {
            kind = n.second;
            return true;
        }
    return false;
}

std::string endpointAddress(const xml::Node &parent)
{
    xml::Node epr = parent.child({ns::Addressing, ns::AddressingW3C}, "EndpointReference");
    return epr.child({ns::Addressing, ns::AddressingW3C}, "Address").text();
}

// Reads one endpoint description; false when it has no usable address.
bool readEndpoint(const xml::Node &node, const char *discoveryNs, Endpoint &out)
{
    out.address = endpointAddress(node);
    if (out.address.empty() || out.address.size() > MaxUrlLength)
        return false;
    for (char c : out.address)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return false;
    if (xml::Node types = node.child(discoveryNs, "Types")) {
        out.types = types.resolveQNameList(types.text());
        if (out.types.size() > MaxTypesPerEndpoint)
            out.types.resize(MaxTypesPerEndpoint);
    }
    if (xml::Node scopes = node.child(discoveryNs, "Scopes")) {
        const std::string text = scopes.text();
        for (std::string_view scope : splitWhitespace(text, MaxTypesPerEndpoint))
            out.scopes.emplace_back(scope);
    }
    if (xml::Node xaddrs = node.child(discoveryNs, "XAddrs")) {
        const std::string text = xaddrs.text();
        for (std::string_view url : splitWhitespace(text, MaxXAddrsPerEndpoint))
            if (isHttpUrl(url))
                out.xaddrs.emplace_back(url);
    }
    if (xml::Node version = node.child(discoveryNs, "MetadataVersion"))
        out.metadataVersion = parseUnsigned(version.text()).value_or(0);
    return true;
}

// Gives every namespace of the Types a prefix, conventional ones where known.
std::map<std::string, std::string> typePrefixes(const std::vector<xml::QName> &types)
{
    static const std::pair<const char *, const char *> known[] = {
        {ns::Dpws, "wsdp"}, {ns::Dpws2009, "dpws"}, {ns::Scan, "wscn"}, {ns::Print, "wprt"},
    };
    std::map<std::string, std::string> prefixes;
    int next = 0;
    for (const xml::QName &t : types) {
        if (t.ns.empty() || prefixes.count(t.ns))
            continue;
        std::string prefix;
        for (const auto &k : known)
            if (t.ns == k.first)
                prefix = k.second;
        if (prefix.empty())
            prefix = "t" + std::to_string(next++);
        prefixes[t.ns] = prefix;
    }
    return prefixes;
}

std::string typesText(const std::vector<xml::QName> &types, const std::map<std::string, std::string> &prefixes)
{
    std::string out;
    for (const xml::QName &t : types) {
        if (!out.empty())
            out += ' ';
        auto p = prefixes.find(t.ns);
        out += p == prefixes.end() ? t.local : p->second + ":" + t.local;
    }
    return out;
}

struct Header {
    std::string to;
    std::string action;  // local part, appended to the discovery namespace
    std::string messageId;
    std::string relatesTo;
    const AppSequence *sequence = nullptr;
};

// Discovery envelopes are written here rather than with soap::buildEnvelope
// because the 2009/01 version needs W3C WS-Addressing.
std::string envelope(Version version, const Header &h, const std::vector<xml::QName> &types,
                     const std::function<void(xml::Writer &, const std::string &typesValue)> &body)
{
    Flavour f = flavour(version);
    auto prefixes = typePrefixes(types);
    xml::Writer w;
    w.start("soap", "Envelope").declare("soap", ns::Soap).declare("wsa", f.addressing).declare("wsd", f.discovery);
    for (const auto &p : prefixes)
        w.declare(p.second.c_str(), p.first.c_str());
    w.start("soap", "Header");
    w.element("wsa", "To", h.to);
    w.element("wsa", "Action", std::string(f.discovery) + "/" + h.action);
    w.element("wsa", "MessageID", h.messageId);
    if (!h.relatesTo.empty())
        w.element("wsa", "RelatesTo", h.relatesTo);
    if (h.sequence && h.sequence->present) {
        w.start("wsd", "AppSequence").attr("InstanceId", std::to_string(h.sequence->instanceId));
        if (!h.sequence->sequenceId.empty())
            w.attr("SequenceId", h.sequence->sequenceId);
        w.attr("MessageNumber", std::to_string(h.sequence->messageNumber)).end();
    }
    w.end();
    w.start("soap", "Body");
    body(w, typesText(types, prefixes));
    w.end();
    w.end();
    return w.finish();
}

void writeEndpointReference(xml::Writer &w, const std::string &address)
{
    w.start("wsa", "EndpointReference").element("wsa", "Address", address).end();
}

void writeEndpoint(xml::Writer &w, const Endpoint &e, const std::string &typesValue)
{
    writeEndpointReference(w, e.address);
    if (!typesValue.empty())
        w.element("wsd", "Types", typesValue);
    if (!e.scopes.empty()) {
        std::string scopes;
        for (const std::string &s : e.scopes)
            scopes += (scopes.empty() ? "" : " ") + s;
        w.element("wsd", "Scopes", scopes);
    }
    if (!e.xaddrs.empty()) {
        std::string xaddrs;
        for (const std::string &x : e.xaddrs)
            xaddrs += (xaddrs.empty() ? "" : " ") + x;
        w.element("wsd", "XAddrs", xaddrs);
    }
    w.element("wsd", "MetadataVersion", std::to_string(e.metadataVersion));
}

// ProbeMatches or ResolveMatches with one record per endpoint; the Types of
// all records share the envelope's prefix declarations.
std::string matches(Version version, const char *action, const char *container, const char *item,
                    const std::string &relatesTo, const std::vector<Endpoint> &endpoints,
                    const AppSequence &sequence, const std::string &messageId)
{
    Header h{flavour(version).anonymous, action, messageId, relatesTo, &sequence};
    std::vector<xml::QName> allTypes;
    for (const Endpoint &e : endpoints)
        allTypes.insert(allTypes.end(), e.types.begin(), e.types.end());
    const auto prefixes = typePrefixes(allTypes);
    return envelope(version, h, allTypes, [&](xml::Writer &w, const std::string &) {
        w.start("wsd", container);
        for (const Endpoint &e : endpoints) {
            w.start("wsd", item);
            writeEndpoint(w, e, typesText(e.types, prefixes));
            w.end();
        }
        w.end();
    });
}

}  // namespace

const char *kindName(Kind kind)
{
    switch (kind) {
    case Kind::Probe: return "Probe";
    case Kind::ProbeMatches: return "ProbeMatches";
    case Kind::Resolve: return "Resolve";
    case Kind::ResolveMatches: return "ResolveMatches";
    case Kind::Hello: return "Hello";
    case Kind::Bye: return "Bye";
    }
    return "?";
}

xml::QName scanDeviceType() { return {ns::Scan, "ScanDeviceType"}; }
xml::QName dpwsDeviceType() { return {ns::Dpws, "Device"}; }

bool hasType(const std::vector<xml::QName> &types, const xml::QName &type)
{
    for (const xml::QName &t : types)
        if (t == type)
            return true;
    return false;
}

bool typesMatch(const std::vector<xml::QName> &probed, const std::vector<xml::QName> &offered)
{
    for (const xml::QName &t : probed)
        if (!hasType(offered, t))
            return false;
    return true;
}

bool isHttpUrl(std::string_view text)
{
    if (text.size() > MaxUrlLength)
        return false;
    for (char c : text)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return false;
    return url::parse(std::string(text)).has_value();
}

std::optional<Message> parse(std::string_view bytes, std::string *error)
{
    if (bytes.size() > MaxMessageSize) {
        if (error)
            *error = "discovery message of " + std::to_string(bytes.size()) + " bytes exceeds the limit";
        return std::nullopt;
    }
    auto soapMessage = soap::parse(bytes, error);
    if (!soapMessage)
        return std::nullopt;
    const xml::Node payload = soapMessage->payload;
    Message m;
    const char *discoveryNs;
    if (payload.nsUri() == ns::Discovery) {
        m.version = Version::V2005;
        discoveryNs = ns::Discovery;
    } else if (payload.nsUri() == ns::Discovery2009) {
        m.version = Version::V2009;
        discoveryNs = ns::Discovery2009;
    } else {
        if (error)
            *error = "not a WS-Discovery message";
        return std::nullopt;
    }
    if (!kindFromName(payload.localName(), m.kind)) {
        if (error)
            *error = "unknown WS-Discovery element " + std::string(payload.localName());
        return std::nullopt;
    }
    m.messageId = soapMessage->messageId;
    m.relatesTo = soapMessage->relatesTo;
    if (xml::Node seq = soapMessage->header.child(discoveryNs, "AppSequence")) {
        auto instance = parseUnsigned(seq.attr("InstanceId"));
        auto number = parseUnsigned(seq.attr("MessageNumber"));
        if (instance && number) {
            m.appSequence.present = true;
            m.appSequence.instanceId = *instance;
            m.appSequence.messageNumber = *number;
            m.appSequence.sequenceId = seq.attr("SequenceId").value_or("");
        }
    }

    switch (m.kind) {
    case Kind::Probe:
        if (xml::Node types = payload.child(discoveryNs, "Types")) {
            m.probeTypes = types.resolveQNameList(types.text());
            if (m.probeTypes.size() > MaxTypesPerEndpoint)
                m.probeTypes.resize(MaxTypesPerEndpoint);
        }
        break;
    case Kind::ProbeMatches:
    case Kind::ResolveMatches: {
        const char *item = m.kind == Kind::ProbeMatches ? "ProbeMatch" : "ResolveMatch";
        for (const xml::Node &match : payload.children(discoveryNs, item)) {
            if (m.endpoints.size() == MaxEndpointsPerMessage)
                break;
            Endpoint e;
            if (readEndpoint(match, discoveryNs, e))
                m.endpoints.push_back(std::move(e));
        }
        break;
    }
    case Kind::Resolve:
    case Kind::Hello:
    case Kind::Bye: {
        Endpoint e;
        if (!readEndpoint(payload, discoveryNs, e)) {
            if (error)
                *error = std::string(kindName(m.kind)) + " without a usable endpoint address";
            return std::nullopt;
        }
        m.endpoints.push_back(std::move(e));
        break;
    }
    }
    return m;
}

std::string buildProbe(Version version, const std::vector<xml::QName> &types, const std::string &messageId)
{
    Header h{flavour(version).multicastTo, "Probe", messageId, "", nullptr};
    return envelope(version, h, types, [&](xml::Writer &w, const std::string &typesValue) {
        w.start("wsd", "Probe");
        if (!typesValue.empty())
            w.element("wsd", "Types", typesValue);
        w.end();
    });
}

std::string buildResolve(Version version, const std::string &endpointAddress, const std::string &messageId)
{
    Header h{flavour(version).multicastTo, "Resolve", messageId, "", nullptr};
    return envelope(version, h, {}, [&](xml::Writer &w, const std::string &) {
        w.start("wsd", "Resolve");
        writeEndpointReference(w, endpointAddress);
        w.end();
    });
}

std::string buildProbeMatches(Version version, const std::string &relatesTo, const Endpoint &endpoint,
                              const AppSequence &sequence, const std::string &messageId)
{
    return buildProbeMatches(version, relatesTo, std::vector<Endpoint>{endpoint}, sequence, messageId);
}

std::string buildProbeMatches(Version version, const std::string &relatesTo, const std::vector<Endpoint> &endpoints,
                              const AppSequence &sequence, const std::string &messageId)
{
    return matches(version, "ProbeMatches", "ProbeMatches", "ProbeMatch", relatesTo, endpoints, sequence, messageId);
}

std::string buildResolveMatches(Version version, const std::string &relatesTo, const Endpoint &endpoint,
                                const AppSequence &sequence, const std::string &messageId)
{
    return matches(version, "ResolveMatches", "ResolveMatches", "ResolveMatch", relatesTo, {endpoint}, sequence,
                   messageId);
}

std::string buildHello(Version version, const Endpoint &endpoint, const AppSequence &sequence,
                       const std::string &messageId)
{
    Header h{flavour(version).multicastTo, "Hello", messageId, "", &sequence};
    return envelope(version, h, endpoint.types, [&](xml::Writer &w, const std::string &typesValue) {
        w.start("wsd", "Hello");
        writeEndpoint(w, endpoint, typesValue);
        w.end();
    });
}

std::string buildBye(Version version, const std::string &endpointAddress, const AppSequence &sequence,
                     const std::string &messageId)
{
    Header h{flavour(version).multicastTo, "Bye", messageId, "", &sequence};
    return envelope(version, h, {}, [&](xml::Writer &w, const std::string &) {
        w.start("wsd", "Bye");
        writeEndpointReference(w, endpointAddress);
        w.end();
    });
}

}  // namespace wsd::discovery
