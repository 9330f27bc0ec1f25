#include "wsd/capabilities.h"

#include "wsd/log.h"
#include "wsd/namespaces.h"
#include "wsd/scan_job_messages.h"
#include "wsd/scan_xml.h"

#include <algorithm>
#include <string_view>

namespace wsd {

namespace {

namespace sx = scanxml;

// Nothing scans wider or longer than 100 inches; a larger value is garbage.
constexpr long MaxExtent = 100000;
constexpr long MaxResolution = 100000;
constexpr int DefaultResolution = 300;
// A region that holds both A4 and Letter, for a device that gives no maximum size.
constexpr Size DefaultMaxSize{8500, 11693};

std::optional<Size> readSize(const xml::Node &node)
{
    std::optional<int> w = sx::integer(node, "Width", 1, MaxExtent);
    std::optional<int> h = sx::integer(node, "Height", 1, MaxExtent);
    if (!w || !h)
        return std::nullopt;
    return Size{*w, *h};
}

// A landscape maximum is taken as transposed: a device's area is as long as
// a page or longer, and some firmware (Kyocera ECOSYS) sends Width and Height
// swapped, which would leave a portrait page unscannable at full length.
// A landscape minimum is turned with it. Not for film: a strip holder
// really is wider than long.
void portraitSizes(std::optional<Size> &min, std::optional<Size> &max, SourceCaps &caps, const char *what)
{
    if (!max || max->width <= max->height)
        return;
    std::swap(max->width, max->height);
    caps.maxTransposed = true;
    if (min && min->width > min->height) {
        std::swap(min->width, min->height);
        caps.minTransposed = true;
    }
    WSD_INFO("%s: maximum size sent landscape; using %dx%d (1/1000 inch)", what, max->width, max->height);
}

// Min > Max happens: some firmware swaps Width and Height in one of the two.
void checkSizes(SourceCaps &caps, std::optional<Size> min, std::optional<Size> max, const char *what)
{
    if (std::string_view(what) != "Film")
        portraitSizes(min, max, caps, what);
    Size mx = max.value_or(DefaultMaxSize);
    Size mn = min.value_or(Size{1, 1});
    if (mn.width > mx.width || mn.height > mx.height) {
        if (mn.width >= mx.width && mn.height >= mx.height) {
            std::swap(mn, mx);
        } else if (mn.width <= mx.height && mn.height <= mx.width) {
            std::swap(mx.width, mx.height);
        } else {
            mn.width = std::min(mn.width, mx.width);
            mn.height = std::min(mn.height, mx.height);
        }
        WSD_WARN("%s: minimum size larger than maximum size; using %dx%d .. %dx%d", what, mn.width,
                 mn.height, mx.width, mx.height);
    }
    caps.minSize = mn;
    caps.maxSize = mx;
}

std::vector<int> readResolutions(const xml::Node &list, const char *local)
{
    std::vector<int> out;
    for (const xml::Node &n : sx::children(list, local)) {
        std::optional<long> v = xml::parseInt(n.text(), 1, MaxResolution);
        if (v)
            out.push_back(static_cast<int>(*v));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// Reads one source whose children are named prefix + OpticalResolution,
// Resolutions, Color, MinimumSize, MaximumSize (Platen..., ADF..., Film...).
SourceCaps readSource(const xml::Node &node, const std::string &prefix)
{
    auto name = [&](const char *suffix) { return prefix + suffix; };
    SourceCaps caps;
    xml::Node optical = sx::child(node, name("OpticalResolution").c_str());
    caps.opticalX = sx::integer(optical, "Width", 1, MaxResolution).value_or(0);
    caps.opticalY = sx::integer(optical, "Height", 1, MaxResolution).value_or(caps.opticalX);

    xml::Node resolutions = sx::child(node, name("Resolutions").c_str());
    caps.xResolutions = readResolutions(sx::child(resolutions, "Widths"), "Width");
    caps.yResolutions = readResolutions(sx::child(resolutions, "Heights"), "Height");
    if (caps.xResolutions.empty())
        caps.xResolutions = caps.yResolutions;
    if (caps.xResolutions.empty())
        caps.xResolutions.push_back(caps.opticalX > 0 ? caps.opticalX : DefaultResolution);
    if (caps.yResolutions.empty())
        caps.yResolutions = caps.xResolutions;

    caps.colorEntries = sx::keywords(sx::child(node, name("Color").c_str()), "ColorEntry");
    if (caps.colorEntries.empty())
        caps.colorEntries.push_back(keyword(ColorMode::Color));  // what every WS-Scan device offers

    checkSizes(caps, readSize(sx::child(node, name("MinimumSize").c_str())),
               readSize(sx::child(node, name("MaximumSize").c_str())), prefix.c_str());
    return caps;
}

ScannerCapabilities readConfiguration(const xml::Node &config)
{
    ScannerCapabilities caps;
    xml::Node settings = sx::child(config, "DeviceSettings");
    caps.formats = sx::keywords(sx::child(settings, "FormatsSupported"), "FormatValue");
    caps.contentTypes = sx::keywords(sx::child(settings, "ContentTypesSupported"), "ContentTypeValue");
    xml::Node quality = sx::child(settings, "CompressionQualityFactorSupported");
    std::optional<int> qmin = sx::integer(quality, "MinValue", 0, 100);
    std::optional<int> qmax = sx::integer(quality, "MaxValue", 0, 100);
    if (qmin && qmax && *qmin <= *qmax) {
        caps.compressionMin = *qmin;
        caps.compressionMax = *qmax;
    }
    caps.documentSizeAutoDetect = sx::boolean(settings, "DocumentSizeAutoDetectSupported").value_or(false);
    caps.autoExposure = sx::boolean(settings, "AutoExposureSupported").value_or(false);
    caps.brightness = sx::boolean(settings, "BrightnessSupported").value_or(false);
    caps.contrast = sx::boolean(settings, "ContrastSupported").value_or(false);
    for (const xml::Node &n : sx::children(sx::child(settings, "RotationsSupported"), "RotationValue")) {
        std::optional<long> v = xml::parseInt(n.text(), 0, 270);
        if (v && *v % 90 == 0 && std::find(caps.rotations.begin(), caps.rotations.end(), *v) == caps.rotations.end())
            caps.rotations.push_back(static_cast<int>(*v));
    }
    if (std::find(caps.rotations.begin(), caps.rotations.end(), 0) == caps.rotations.end())
        caps.rotations.insert(caps.rotations.begin(), 0);  // 0 is mandatory

    if (xml::Node platen = sx::child(config, "Platen"))
        caps.platen = readSource(platen, "Platen");
    if (xml::Node adf = sx::child(config, "ADF")) {
        // A feeder element without ADFFront still is a feeder: its side
        // details take defaults.
        caps.adfFront = readSource(sx::child(adf, "ADFFront"), "ADF");
        caps.adfDuplex = sx::boolean(adf, "ADFSupportsDuplex").value_or(false);
        if (xml::Node back = sx::child(adf, "ADFBack")) {
            caps.adfBack = readSource(back, "ADF");
            // A single-pass two-sided feeder has no duplexer to turn the
            // sheet, and some say ADFSupportsDuplex false while describing
            // the back side they scan (Brother MFC-9340CDW, MFC-9370CDW).
            if (!caps.adfDuplex)
                WSD_INFO("ADF describes ADFBack with ADFSupportsDuplex false: offering duplex");
            caps.adfDuplex = true;
        }
    }
    if (xml::Node film = sx::child(config, "Film"))
        caps.film = readSource(film, "Film");
    return caps;
}

// ScannerName etc. may repeat in several languages; the first non-empty one wins.
std::string firstText(const xml::Node &node, const char *local)
{
    for (const xml::Node &n : sx::children(node, local)) {
        std::string t = n.text();
        if (!t.empty())
            return t.size() > sx::MaxText ? t.substr(0, sx::MaxText) : t;
    }
    return std::string();
}

ScannerDescriptionInfo readDescription(const xml::Node &node)
{
    return {firstText(node, "ScannerName"), firstText(node, "ScannerInfo"), firstText(node, "ScannerLocation")};
}

// Which section an ElementData holds: its Name attribute (qualified or not)
// resolved through the in-scope declarations; when that does not resolve to
// the scan namespace (no prefix, undeclared prefix), the element inside.
std::string sectionOf(const xml::Node &elementData)
{
    if (std::optional<std::string> name = elementData.attr("Name")) {
        xml::QName q = elementData.resolveQName(*name);
        if (sx::isScanNamespace(q.ns))
            return q.local;
        if (!q.ns.empty())
            return std::string();  // a vendor section
    }
    xml::Node inside = elementData.firstElement();
    return inside && sx::isScanNamespace(inside.nsUri()) ? std::string(inside.localName()) : std::string();
}

// component: a DeviceCondition's Component keyword.
std::string getScannerElementsRequest(const std::string &serviceUrl, std::initializer_list<const char *> names)
{
    soap::Addressing a;
    a.to = serviceUrl;
    a.action = std::string(ns::ScanActionPrefix) + "GetScannerElements";
    a.replyToAnonymous = true;
    return soap::buildEnvelope(a, {{"wscn", ns::Scan}}, [&](xml::Writer &w) {
        w.start("wscn", "GetScannerElementsRequest").start("wscn", "RequestedElements");
        for (const char *name : names)
            w.element("wscn", "Name", name);
        w.end().end();
    });
}

// The valid ElementData sections of a response, with the name of each.
std::vector<std::pair<std::string, xml::Node>> validSections(const xml::Node &payload)
{
    std::vector<std::pair<std::string, xml::Node>> out;
    for (const xml::Node &data : sx::children(sx::child(payload, "ScannerElements"), "ElementData")) {
        std::string section = sectionOf(data);
        std::optional<std::string> validText = data.attr("Valid");
        if (validText && !xml::parseBool(*validText).value_or(false)) {
            WSD_INFO("device has no valid %s", section.empty() ? "(unnamed section)" : section.c_str());
            continue;
        }
        out.emplace_back(std::move(section), data);
    }
    return out;
}

}  // namespace

std::string buildGetScannerElementsRequest(const std::string &serviceUrl)
{
    return getScannerElementsRequest(serviceUrl, {"wscn:ScannerDescription", "wscn:ScannerConfiguration",
                                                  "wscn:ScannerStatus", "wscn:DefaultScanTicket"});
}

std::string buildGetScannerStatusRequest(const std::string &serviceUrl)
{
    return getScannerElementsRequest(serviceUrl, {"wscn:ScannerStatus"});
}

std::optional<ScannerStatusInfo> parseScannerStatusResponse(const soap::Message &message, std::string *error)
{
    xml::Node payload = sx::responsePayload(message, "GetScannerElementsResponse", error);
    if (!payload)
        return std::nullopt;
    for (const auto &[section, data] : validSections(payload))
        if (section == "ScannerStatus")
            if (xml::Node status = sx::child(data, "ScannerStatus"))
                return parseScannerStatus(status);
    if (error)
        *error = "GetScannerElementsResponse without a valid ScannerStatus";
    return std::nullopt;
}

ScannerStatusInfo parseScannerStatus(const xml::Node &node)
{
    ScannerStatusInfo status;
    status.state = sx::text(node, "ScannerState");
    for (std::string &r : sx::keywords(sx::child(node, "ScannerStateReasons"), "ScannerStateReason"))
        if (r != "None")
            status.reasons.push_back(std::move(r));
    for (const xml::Node &c : sx::children(sx::child(node, "ActiveConditions"), "DeviceCondition"))
        if (std::optional<DeviceCondition> dc = parseDeviceCondition(c))
            status.conditions.push_back(std::move(*dc));
    return status;
}

std::optional<DeviceCondition> parseDeviceCondition(const xml::Node &node)
{
    DeviceCondition dc;
    std::optional<std::string> id = node.attr("Id");
    dc.id = id ? static_cast<int>(xml::parseInt(*id, 0, 2147483647L).value_or(0)) : 0;
    dc.name = sx::text(node, "Name");
    dc.component = sx::text(node, "Component");
    dc.severity = sx::text(node, "Severity");
    if (dc.name.empty())
        return std::nullopt;
    return dc;
}

std::optional<ScannerElements> parseScannerElements(const soap::Message &message, std::string *error)
{
    xml::Node payload = sx::responsePayload(message, "GetScannerElementsResponse", error);
    if (!payload)
        return std::nullopt;
    ScannerElements out;
    bool haveConfiguration = false;
    for (const auto &[section, data] : validSections(payload)) {
        if (section == "ScannerDescription") {
            out.description = readDescription(sx::child(data, "ScannerDescription"));
        } else if (section == "ScannerConfiguration") {
            if (xml::Node config = sx::child(data, "ScannerConfiguration")) {
                out.caps = readConfiguration(config);
                haveConfiguration = true;
            }
        } else if (section == "ScannerStatus") {
            out.status = parseScannerStatus(sx::child(data, "ScannerStatus"));
        } else if (section == "DefaultScanTicket") {
            if (xml::Node ticket = sx::child(data, "DefaultScanTicket"))
                out.defaults = parseScanTicket(ticket);
        }
    }
    if (!haveConfiguration) {
        if (error)
            *error = "GetScannerElementsResponse without a valid ScannerConfiguration";
        return std::nullopt;
    }
    if (!out.caps.platen && !out.caps.adfFront && !out.caps.film) {
        if (error)
            *error = "ScannerConfiguration lists no Platen, ADF or Film";
        return std::nullopt;
    }
    return out;
}

void trustLandscapeSizes(ScannerCapabilities &caps)
{
    for (std::optional<SourceCaps> *source : {&caps.platen, &caps.adfFront, &caps.adfBack, &caps.film}) {
        if (!*source)
            continue;
        SourceCaps &s = **source;
        if (s.maxTransposed)
            std::swap(s.maxSize.width, s.maxSize.height);
        if (s.minTransposed)
            std::swap(s.minSize.width, s.minSize.height);
        s.maxTransposed = s.minTransposed = false;
        // Keep min <= max where the portrait reading had to correct the minimum.
        s.minSize.width = std::min(s.minSize.width, s.maxSize.width);
        s.minSize.height = std::min(s.minSize.height, s.maxSize.height);
    }
}

}  // namespace wsd
