// What the option values ask of the device (the scan ticket, the formats to
// try) and what frame they give; the status options' refresh.
#include "wsd/options.h"

#include "wsd/log.h"

#include <algorithm>

namespace wsd {

namespace {

// Single-image formats the backend decodes, in the order "auto" prefers
// them per mode: JPEG is the fastest on the wire for colour and gray, G4
// for lineart; the lossless ones follow.
constexpr const char *ColorFormats[] = {"jfif", "exif", "png", "tiff-single-uncompressed", "dib"};
constexpr const char *GrayFormats[] = {"jfif", "png", "tiff-single-uncompressed", "dib"};
constexpr const char *LineartFormats[] = {"tiff-single-g4", "png", "tiff-single-uncompressed", "dib"};

template <std::size_t N>
bool listed(const char *const (&list)[N], const std::string &word)
{
    return std::find_if(std::begin(list), std::end(list), [&](const char *w) { return word == w; }) != std::end(list);
}

bool hasWord(const std::vector<std::string> &list, const char *word)
{
    return std::find(list.begin(), list.end(), word) != list.end();
}

}  // namespace

bool ScanOptions::formatDecodable(const std::string &format)
{
    return listed(ColorFormats, format) || listed(GrayFormats, format) || listed(LineartFormats, format);
}

std::vector<std::string> ScanOptions::decodableFormats(const ScannerCapabilities &caps)
{
    std::vector<std::string> out;
    for (const std::string &f : caps.formats)
        if (formatDecodable(f) && !hasWord(out, f.c_str()))
            out.push_back(f);
    return out;
}

bool ScanOptions::thresholdsLocally() const
{
    if (mode_ != ColorMode::Lineart)
        return false;
    if (!source().deviceLineart)
        return true;
    // JPEG cannot carry 1-bit images: the device's lineart is of use only
    // in a bilevel format we decode.
    return std::none_of(formats_.begin(), formats_.end(), [](const std::string &f) { return listed(LineartFormats, f); });
}

ColorMode ScanOptions::ticketMode() const
{
    if (!thresholdsLocally())
        return mode_;
    const SourceConstraints &s = source();
    return s.deviceGray || std::find(s.modes.begin(), s.modes.end(), ColorMode::Color) == s.modes.end()
               ? ColorMode::Gray
               : ColorMode::Color;
}

std::optional<int> ScanOptions::localThreshold() const
{
    if (!thresholdsLocally())
        return std::nullopt;
    return threshold_;
}

void ScanOptions::updateThresholdActivity()
{
    SANE_Option_Descriptor &d = rows_[thresholdRow_].descriptor;
    if (thresholdsLocally())
        d.cap &= ~SANE_CAP_INACTIVE;
    else
        d.cap |= SANE_CAP_INACTIVE;
}

std::vector<std::string> ScanOptions::formatChoices() const
{
    const ColorMode mode = ticketMode();
    auto suits = [&](const std::string &f) {
        switch (mode) {
        case ColorMode::Lineart:
            return listed(LineartFormats, f);
        case ColorMode::Gray:
            return listed(GrayFormats, f);
        case ColorMode::Color:
            break;
        }
        return listed(ColorFormats, f);
    };
    std::vector<std::string> out;
    if (compression_ != CompressionAuto) {
        if (suits(compression_))
            out.push_back(compression_);
        else
            WSD_DETAIL("format %s does not carry %s images; choosing another", compression_.c_str(),
                       saneName(mode));
    }
    auto addOffered = [&](const auto &preference) {
        for (const char *f : preference)
            if (hasWord(formats_, f) && !hasWord(out, f))
                out.push_back(f);
    };
    if (mode == ColorMode::Lineart)
        addOffered(LineartFormats);
    else if (mode == ColorMode::Gray)
        addOffered(GrayFormats);
    else
        addOffered(ColorFormats);
    return out;
}

ScanSettings ScanOptions::settings() const
{
    const SourceConstraints &s = source();
    ScanSettings out;
    out.source = keyword(s.source);
    std::vector<std::string> formats = formatChoices();
    out.format = formats.empty() ? std::string() : formats.front();
    out.colorEntry = keyword(ticketMode());
    out.xResolution = out.yResolution = resolution_;
    // Corners may be given in any order; a region below the minimum size
    // grows to it, shifted back inside the platen when needed.
    auto span = [](SANE_Fixed a, SANE_Fixed b, int minimum, int maximum, int &offset, int &extent) {
        int lo = mmToThou(std::min(a, b)), hi = mmToThou(std::max(a, b));
        extent = std::clamp(hi - lo, minimum, maximum);
        offset = std::clamp(lo, 0, maximum - extent);
    };
    span(tlx_, brx_, s.caps.minSize.width, s.caps.maxSize.width, out.xOffset, out.width);
    span(tly_, bry_, s.caps.minSize.height, s.caps.maxSize.height, out.yOffset, out.height);
    out.imagesToTransfer = isFeeder(s.source) ? 0 : 1;  // a feeder scans until it is empty (WS-Scan ImagesToTransfer)
    if (brightnessSet_)
        out.brightness = brightness_ * 10;
    if (contrastSet_)
        out.contrast = contrast_ * 10;
    out.contentType = contentType_;
    return out;
}

SANE_Parameters ScanOptions::parameters() const
{
    ScanSettings s = settings();
    SANE_Parameters p{};
    p.last_frame = SANE_TRUE;
    p.pixels_per_line = static_cast<SANE_Int>(static_cast<long long>(s.width) * s.xResolution / 1000);
    p.lines = static_cast<SANE_Int>(static_cast<long long>(s.height) * s.yResolution / 1000);
    switch (mode_) {
    case ColorMode::Lineart:
        p.format = SANE_FRAME_GRAY;
        p.depth = 1;
        p.bytes_per_line = (p.pixels_per_line + 7) / 8;
        break;
    case ColorMode::Gray:
        p.format = SANE_FRAME_GRAY;
        p.depth = 8;
        p.bytes_per_line = p.pixels_per_line;
        break;
    case ColorMode::Color:
        p.format = SANE_FRAME_RGB;
        p.depth = 8;
        p.bytes_per_line = p.pixels_per_line * 3;
        break;
    }
    return p;
}

void ScanOptions::updateStatus(const ScannerStatusInfo &status)
{
    scannerState_ = status.state.substr(0, StateSize - 1);
    auto reported = [&](std::initializer_list<const char *> names) {
        for (const char *n : names) {
            if (hasWord(status.reasons, n))
                return true;
            for (const DeviceCondition &c : status.conditions)
                if (c.name == n)
                    return true;
        }
        return false;
    };
    pageLoaded_ = !reported({"InputTrayEmpty"});
    coverOpen_ = reported({"CoverOpen", "InterlockOpen"});
}

}  // namespace wsd
