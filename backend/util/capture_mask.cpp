#include "wsd/capture_mask.h"

#include "wsd/strings.h"
#include "wsd/xml.h"

#include <libxml/tree.h>

#include <algorithm>
#include <cctype>
#include <regex>

namespace wsd {

namespace {

// Placeholders from the documentation ranges (RFC 5737, RFC 3849) and the
// reserved .invalid domain (RFC 2606), so none can be a real peer.
std::string ipv4Placeholder(std::size_t n)
{
    return (n <= 254 ? "192.0.2." : "198.51.100.") + std::to_string(n <= 254 ? n : n % 254 + 1);
}
std::string ipv6Placeholder(std::size_t n) { return "2001:db8::" + std::to_string(n); }
std::string namePlaceholder(std::size_t n) { return "host-" + std::to_string(n) + ".invalid"; }
std::string uuidPlaceholder(std::size_t n)
{
    std::string tail = std::to_string(n);
    return "00000000-0000-4000-8000-" + std::string(12 - std::min<std::size_t>(tail.size(), 12), '0') + tail;
}
// Hosts of the specifications' URIs (actions, relationship and service
// types), which identify no one; more come from the namespaces a message
// declares.
const char *const specificationHosts[] = {"schemas.xmlsoap.org", "schemas.microsoft.com", "www.w3.org",
                                          "schemas.dmtf.org", "docs.oasis-open.org", "www.ws-i.org"};

std::string macPlaceholder(std::size_t n) { return "MASKED-MAC-" + std::to_string(n); }
std::string serialPlaceholder(std::size_t n) { return "MASKED-SERIAL-" + std::to_string(n); }

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// One pass over a text: the first alternative that matches at a position
// wins, so a UUID is never also read as a MAC address by its last group,
// and a placeholder, once written, is not masked again. Every repetition is
// bounded: libstdc++ matches recursively, and a device's text can be long.
const std::regex &identifierPattern()
{
    static const std::regex pattern(
        "([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})"  // 1 uuid
        "|([A-Za-z][A-Za-z0-9+.-]{0,31}://)"                                             // 2 scheme
        "(\\[[0-9A-Fa-f:.%A-Za-z]{0,64}\\]|[^/:?#\\s\\[\\]@]{1,253})"                     // 3 host
        "|\\b([0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{12})\\b"  // 4 MAC
        "|\\b((?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3})\\b"  // 5 IPv4
        "|((?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?"  // 6 IPv6
        "|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7})");
    return pattern;
}

bool isIpv4(const std::string &host)
{
    static const std::regex v4("(?:[0-9]{1,3}\\.){3}[0-9]{1,3}");
    return std::regex_match(host, v4);
}

// The host of a namespace URI: "http://host/path" -> "host".
std::string uriHost(const std::string &uri)
{
    std::size_t start = uri.find("://");
    if (start == std::string::npos)
        return {};
    start += 3;
    return lower(uri.substr(start, uri.find_first_of("/:?#", start) - start));
}

std::string elementName(xmlNodePtr element)
{
    return element && element->type == XML_ELEMENT_NODE && element->name
               ? lower(reinterpret_cast<const char *>(element->name))
               : std::string();
}

bool isSerialElement(xmlNodePtr element) { return elementName(element).find("serialnumber") != std::string::npos; }

// DPWS ThisModel's ManufacturerUrl and ModelUrl name the maker's web site,
// the same for every unit of the model.
bool isModelUrlElement(xmlNodePtr element)
{
    std::string name = elementName(element);
    return name == "manufacturerurl" || name == "modelurl";
}

}  // namespace

CaptureMasker::CaptureMasker() : publicHosts_(std::begin(specificationHosts), std::end(specificationHosts)) {}

std::string CaptureMasker::Placeholders::take(const std::string &value, std::string (*make)(std::size_t))
{
    auto found = byValue.find(value);
    if (found != byValue.end())
        return found->second;
    return byValue.emplace(value, make(byValue.size() + 1)).first->second;
}

void CaptureMasker::setEndpointUuid(const std::string &uuid)
{
    std::string bare = lower(uuid.rfind("urn:uuid:", 0) == 0 ? uuid.substr(9) : uuid);
    if (!bare.empty() && uuids_.byValue.empty())
        uuids_.byValue.emplace(bare, uuidPlaceholder(1));
}

std::string CaptureMasker::hostPlaceholder(const std::string &host)
{
    std::string key = lower(host);
    if (!key.empty() && key.front() == '[')
        return "[" + ipv6_.take(key.substr(1, key.size() - 2), ipv6Placeholder) + "]";
    if (isIpv4(key))
        return ipv4_.take(key, ipv4Placeholder);
    if (key.find(':') != std::string::npos)
        return ipv6_.take(key, ipv6Placeholder);
    return names_.take(key, namePlaceholder);
}

// Host names and serial numbers found so far, wherever they stand alone:
// a device's friendly name often carries its host name or serial number.
std::string CaptureMasker::replaceKnown(std::string text) const
{
    for (const Placeholders *kind : {&names_, &serials_})
        for (const auto &[value, placeholder] : kind->byValue) {
            if (value.size() < 4)  // a short value would mask ordinary words
                continue;
            for (std::size_t at = 0; (at = lower(text).find(value, at)) != std::string::npos;) {
                text.replace(at, value.size(), placeholder);
                at += placeholder.size();
            }
        }
    return text;
}

std::string CaptureMasker::maskText(std::string_view text)
{
    std::string in(text), out;
    auto last = in.cbegin();
    for (std::sregex_iterator it(in.begin(), in.end(), identifierPattern()), end; it != end; ++it) {
        const std::smatch &m = *it;
        out.append(last, m[0].first);
        last = m[0].second;
        if (m[1].matched)
            out += uuids_.take(lower(m[1].str()), uuidPlaceholder);
        else if (m[2].matched)
            out += m[2].str() + (publicHosts_.count(lower(m[3].str())) ? m[3].str() : hostPlaceholder(m[3].str()));
        else if (m[4].matched)
            out += macs_.take(lower(m[4].str()), macPlaceholder);
        else if (m[5].matched)
            out += ipv4_.take(m[5].str(), ipv4Placeholder);
        else if (m[6].matched && m[6].length() > 2)
            out += ipv6_.take(lower(m[6].str()), ipv6Placeholder);
        else
            out += m[0].str();
    }
    out.append(last, in.cend());
    return replaceKnown(out);
}

std::optional<std::string> CaptureMasker::mask(std::string_view document, std::string *error)
{
    xml::Document doc = xml::Document::parse(document, error);
    if (!doc)
        return std::nullopt;
    // Every text in document order: element content, CDATA, comments and
    // attribute values.
    std::vector<xmlNodePtr> textNodes;
    for (xmlNodePtr node = xmlDocGetRootElement(doc.raw()); node;) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE || node->type == XML_COMMENT_NODE)
            textNodes.push_back(node);
        if (node->type == XML_ELEMENT_NODE) {
            for (xmlNsPtr ns = node->nsDef; ns; ns = ns->next)
                if (ns->href)
                    publicHosts_.insert(uriHost(reinterpret_cast<const char *>(ns->href)));
            for (xmlAttrPtr attr = node->properties; attr; attr = attr->next)
                for (xmlNodePtr value = attr->children; value; value = value->next)
                    textNodes.push_back(value);
        }
        if (node->type == XML_ELEMENT_NODE && node->children) {
            node = node->children;
            continue;
        }
        while (node && !node->next)
            node = node->parent && node->parent->type == XML_ELEMENT_NODE ? node->parent : nullptr;
        if (node)
            node = node->next;
    }
    // Serial numbers, model URLs and the hosts of every URL first, so that
    // one of them that also stands alone in an earlier text is masked there.
    for (xmlNodePtr node : textNodes) {
        if (!node->content)
            continue;
        std::string value(trim(reinterpret_cast<const char *>(node->content)));
        if (isModelUrlElement(node->parent))
            publicHosts_.insert(uriHost(value));
        if (isSerialElement(node->parent) && !value.empty())
            serials_.take(lower(value), serialPlaceholder);
    }
    for (xmlNodePtr node : textNodes)
        if (node->content)
            maskText(reinterpret_cast<const char *>(node->content));
    for (xmlNodePtr node : textNodes) {
        if (!node->content)
            continue;
        std::string value(trim(reinterpret_cast<const char *>(node->content)));
        std::string masked = isSerialElement(node->parent) && !value.empty()
                                 ? serials_.take(lower(value), serialPlaceholder)
                                 : maskText(reinterpret_cast<const char *>(node->content));
        xmlNodeSetContentLen(node, reinterpret_cast<const xmlChar *>(masked.data()), static_cast<int>(masked.size()));
    }
    std::string masked = xml::serialize(doc.root());
    if (masked.empty()) {
        if (error)
            *error = "cannot serialise the masked document";
        return std::nullopt;
    }
    return masked;
}

std::vector<std::string> CaptureMasker::summary() const
{
    std::vector<std::string> lines;
    auto add = [&](const Placeholders &kind, const char *what) {
        if (!kind.byValue.empty())
            lines.push_back(std::to_string(kind.byValue.size()) + " " + what);
    };
    add(ipv4_, "IPv4 address(es) -> 192.0.2.N");
    add(ipv6_, "IPv6 address(es) -> 2001:db8::N");
    add(names_, "host name(s) -> host-N.invalid");
    add(uuids_, "UUID(s) -> 00000000-0000-4000-8000-00000000000N (N=1: the device's endpoint)");
    add(macs_, "MAC-like value(s) -> MASKED-MAC-N");
    add(serials_, "serial number(s) -> MASKED-SERIAL-N");
    return lines;
}

}  // namespace wsd
