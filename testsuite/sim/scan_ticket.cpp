#include "scan_ticket.h"

#include "test_pattern.h"

#include <type_traits>
#include "wsd/namespaces.h"

namespace wsdsim {

using wsd::xml::Node;
using wsd::xml::Writer;
namespace ns = wsd::ns;

namespace {

// Ticket values arrive in the release namespace; the pre-release one costs nothing to accept.
Node scanChild(Node parent, const char *local) { return parent.child({ns::Scan, ns::ScanPrerelease}, local); }

bool mustHonor(Node n) { return wsd::xml::parseBool(n.attr("MustHonor").value_or("false")).value_or(false); }

bool readText(Node parent, const char *local, Setting<std::string> &out)
{
    if (Node n = scanChild(parent, local)) {
        out.set(n.text());
        out.mustHonor = mustHonor(n);
    }
    return true;
}

bool readInt(Node parent, const char *local, Setting<int> &out, long min, long max, std::string *error)
{
    Node n = scanChild(parent, local);
    if (!n)
        return true;
    auto v = wsd::xml::parseInt(n.text(), min, max);
    if (!v) {
        if (error)
            *error = std::string(local) + " is not an integer in [" + std::to_string(min) + ", " +
                     std::to_string(max) + "]: '" + n.text() + "'";
        return false;
    }
    out.set(static_cast<int>(*v));
    out.mustHonor = mustHonor(n) || mustHonor(parent);
    return true;
}

constexpr long MaxInt = 2147483647L;

bool readSide(Node side, SideTicket &out, std::string *error)
{
    Node region = scanChild(side, "ScanRegion");
    if (region && !(readInt(region, "ScanRegionXOffset", out.xOffset, 0, MaxInt, error) &&
                    readInt(region, "ScanRegionYOffset", out.yOffset, 0, MaxInt, error) &&
                    readInt(region, "ScanRegionWidth", out.width, 1, MaxInt, error) &&
                    readInt(region, "ScanRegionHeight", out.height, 1, MaxInt, error)))
        return false;
    readText(side, "ColorProcessing", out.color);
    Node resolution = scanChild(side, "Resolution");
    if (resolution && !(readInt(resolution, "Width", out.xResolution, 1, 100000, error) &&
                        readInt(resolution, "Height", out.yResolution, 1, 100000, error)))
        return false;
    if (resolution && mustHonor(resolution)) {
        out.xResolution.mustHonor = true;
        out.yResolution.mustHonor = true;
    }
    return true;
}

// Writes one value with the DocumentFinalParameters attributes when asked.
template <typename T>
void put(Writer &w, const char *local, const Setting<T> &s, TicketStyle style)
{
    w.start("wscn", local);
    if (style == TicketStyle::FinalParameters) {
        if (s.overridden)
            w.attr("wscn:Override", "true");
        else if (!s.given)
            w.attr("wscn:UsedDefault", "true");
    }
    if constexpr (std::is_same_v<T, std::string>)
        w.text(s.value);
    else
        w.text(std::to_string(s.value));
    w.end();
}

void writeSide(Writer &w, const char *local, const SideTicket &s, TicketStyle style)
{
    w.start("wscn", local);
    w.start("wscn", "ScanRegion");
    put(w, "ScanRegionXOffset", s.xOffset, style);
    put(w, "ScanRegionYOffset", s.yOffset, style);
    put(w, "ScanRegionWidth", s.width, style);
    put(w, "ScanRegionHeight", s.height, style);
    w.end();
    put(w, "ColorProcessing", s.color, style);
    w.start("wscn", "Resolution");
    put(w, "Width", s.xResolution, style);
    put(w, "Height", s.yResolution, style);
    w.end();
    w.end();
}

bool isDuplex(const ScanTicket &t) { return t.inputSource.value == "ADFDuplex"; }

}  // namespace

bool parseScanTicket(Node ticket, ScanTicket &out, std::string *error)
{
    if (Node description = scanChild(ticket, "JobDescription")) {
        out.jobName = scanChild(description, "JobName").text();
        out.userName = scanChild(description, "JobOriginatingUserName").text();
        out.jobInformation = scanChild(description, "JobInformation").text();
    }
    Node p = scanChild(ticket, "DocumentParameters");
    if (!p)
        return true;  // everything from the device defaults
    readText(p, "Format", out.format);
    readText(p, "InputSource", out.inputSource);
    readText(p, "ContentType", out.contentType);
    if (!readInt(p, "CompressionQualityFactor", out.quality, 0, 100, error) ||
        !readInt(p, "ImagesToTransfer", out.imagesToTransfer, 0, MaxInt, error) ||
        !readInt(p, "Rotation", out.rotation, 0, 270, error))
        return false;
    if (Node media = scanChild(scanChild(p, "InputSize"), "InputMediaSize"))
        if (!readInt(media, "Width", out.mediaWidth, 1, MaxInt, error) ||
            !readInt(media, "Height", out.mediaHeight, 1, MaxInt, error))
            return false;
    if (Node exposure = scanChild(scanChild(p, "Exposure"), "ExposureSettings"))
        if (!readInt(exposure, "Contrast", out.contrast, -1000, 1000, error) ||
            !readInt(exposure, "Brightness", out.brightness, -1000, 1000, error) ||
            !readInt(exposure, "Sharpness", out.sharpness, -100, 100, error))
            return false;
    if (Node scaling = scanChild(p, "Scaling"))
        if (!readInt(scaling, "ScalingWidth", out.scalingWidth, 1, 1000, error) ||
            !readInt(scaling, "ScalingHeight", out.scalingHeight, 1, 1000, error))
            return false;
    Node sides = scanChild(p, "MediaSides");
    if (Node front = scanChild(sides, "MediaFront"))
        if (!readSide(front, out.front, error))
            return false;
    if (Node back = scanChild(sides, "MediaBack")) {
        out.backGiven = true;
        if (!readSide(back, out.back, error))
            return false;
    }
    return true;
}

void writeDocumentParameters(Writer &w, const char *elementName, const ScanTicket &t, TicketStyle style)
{
    w.start("wscn", elementName);
    put(w, "Format", t.format, style);
    put(w, "CompressionQualityFactor", t.quality, style);
    put(w, "ImagesToTransfer", t.imagesToTransfer, style);
    put(w, "InputSource", t.inputSource, style);
    put(w, "ContentType", t.contentType, style);
    w.start("wscn", "InputSize").start("wscn", "InputMediaSize");
    put(w, "Width", t.mediaWidth, style);
    put(w, "Height", t.mediaHeight, style);
    w.end().end();
    w.start("wscn", "Exposure").start("wscn", "ExposureSettings");
    put(w, "Contrast", t.contrast, style);
    put(w, "Brightness", t.brightness, style);
    put(w, "Sharpness", t.sharpness, style);
    w.end().end();
    w.start("wscn", "Scaling");
    put(w, "ScalingWidth", t.scalingWidth, style);
    put(w, "ScalingHeight", t.scalingHeight, style);
    w.end();
    put(w, "Rotation", t.rotation, style);
    w.start("wscn", "MediaSides");
    writeSide(w, "MediaFront", t.front, style);
    if (isDuplex(t))
        writeSide(w, "MediaBack", t.back, style);
    w.end();
    w.end();
}

void writeScanTicket(Writer &w, const ScanTicket &t)
{
    w.start("wscn", "ScanTicket");
    w.start("wscn", "JobDescription");
    w.element("wscn", "JobName", t.jobName);
    w.element("wscn", "JobOriginatingUserName", t.userName);
    if (!t.jobInformation.empty())
        w.element("wscn", "JobInformation", t.jobInformation);
    w.end();
    writeDocumentParameters(w, "DocumentParameters", t, TicketStyle::Request);
    w.end();
}

PageSpec pageSpecFor(const ScanTicket &t, int sheet, bool back)
{
    const SideTicket &s = back ? t.back : t.front;
    PageSpec spec;
    spec.sheet = sheet;
    spec.back = back;
    spec.source = t.inputSource.value;
    spec.colorEntry = s.color.value;
    spec.format = t.format.value;
    spec.xResolution = s.xResolution.value;
    spec.yResolution = s.yResolution.value;
    spec.xOffset = s.xOffset.value;
    spec.yOffset = s.yOffset.value;
    spec.width = s.width.value;
    spec.height = s.height.value;
    spec.jpegQuality = t.quality.value;
    return spec;
}

namespace {

// What the encoder will report as BytesPerLine: 0 for compressed formats.
int bytesPerLine(const PageSpec &spec, const TestPattern &pattern)
{
    if (spec.format == "tiff-single-uncompressed")
        return static_cast<int>(pattern.rowBytes());
    if (spec.format == "dib") {
        size_t bits = pattern.mode() == ColourMode::BlackAndWhite1 ? 1 : pattern.mode() == ColourMode::Grayscale8 ? 8 : 24;
        return static_cast<int>((static_cast<size_t>(pattern.pixelsPerLine()) * bits + 31) / 32 * 4);
    }
    return 0;
}

void writeSideInfo(Writer &w, const char *local, const PageSpec &spec)
{
    TestPattern pattern(spec);
    w.start("wscn", local);
    w.element("wscn", "PixelsPerLine", std::to_string(pattern.pixelsPerLine()));
    w.element("wscn", "NumberOfLines", std::to_string(pattern.lines()));
    w.element("wscn", "BytesPerLine", std::to_string(bytesPerLine(spec, pattern)));
    w.end();
}

}  // namespace

void writeImageInformation(Writer &w, const ScanTicket &t)
{
    w.start("wscn", "ImageInformation");
    writeSideInfo(w, "MediaFrontImageInfo", pageSpecFor(t, 1, false));
    if (isDuplex(t))
        writeSideInfo(w, "MediaBackImageInfo", pageSpecFor(t, 1, true));
    w.end();
}

}  // namespace wsdsim
