#include "ticket_validator.h"

#include "image_encoder.h"

#include <algorithm>
#include <cstdlib>

namespace wsdsim {

namespace {

bool contains(const std::vector<std::string> &list, const std::string &v)
{
    return std::find(list.begin(), list.end(), v) != list.end();
}

bool contains(const std::vector<int> &list, int v) { return std::find(list.begin(), list.end(), v) != list.end(); }

int nearest(const std::vector<int> &list, int v)
{
    int best = list.front();
    for (int candidate : list)
        if (std::abs(candidate - v) < std::abs(best - v))
            best = candidate;
    return best;
}

class Checker {
public:
    Checker(const Profile &p, CheckMode m, TicketCheck &r) : profile_(p), mode_(m), result_(r) {}

    // The device default for a value the client left out.
    template <typename T>
    void useDefault(Setting<T> &s, T value)
    {
        if (!s.given)
            s.value = value;
    }

    // The device cannot do what was asked: replace it, or refuse when it must be honoured.
    template <typename T>
    void replace(Setting<T> &s, T value, const char *what)
    {
        if (s.given) {
            result_.valid = false;
            s.overridden = true;
            if (s.mustHonor && mode_ == CheckMode::Create)
                refuse({"Sender", "InvalidArgs", std::string("the device cannot honour ") + what, ""});
        }
        s.value = value;
    }

    void refuse(wsd::soap::Fault fault)
    {
        if (!result_.fault)
            result_.fault = std::move(fault);
    }

    void side(SideTicket &s, const SideTicket &defaults, const SourceCaps &caps)
    {
        std::string color = contains(caps.colors, defaults.color.value) ? defaults.color.value
                            : contains(caps.colors, "RGB24")           ? "RGB24"
                                                                       : caps.colors.front();
        useDefault(s.color, color);
        if (!contains(caps.colors, s.color.value)) {
            // Strict like the devices that refuse a colour they never
            // listed (ColorEntry) instead of substituting one.
            if (mode_ == CheckMode::Create)
                refuse(invalidArgs("ColorProcessing '" + s.color.value + "' is not offered for this source"));
            replace(s.color, color, "ColorProcessing");
        }

        int xDefault = contains(caps.xResolutions, defaults.xResolution.value) ? defaults.xResolution.value
                                                                               : nearest(caps.xResolutions, 300);
        useDefault(s.xResolution, xDefault);
        if (!contains(caps.xResolutions, s.xResolution.value))
            replace(s.xResolution, nearest(caps.xResolutions, s.xResolution.value), "Resolution");
        // No Height means a square resolution.
        useDefault(s.yResolution, nearest(caps.yResolutions, s.xResolution.value));
        if (!contains(caps.yResolutions, s.yResolution.value))
            replace(s.yResolution, nearest(caps.yResolutions, s.yResolution.value), "Resolution");

        region(s.xOffset, s.width, defaults.xOffset, defaults.width, caps.minWidth, caps.maxWidth);
        region(s.yOffset, s.height, defaults.yOffset, defaults.height, caps.minHeight, caps.maxHeight);
    }

