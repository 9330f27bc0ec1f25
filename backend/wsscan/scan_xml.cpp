#include "wsd/scan_xml.h"

#include "wsd/namespaces.h"

#include <algorithm>

namespace wsd::scanxml {

bool isScanNamespace(std::string_view uri) { return uri == ns::Scan || uri == ns::ScanPrerelease; }

bool is(const xml::Node &node, const char *local) { return node.isAny({ns::Scan, ns::ScanPrerelease}, local); }

xml::Node child(const xml::Node &node, const char *local)
{
    return node.child({ns::Scan, ns::ScanPrerelease}, local);
}

xml::Node path(const xml::Node &node, std::initializer_list<const char *> locals)
{
    xml::Node n = node;
    for (const char *local : locals) {
        n = child(n, local);
        if (!n)
            break;
    }
    return n;
}

std::vector<xml::Node> children(const xml::Node &node, const char *local)
{
    std::vector<xml::Node> out;
    for (const xml::Node &c : node.elements()) {
        if (out.size() >= MaxItems)
            break;
        if (is(c, local))
            out.push_back(c);
    }
    return out;
}

std::string text(const xml::Node &node, const char *local)
{
    std::string t = child(node, local).text();
    if (t.size() > MaxText)
        t.resize(MaxText);
    return t;
}

std::optional<int> integer(const xml::Node &node, const char *local, long min, long max)
{
    xml::Node c = child(node, local);
    if (!c)
        return std::nullopt;
    std::optional<long> v = xml::parseInt(c.text(), min, max);
    if (!v)
        return std::nullopt;
    return static_cast<int>(*v);
}

std::optional<bool> boolean(const xml::Node &node, const char *local)
{
    xml::Node c = child(node, local);
    if (!c)
        return std::nullopt;
    return xml::parseBool(c.text());
}

std::vector<std::string> keywords(const xml::Node &node, const char *local)
{
    std::vector<std::string> out;
    for (const xml::Node &c : children(node, local)) {
        std::string t = c.text();
        if (t.empty() || t.size() > MaxText)
            continue;
        if (std::find(out.begin(), out.end(), t) == out.end())
            out.push_back(std::move(t));
    }
    return out;
}

xml::Node responsePayload(const soap::Message &message, const char *local, std::string *error)
{
    if (message.fault) {
        if (error)
            *error = "SOAP fault " + describeFault(*message.fault);
        return xml::Node();
    }
    if (!is(message.payload, local)) {
        if (error) {
            *error = std::string("expected WS-Scan ") + local + ", got ";
            *error += message.payload ? "{" + std::string(message.payload.nsUri()) + "}" +
                                            std::string(message.payload.localName())
                                      : std::string("an empty Body");
        }
        return xml::Node();
    }
    return message.payload;
}

std::string describeFault(const soap::Fault &fault)
{
    std::string out = fault.subcode.empty() ? fault.code : fault.subcode;
    if (!fault.subcode.empty() && !fault.code.empty())
        out += " (" + fault.code + ")";
    if (!fault.reason.empty())
        out += ": " + fault.reason;
    return out;
}

}  // namespace wsd::scanxml
