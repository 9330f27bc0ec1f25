#include "wsd/job_refusal.h"

#include "wsd/page_geometry.h"
#include "wsd/strings.h"

#include <algorithm>

namespace wsd {

namespace {

struct StatusWord {
    const char *word;
    SANE_Status status;
    const char *message;
    bool warmingUp;
};

// The one table of ScannerStateReason / DeviceCondition names (WS-Scan
// ScannerStateReason and DeviceCondition Name), most pressing first: a
// jammed scanner that also warms up is jammed.
constexpr StatusWord StatusWords[] = {
    {"MediaJam", SANE_STATUS_JAMMED, "paper is jammed in the scanner: clear it", false},
    {"MultipleFeedError", SANE_STATUS_JAMMED, "the feeder took several sheets at once: reload it", false},
    {"CoverOpen", SANE_STATUS_COVER_OPEN, "a cover of the scanner is open: close it", false},
    {"InterlockOpen", SANE_STATUS_COVER_OPEN, "an interlock of the scanner is open: close it", false},
    {"InputTrayEmpty", SANE_STATUS_NO_DOCS, "the document feeder is empty: load it", false},
    {"LampError", SANE_STATUS_IO_ERROR, "the scanner reports a lamp failure: it needs service", false},
    {"InternalStorageFull", SANE_STATUS_NO_MEM,
     "the scanner's internal storage is full: delete stored jobs at its panel", false},
    {"AttentionRequired", SANE_STATUS_DEVICE_BUSY, "the scanner needs attention: see its panel", false},
    {"Paused", SANE_STATUS_DEVICE_BUSY, "the scanner is paused: resume it at its panel", false},
    {"Calibrating", SANE_STATUS_DEVICE_BUSY, "the scanner is calibrating", true},
    {"LampWarming", SANE_STATUS_DEVICE_BUSY, "the scanner's lamp is warming up", true},
    // The XSD spells LampWarming as LampWarning (WS-Scan schema, DeviceCondition Name).
    {"LampWarning", SANE_STATUS_DEVICE_BUSY, "the scanner's lamp is warming up", true},
};

// Every ScanTicket setting a refusal may name, in report order.
constexpr const char *SettingNames[] = {"Format",     "InputSource", "ColorProcessing", "Resolution",
                                        "ScanRegion", "Brightness",  "Contrast",        "CompressionQualityFactor",
                                        "ContentType"};

// A DeviceCondition on another source's component (WS-Scan DeviceCondition
// Component: the feeder jammed while the platen is asked) does not stop the
// scan; one without a component, or on the whole device, does.
bool conditionApplies(const std::string &component, std::optional<InputSource> source)
{
    if (component == "ADF" || component == "MediaPath")
        return source && isFeeder(*source);
    if (component == "Platen")
        return source == InputSource::Platen;
    if (component == "Film")
        return source == InputSource::Film;
    return true;
}

// The ticket's lengths are in 1/1000 inch (WS-Scan ScanRegion).
constexpr int TicketUnitsPerInch = 1000;

bool edgeRounded(long long valid, long long asked) { return withinRounding(valid, asked, TicketUnitsPerInch); }

// One axis of the region: the device gave it (extent non-zero) and moved an
// edge further than rounding or clipping to its grid explains.
bool axisMoved(int askedOffset, int askedExtent, int validOffset, int validExtent)
{
    if (!validExtent)
        return false;
    return !edgeRounded(validOffset, askedOffset) ||
           !edgeRounded(static_cast<long long>(validOffset) + validExtent,
                        static_cast<long long>(askedOffset) + askedExtent);
}

bool regionMoved(const ScanSettings &asked, const ScanSettings &valid)
{
    return axisMoved(asked.xOffset, asked.width, valid.xOffset, valid.width) ||
           axisMoved(asked.yOffset, asked.height, valid.yOffset, valid.height);
}

}  // namespace

std::optional<Refusal> meaningOfStatusWord(const std::string &word, bool feeder)
{
    for (const StatusWord &w : StatusWords) {
        if (!equalsIgnoreCase(word, w.word))
            continue;
        if (w.status == SANE_STATUS_NO_DOCS && !feeder)
            return std::nullopt;  // the platen does not need the feeder's paper
        return Refusal{w.status, w.message, w.warmingUp};
    }
    return std::nullopt;
}

std::optional<Refusal> refusalFromStatus(const ScannerStatusInfo &status, const std::string &source)
{
    const std::optional<InputSource> input = inputSourceFromKeyword(source);
    const bool feeder = input && isFeeder(*input);
    std::vector<std::string> words = status.reasons;
    for (const DeviceCondition &c : status.conditions)
        if (conditionApplies(c.component, input))
            words.push_back(c.name);
    for (const StatusWord &w : StatusWords)
        for (const std::string &word : words)
            if (equalsIgnoreCase(word, w.word))
                if (std::optional<Refusal> r = meaningOfStatusWord(word, feeder))
                    return r;
    return std::nullopt;
}

std::optional<Refusal> refusalBeforeScan(const ScannerStatusInfo &status, const std::string &source)
{
    if (std::optional<Refusal> r = refusalFromStatus(status, source))
        return r;
    if (equalsIgnoreCase(status.state, "Processing"))
        return Refusal{SANE_STATUS_DEVICE_BUSY, "the scanner is busy with another job", false};
    return std::nullopt;
}

Refusal explainNotAcceptingJobs(const ScannerStatusInfo *status, const std::string &source)
{
    const std::optional<InputSource> input = inputSourceFromKeyword(source);
    const bool feeder = input && isFeeder(*input);
    if (status) {
        if (std::optional<Refusal> r = refusalFromStatus(*status, source))
            return *r;
        // An idle scanner has no job of its own to finish: with the feeder
        // selected, the refusal is its way to say the feeder is empty.
        if (feeder && equalsIgnoreCase(status->state, "Idle"))
            return {SANE_STATUS_NO_DOCS,
                    "the scanner refuses jobs while idle with the document feeder selected: the feeder is "
                    "probably empty, load it",
                    false};
    }
    return {SANE_STATUS_DEVICE_BUSY,
            "the scanner accepts no scan jobs from the network: it is busy, or it accepts only scans started "
            "at its panel (select scanning to the computer, WSD scan, there first)",
            false};
}

std::vector<std::string> objectedSettings(const ScanSettings &asked, const ScanSettings &valid)
{
    auto differs = [](const std::string &a, const std::string &v) { return !v.empty() && !equalsIgnoreCase(a, v); };
    auto dropped = [](const std::optional<int> &a, const std::optional<int> &v) { return a && a != v; };
    std::vector<std::string> out;
    if (differs(asked.format, valid.format))
        out.push_back("Format");
    if (differs(asked.source, valid.source))
        out.push_back("InputSource");
    if (differs(asked.colorEntry, valid.colorEntry))
        out.push_back("ColorProcessing");
    if ((valid.xResolution && valid.xResolution != asked.xResolution) ||
        (valid.yResolution && asked.yResolution && valid.yResolution != asked.yResolution))
        out.push_back("Resolution");
    if (regionMoved(asked, valid))
        out.push_back("ScanRegion");
    if (dropped(asked.brightness, valid.brightness))
        out.push_back("Brightness");
    if (dropped(asked.contrast, valid.contrast))
        out.push_back("Contrast");
    if (asked.compressionQuality && valid.compressionQuality && asked.compressionQuality != valid.compressionQuality)
        out.push_back("CompressionQualityFactor");
    if (!asked.contentType.empty() && differs(asked.contentType, valid.contentType))
        out.push_back("ContentType");
    return out;
}

bool adoptRoundedRegion(ScanSettings &settings, const ScanSettings &valid)
{
    if (regionMoved(settings, valid))
        return false;
    bool changed = false;
    auto adopt = [&changed](int &mine, int theirs) {
        changed = changed || mine != theirs;
        mine = theirs;
    };
    if (valid.width) {
        adopt(settings.xOffset, valid.xOffset);
        adopt(settings.width, valid.width);
    }
    if (valid.height) {
        adopt(settings.yOffset, valid.yOffset);
        adopt(settings.height, valid.height);
    }
    return changed;
}

std::vector<std::string> settingsNamedIn(const soap::Fault &fault)
{
    // The Subcode counts too: ClientErrorFormatNotSupported names the Format.
    const std::string text = lower(fault.subcode + " " + fault.reason + " " + fault.detail);
    std::vector<std::string> out;
    for (const char *name : SettingNames)
        if (text.find(lower(name)) != std::string::npos)
            out.push_back(name);
    return out;
}

std::string joinSettingNames(const std::vector<std::string> &names)
{
    std::string out;
    for (const std::string &n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace wsd