    // One axis of the scan region: offset + extent must lie on the glass or sheet.
    void region(Setting<int> &offset, Setting<int> &extent, const Setting<int> &defaultOffset,
                const Setting<int> &defaultExtent, int minExtent, int maxExtent)
    {
        int minimum = std::max(1, std::min(minExtent, maxExtent));
        useDefault(offset, defaultOffset.given ? std::clamp(defaultOffset.value, 0, maxExtent - minimum) : 0);
        if (offset.value > maxExtent - minimum)
            replace(offset, maxExtent - minimum, "ScanRegion");
        int room = maxExtent - offset.value;
        useDefault(extent, defaultExtent.given ? std::clamp(defaultExtent.value, minimum, room) : room);
        if (extent.value > room)
            replace(extent, room, "ScanRegion");
        else if (extent.value < minimum)
            replace(extent, minimum, "ScanRegion");
    }

private:
    const Profile &profile_;
    CheckMode mode_;
    TicketCheck &result_;
};

}  // namespace

wsd::soap::Fault invalidArgs(const std::string &why) { return {"Sender", "InvalidArgs", why, ""}; }

TicketCheck checkTicket(const Profile &profile, const ScanTicket &requested, CheckMode mode)
{
    TicketCheck result;
    result.final = requested;
    ScanTicket &t = result.final;
    const ScanTicket &d = profile.defaults;
    Checker check(profile, mode, result);

    // Format first: CreateScanJob refuses a missing or unsupported one
    // outright, as devices do (DocumentParameters holds the Format the
    // scan is delivered in; a device cannot guess it).
    if (!t.format.given && mode == CheckMode::Create) {
        result.fault = invalidArgs("the ScanTicket names no Format");
        return result;
    }
    std::string defaultFormat = contains(profile.formats, d.format.value) ? d.format.value : profile.formats.front();
    check.useDefault(t.format, defaultFormat);
    if (!contains(profile.formats, t.format.value)) {
        if (mode == CheckMode::Create) {
            std::string supported;
            for (const std::string &f : profile.formats)
                supported += (supported.empty() ? "" : " ") + f;
            result.fault = wsd::soap::Fault{"Sender", "ClientErrorFormatNotSupported",
                                            "Format '" + t.format.value + "' is not supported", supported};
            return result;
        }
        check.replace(t.format, defaultFormat, "Format");
    }

    std::string defaultSource = profile.supportsSource(d.inputSource.value) ? d.inputSource.value
                                : profile.platen.present                   ? "Platen"
                                                                           : "ADF";
    check.useDefault(t.inputSource, defaultSource);
    if (!profile.supportsSource(t.inputSource.value))
        check.replace(t.inputSource, defaultSource, "InputSource");
    const std::string &source = t.inputSource.value;
    bool duplex = source == "ADFDuplex";

    check.side(t.front, d.front, profile.caps(source, false));
    if (duplex) {
        // Without MediaBack the front's settings apply to the back too.
        if (!t.backGiven)
            t.back = requested.front;
        check.side(t.back, d.backGiven ? d.back : d.front, profile.caps(source, true));
    }

    int quality = d.quality.given ? d.quality.value : 85;
    check.useDefault(t.quality, std::clamp(quality, profile.qualityMin, profile.qualityMax));
    if (t.quality.value < profile.qualityMin || t.quality.value > profile.qualityMax)
        check.replace(t.quality, std::clamp(t.quality.value, profile.qualityMin, profile.qualityMax),
                      "CompressionQualityFactor");

    // 0 = all: one image from the platen, the whole feeder from the ADF.
    check.useDefault(t.imagesToTransfer, source == "Platen" ? 1 : 0);
    if (source == "Platen" && t.imagesToTransfer.value > 1)
        check.replace(t.imagesToTransfer, 1, "ImagesToTransfer");

    std::string defaultContent = d.contentType.given ? d.contentType.value
                                 : profile.contentTypes.empty() ? "Auto"
                                                                : profile.contentTypes.front();
    if (t.contentType.given && !contains(profile.contentTypes, t.contentType.value)) {
        // Strict: a ContentType the device never listed (or any, when it
        // lists none) is refused, as for ColorProcessing.
        if (mode == CheckMode::Create)
            check.refuse(invalidArgs("ContentType '" + t.contentType.value + "' is not offered by this device"));
        check.replace(t.contentType, defaultContent, "ContentType");
    }
    check.useDefault(t.contentType, defaultContent);

    const SourceCaps &caps = profile.caps(source, false);
    check.useDefault(t.mediaWidth, caps.maxWidth);
    check.useDefault(t.mediaHeight, caps.maxHeight);
    check.useDefault(t.contrast, 0);
    check.useDefault(t.brightness, 0);
    check.useDefault(t.sharpness, 0);
    // The simulated optics neither scale nor rotate.
    check.useDefault(t.scalingWidth, 100);
    check.useDefault(t.scalingHeight, 100);
    if (t.scalingWidth.value != 100)
        check.replace(t.scalingWidth, 100, "Scaling");
    if (t.scalingHeight.value != 100)
        check.replace(t.scalingHeight, 100, "Scaling");
    check.useDefault(t.rotation, 0);
    if (t.rotation.value != 0)
        check.replace(t.rotation, 0, "Rotation");

    // A format that cannot carry the colour mode (exif in black and white,
    // G4 in colour): a format of the profile that can, or a refusal.
    auto encodable = [&](const std::string &format) {
        return canEncode(format, t.front.color.value) && (!duplex || canEncode(format, t.back.color.value));
    };
    if (!encodable(t.format.value)) {
        auto other = std::find_if(profile.formats.begin(), profile.formats.end(), encodable);
        if (other == profile.formats.end() || (t.format.mustHonor && mode == CheckMode::Create))
            check.refuse({"Sender", "ClientErrorConflictingRequiredParameters",
                          "Format '" + t.format.value + "' cannot carry " + t.front.color.value, ""});
        else
            check.replace(t.format, *other, "Format");
    }
    if (mode == CheckMode::Validate)
        result.fault.reset();
    return result;
}

}  // namespace wsdsim
