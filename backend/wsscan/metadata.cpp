#include "wsd/metadata.h"

#include "wsd/discovery_message.h"
#include "wsd/namespaces.h"

#include <algorithm>

namespace wsd {

namespace {

// Bounds on what an untrusted GetResponse can make us keep.
constexpr std::size_t MaxHosted = 32;
constexpr std::size_t MaxAddressesPerService = 16;
constexpr std::size_t MaxTypesPerService = 64;
constexpr std::size_t MaxTextLength = 512;

std::string bounded(std::string text)
{
    if (text.size() > MaxTextLength)
        text.resize(MaxTextLength);
    return text;
}

// Manufacturer, ModelName and FriendlyName may repeat in several languages:
// take an English one when there is one, else the first.
std::string localized(const xml::Node &parent, const char *local)
{
    std::vector<xml::Node> all = parent.children(parent.nsUri().data(), local);
    if (all.empty())
        return std::string();
    for (const xml::Node &n : all) {
        std::string lang = n.attr("lang").value_or("");
        if (lang == "en" || lang.rfind("en-", 0) == 0)
            return bounded(n.text());
    }
    return bounded(all.front().text());
}

std::string plain(const xml::Node &parent, const char *local)
{
    return bounded(parent.child(std::string(parent.nsUri()).c_str(), local).text());
}

DeviceMetadata::Hosted readService(const xml::Node &service)
{
    const std::string dpwsNs(service.nsUri());
    DeviceMetadata::Hosted out;
    for (const xml::Node &epr : service.elements()) {
        if (!epr.isAny({ns::Addressing, ns::AddressingW3C}, "EndpointReference"))
            continue;
        if (out.addresses.size() == MaxAddressesPerService)
            break;
        std::string address = epr.child({ns::Addressing, ns::AddressingW3C}, "Address").text();
        if (!address.empty() && address.size() <= discovery::MaxUrlLength)
            out.addresses.push_back(std::move(address));
    }
    if (xml::Node types = service.child(dpwsNs.c_str(), "Types")) {
        out.types = types.resolveQNameList(types.text());
        if (out.types.size() > MaxTypesPerService)
            out.types.resize(MaxTypesPerService);
    }
    out.serviceId = bounded(service.child(dpwsNs.c_str(), "ServiceId").text());
    return out;
}

void readThisModel(const xml::Node &model, DeviceMetadata &out)
{
    out.manufacturer = localized(model, "Manufacturer");
    out.model = localized(model, "ModelName");
    out.modelNumber = plain(model, "ModelNumber");
    out.presentationUrl = plain(model, "PresentationUrl");
}

void readThisDevice(const xml::Node &device, DeviceMetadata &out)
{
    out.friendlyName = localized(device, "FriendlyName");
    out.firmwareVersion = plain(device, "FirmwareVersion");
    out.serialNumber = plain(device, "SerialNumber");
}

void readRelationship(const xml::Node &relationship, DeviceMetadata &out)
{
    for (const xml::Node &n : relationship.elements()) {
        if (n.isAny({ns::Dpws, ns::Dpws2009}, "Host"))
            out.host = readService(n);
        else if (n.isAny({ns::Dpws, ns::Dpws2009}, "Hosted") && out.hosted.size() < MaxHosted)
            out.hosted.push_back(readService(n));
    }
}

}  // namespace

std::vector<std::string> DeviceMetadata::scanServiceUrls() const
{
    const xml::QName scanner{ns::Scan, "ScannerServiceType"};
    const xml::QName scannerPrerelease{ns::ScanPrerelease, "ScannerServiceType"};
    std::vector<std::string> urls;
    for (const Hosted &h : hosted) {
        if (!discovery::hasType(h.types, scanner) && !discovery::hasType(h.types, scannerPrerelease))
            continue;
        for (const std::string &a : h.addresses)
            if (discovery::isHttpUrl(a) && std::find(urls.begin(), urls.end(), a) == urls.end())
                urls.push_back(a);
    }
    return urls;
}

std::string buildGetMetadataRequest(const std::string &deviceAddress, const std::string &url)
{
    soap::Addressing a;
    a.to = deviceAddress.empty() ? url : deviceAddress;
    a.action = ns::TransferGet;
    a.replyToAnonymous = true;
    return soap::buildEnvelope(a, {}, nullptr);
}

std::optional<DeviceMetadata> parseMetadata(const soap::Message &m, std::string *error)
{
    if (m.fault) {
        if (error)
            *error = "metadata request failed: " + m.fault->code + " " + m.fault->subcode + " " + m.fault->reason;
        return std::nullopt;
    }
    if (!m.payload.is(ns::Mex, "Metadata")) {
        if (error)
            *error = "GetResponse body is not wsx:Metadata";
        return std::nullopt;
    }
    DeviceMetadata out;
    // Sections are recognised by the element they hold rather than by the
    // Dialect attribute, whose URI differs between DPWS versions.
    for (const xml::Node &section : m.payload.children(ns::Mex, "MetadataSection")) {
        for (const xml::Node &n : section.elements()) {
            if (n.isAny({ns::Dpws, ns::Dpws2009}, "ThisModel"))
                readThisModel(n, out);
            else if (n.isAny({ns::Dpws, ns::Dpws2009}, "ThisDevice"))
                readThisDevice(n, out);
            else if (n.isAny({ns::Dpws, ns::Dpws2009}, "Relationship"))
                readRelationship(n, out);
        }
    }
    return out;
}

std::optional<DeviceMetadata> metadataFromResponse(const http::Response &r, std::string *error)
{
    if (!r.transportOk()) {
        *error = r.error;
        return std::nullopt;
    }
    auto message = soap::parse(r.body, error);
    return message ? parseMetadata(*message, error) : std::nullopt;
}

}  // namespace wsd
