#include "wsd/options.h"

#include "wsd/i18n.h"
#include "wsd/log.h"
#include "wsd/strings.h"

#include <sane/saneopts.h>

#include <algorithm>
#include <cstring>

namespace wsd {

namespace {

constexpr int DefaultResolution = 300;
constexpr SANE_Int Settable = SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT;
constexpr SANE_Int ReadOnly = SANE_CAP_SOFT_DETECT;

// Case-insensitive match against a NULL-terminated list; returns the
// list's own spelling.
const char *match(const std::vector<SANE_String_Const> &list, const char *value)
{
    for (SANE_String_Const s : list)
        if (s && equalsIgnoreCase(s, value))
            return s;
    return nullptr;
}

SANE_Int stringSize(const std::vector<SANE_String_Const> &list)
{
    std::size_t longest = 0;
    for (SANE_String_Const s : list)
        if (s)
            longest = std::max(longest, std::strlen(s));
    return static_cast<SANE_Int>(longest + 1);
}

SANE_Option_Descriptor option(const char *name, const char *title, const char *desc, SANE_Value_Type type,
                              SANE_Unit unit, SANE_Int cap)
{
    SANE_Option_Descriptor d{};
    d.name = name;
    d.title = title;
    d.desc = desc;
    d.type = type;
    d.unit = unit;
    d.size = sizeof(SANE_Word);
    d.cap = cap;
    d.constraint_type = SANE_CONSTRAINT_NONE;
    return d;
}

SANE_Option_Descriptor group(const char *name, const char *title, const char *desc)
{
    SANE_Option_Descriptor d = option(name, title, desc, SANE_TYPE_GROUP, SANE_UNIT_NONE, 0);
    d.size = 0;
    return d;
}

SANE_Option_Descriptor constrained(SANE_Option_Descriptor d, SANE_Constraint_Type type)
{
    d.constraint_type = type;
    return d;
}

// Getters: a word, or a string cut to the option's size.
std::function<void(void *)> wordOf(const SANE_Word &word)
{
    return [&word](void *value) { *static_cast<SANE_Word *>(value) = word; };
}

std::function<void(void *)> boolOf(const bool &flag)
{
    return [&flag](void *value) { *static_cast<SANE_Word *>(value) = flag ? SANE_TRUE : SANE_FALSE; };
}

std::function<void(void *)> stringOf(std::function<std::string()> text, SANE_Int size)
{
    return [text = std::move(text), size](void *value) {
        std::string s = text();
        std::size_t n = std::min(s.size(), static_cast<std::size_t>(size) - 1);
        std::memcpy(value, s.data(), n);
        static_cast<char *>(value)[n] = '\0';
    };
}

// Setter of a string-list option: the list's own spelling of the value, INVAL
// for one not listed.
std::function<SANE_Status(void *, SANE_Int *)> choiceSetter(const std::vector<SANE_String_Const> &list,
                                                            std::string &target)
{
    return [&list, &target](void *value, SANE_Int *) {
        const char *name = match(list, static_cast<const char *>(value));
        if (!name)
            return SANE_STATUS_INVAL;
        target = name;
        return SANE_STATUS_GOOD;
    };
}

// A numeric value outside its range is clamped, written back and flagged
// inexact, as the SANE standard allows.
SANE_Status setRanged(SANE_Word &target, const SANE_Range &range, void *value, SANE_Int reload, SANE_Int *info)
{
    SANE_Word *word = static_cast<SANE_Word *>(value);
    SANE_Word v = std::clamp(*word, range.min, range.max);
    SANE_Int flags = reload;
    if (v != *word) {
        flags |= SANE_INFO_INEXACT;
        *word = v;
    }
    target = v;
    *info = flags;
    return SANE_STATUS_GOOD;
}

}  // namespace

ScanOptions::ScanOptions(const ScannerElements &elements) : sources_(sourceConstraints(elements.caps))
{
    for (const SourceConstraints &s : sources_)
        sourceNames_.push_back(saneName(s.source));
    sourceNames_.push_back(nullptr);
    formats_ = decodableFormats(elements.caps);
    buildTable(elements);
    applyDefaults(elements);
    updateStatus(elements.status);
}

void ScanOptions::buildTable(const ScannerElements &elements)
{
    rows_.push_back({option(SANE_NAME_NUM_OPTIONS, SANE_TITLE_NUM_OPTIONS, SANE_DESC_NUM_OPTIONS, SANE_TYPE_INT,
                            SANE_UNIT_NONE, ReadOnly),
                     [this](void *value) { *static_cast<SANE_Word *>(value) = count(); }, {}, {}, {}});
    addModeOptions();
    addContentTypeOption(elements);
    addGeometryOptions();
    addEnhancementOptions(elements.caps);
    addStatusOptions(elements.caps);
}

void ScanOptions::addModeOptions()
{
    rows_.push_back({group(SANE_NAME_STANDARD, N_("Scan Mode"), SANE_DESC_STANDARD), {}, {}, {}, {}});

    SANE_Option_Descriptor d = constrained(option(SANE_NAME_SCAN_SOURCE, SANE_TITLE_SCAN_SOURCE,
                                                  SANE_DESC_SCAN_SOURCE, SANE_TYPE_STRING, SANE_UNIT_NONE,
                                                  Settable),
                                           SANE_CONSTRAINT_STRING_LIST);
    d.size = stringSize(sourceNames_);
    d.constraint.string_list = sourceNames_.data();
    rows_.push_back({d, stringOf([this] { return saneName(source().source); }, d.size),
                     [this](void *value, SANE_Int *info) { return setSource(static_cast<const char *>(value), info); },
                     {}, {}});

    d = constrained(option(SANE_NAME_SCAN_MODE, SANE_TITLE_SCAN_MODE, SANE_DESC_SCAN_MODE, SANE_TYPE_STRING,
                           SANE_UNIT_NONE, Settable),
                    SANE_CONSTRAINT_STRING_LIST);
    for (const SourceConstraints &s : sources_)  // big enough for the modes of every source
        d.size = std::max(d.size, stringSize(s.modeNames));
    rows_.push_back({d, stringOf([this] { return saneName(mode_); }, d.size),
                     [this](void *value, SANE_Int *info) {
                         const char *name = match(source().modeNames, static_cast<const char *>(value));
                         if (!name)
                             return SANE_STATUS_INVAL;
                         mode_ = *colorModeFromSaneName(name);
                         const bool wasActive = SANE_OPTION_IS_ACTIVE(rows_[thresholdRow_].descriptor.cap);
                         updateThresholdActivity();
                         *info = SANE_INFO_RELOAD_PARAMS;
                         if (wasActive != SANE_OPTION_IS_ACTIVE(rows_[thresholdRow_].descriptor.cap))
                             *info |= SANE_INFO_RELOAD_OPTIONS;
                         return SANE_STATUS_GOOD;
                     },
                     {},
                     [](SANE_Option_Descriptor &od, const SourceConstraints &s) {
                         od.constraint.string_list = s.modeNames.data();
                     }});

    d = constrained(option(SANE_NAME_SCAN_RESOLUTION, SANE_TITLE_SCAN_RESOLUTION, SANE_DESC_SCAN_RESOLUTION,
                           SANE_TYPE_INT, SANE_UNIT_DPI, Settable),
                    SANE_CONSTRAINT_WORD_LIST);
    rows_.push_back({d, wordOf(resolution_),
                     [this](void *value, SANE_Int *info) {
                         SANE_Word *word = static_cast<SANE_Word *>(value);
                         SANE_Word v = nearest(source().resolutions, *word);
                         *info = SANE_INFO_RELOAD_PARAMS;
                         if (v != *word) {
                             *info |= SANE_INFO_INEXACT;
                             *word = v;
                         }
                         resolution_ = v;
                         return SANE_STATUS_GOOD;
                     },
                     {},
                     [](SANE_Option_Descriptor &od, const SourceConstraints &s) {
                         od.constraint.word_list = s.resolutions.data();
                     }});

    d = constrained(option(SANE_NAME_THRESHOLD, SANE_TITLE_THRESHOLD,
                           N_("Lineart made by the backend from a gray scan, where the device has no 1-bit mode of "
                              "its own: pixels darker than this share of white become black."),
                           SANE_TYPE_INT, SANE_UNIT_PERCENT, Settable),
                    SANE_CONSTRAINT_RANGE);
    d.constraint.range = &thresholdRange_;
    thresholdRow_ = rows_.size();
    rows_.push_back({d, wordOf(threshold_),
                     [this](void *value, SANE_Int *info) {
                         return setRanged(threshold_, thresholdRange_, value, 0, info);
                     },
                     {}, {}});

    if (formats_.size() <= 1)
        return;
    compressionNames_.push_back(CompressionAuto);
    for (const std::string &f : formats_)
        compressionNames_.push_back(f.c_str());
    compressionNames_.push_back(nullptr);
    // "auto" is one of the values: no SANE_CAP_AUTOMATIC as well, or
    // frontends list it twice.
    d = constrained(option("compression", N_("Transfer format"),
                           N_("How the device encodes the image for the network; the backend decodes it. \"auto\" "
                              "picks JPEG for color and gray and G4 TIFF for lineart where the device has them."),
                           SANE_TYPE_STRING, SANE_UNIT_NONE, Settable | SANE_CAP_ADVANCED),
                    SANE_CONSTRAINT_STRING_LIST);
    d.size = stringSize(compressionNames_);
    d.constraint.string_list = compressionNames_.data();
    rows_.push_back({d, stringOf([this] { return compression_; }, d.size), choiceSetter(compressionNames_, compression_),
                     {}, {}});
}

void ScanOptions::addGeometryOptions()
{
    rows_.push_back({group(SANE_NAME_GEOMETRY, SANE_TITLE_GEOMETRY, SANE_DESC_GEOMETRY), {}, {}, {}, {}});
    const struct {
        SANE_Fixed &value;
        bool horizontal;
        const char *name, *title, *desc;
    } corners[] = {
        {tlx_, true, SANE_NAME_SCAN_TL_X, SANE_TITLE_SCAN_TL_X, SANE_DESC_SCAN_TL_X},
        {tly_, false, SANE_NAME_SCAN_TL_Y, SANE_TITLE_SCAN_TL_Y, SANE_DESC_SCAN_TL_Y},
        {brx_, true, SANE_NAME_SCAN_BR_X, SANE_TITLE_SCAN_BR_X, SANE_DESC_SCAN_BR_X},
        {bry_, false, SANE_NAME_SCAN_BR_Y, SANE_TITLE_SCAN_BR_Y, SANE_DESC_SCAN_BR_Y},
    };
    for (const auto &c : corners) {
        SANE_Fixed &target = c.value;
        const bool horizontal = c.horizontal;
        rows_.push_back(
            {constrained(option(c.name, c.title, c.desc, SANE_TYPE_FIXED, SANE_UNIT_MM, Settable),
                         SANE_CONSTRAINT_RANGE),
             wordOf(target),
             [this, &target, horizontal](void *value, SANE_Int *info) {
                 return setRanged(target, horizontal ? source().xRange : source().yRange, value,
                                  SANE_INFO_RELOAD_PARAMS, info);
             },
             {},
             [horizontal](SANE_Option_Descriptor &od, const SourceConstraints &s) {
                 od.constraint.range = horizontal ? &s.xRange : &s.yRange;
             }});
    }
}

// Offered only when the device lists ContentTypesSupported: a ticket
// naming a ContentType the device did not list may be refused (WS-Scan
// ContentType). The device's own words are the values.
void ScanOptions::addContentTypeOption(const ScannerElements &elements)
{
    for (const std::string &c : elements.caps.contentTypes)
        if (!c.empty() && std::find(contentTypes_.begin(), contentTypes_.end(), c) == contentTypes_.end())
            contentTypes_.push_back(c);
    if (contentTypes_.empty())
        return;
    for (const std::string &c : contentTypes_)
        contentTypeNames_.push_back(c.c_str());
    contentTypeNames_.push_back(nullptr);
    // Auto where offered (the device decides per page), else the device's default, else its first.
    const char *preferred = match(contentTypeNames_, "Auto");
    if (!preferred && elements.defaults)
        preferred = match(contentTypeNames_, elements.defaults->contentType.c_str());
    contentType_ = preferred ? preferred : contentTypes_.front();

    SANE_Option_Descriptor d = constrained(
        option("content-type", N_("Content type"),
               N_("What the original holds (text, photo, both...), so that the scanner tunes its image "
                  "processing; the values are the scanner's own."),
               SANE_TYPE_STRING, SANE_UNIT_NONE, Settable),
        SANE_CONSTRAINT_STRING_LIST);
    d.size = stringSize(contentTypeNames_);
    d.constraint.string_list = contentTypeNames_.data();
    rows_.push_back({d, stringOf([this] { return contentType_; }, d.size),
                     choiceSetter(contentTypeNames_, contentType_), {}, {}});
}

void ScanOptions::addEnhancementOptions(const ScannerCapabilities &caps)
{
    if (!caps.brightness && !caps.contrast)
        return;
    rows_.push_back({group(SANE_NAME_ENHANCEMENT, SANE_TITLE_ENHANCEMENT, SANE_DESC_ENHANCEMENT), {}, {}, {}, {}});
    // WS-Scan's -1000..1000 shown as -100..100: ten device steps per unit.
    // Until set, the device's own setting applies (nothing is sent).
    auto adjustment = [this](const char *name, const char *title, const char *desc, SANE_Word &value,
                             bool &isSet, const SANE_Range &range) {
        SANE_Option_Descriptor d = constrained(
            option(name, title, desc, SANE_TYPE_INT, SANE_UNIT_NONE, Settable | SANE_CAP_AUTOMATIC),
            SANE_CONSTRAINT_RANGE);
        d.constraint.range = &range;
        rows_.push_back({d, wordOf(value),
                         [&value, &isSet, &range](void *v, SANE_Int *info) {
                             isSet = true;
                             return setRanged(value, range, v, 0, info);
                         },
                         [&value, &isSet] {
                             value = 0;
                             isSet = false;
                         },
                         {}});
    };
    if (caps.brightness)
        adjustment(SANE_NAME_BRIGHTNESS, SANE_TITLE_BRIGHTNESS, SANE_DESC_BRIGHTNESS, brightness_, brightnessSet_,
                   brightnessRange_);
    if (caps.contrast)
        adjustment(SANE_NAME_CONTRAST, SANE_TITLE_CONTRAST, SANE_DESC_CONTRAST, contrast_, contrastSet_,
                   contrastRange_);
}

void ScanOptions::addStatusOptions(const ScannerCapabilities &caps)
{
    rows_.push_back(
        {group(SANE_NAME_SENSORS, N_("Status"), N_("What the scanner reports about itself")), {}, {}, {}, {}});
    SANE_Option_Descriptor d = option("scanner-state", N_("Scanner state"),
                                      N_("The scanner's own state: Idle, Processing or Stopped."),
                                      SANE_TYPE_STRING, SANE_UNIT_NONE, ReadOnly);
    d.size = StateSize;
    rows_.push_back({d, stringOf([this] { return scannerState_; }, d.size), {}, {}, {}});
    if (caps.adfFront)
        rows_.push_back({option(SANE_NAME_PAGE_LOADED, SANE_TITLE_PAGE_LOADED,
                                N_("False while the scanner reports its document feeder empty."), SANE_TYPE_BOOL,
                                SANE_UNIT_NONE, ReadOnly),
                         boolOf(pageLoaded_), {}, {},
                         // The feeder's sensor says nothing about the platen.
                         [](SANE_Option_Descriptor &od, const SourceConstraints &s) {
                             if (isFeeder(s.source))
                                 od.cap &= ~SANE_CAP_INACTIVE;
                             else
                                 od.cap |= SANE_CAP_INACTIVE;
                         }});
    rows_.push_back({option(SANE_NAME_COVER_OPEN, SANE_TITLE_COVER_OPEN,
                            N_("True while the scanner reports an open cover or interlock."), SANE_TYPE_BOOL,
                            SANE_UNIT_NONE, ReadOnly),
                     boolOf(coverOpen_), {}, {}, {}});
}

void ScanOptions::addPanelOptions(std::function<bool()> button, std::function<std::string()> source)
{
    rows_.push_back({group("panel", N_("Panel"), N_("Scans started at the scanner's own panel")), {}, {}, {}, {}});
    rows_.push_back({option(SANE_NAME_SCAN, SANE_TITLE_SCAN,
                            N_("True once after this computer was chosen on the scanner's panel and Scan was "
                               "pressed there; reading it clears it. The next scan is that job."),
                            SANE_TYPE_BOOL, SANE_UNIT_NONE, SANE_CAP_HARD_SELECT | SANE_CAP_SOFT_DETECT),
                     [button = std::move(button)](void *value) {
                         *static_cast<SANE_Word *>(value) = button() ? SANE_TRUE : SANE_FALSE;
                     },
                     {}, {}, {}});
    SANE_Option_Descriptor d = option("panel-source", N_("Panel source"),
                                      N_("The scan source chosen at the panel for the pending panel scan; empty "
                                         "when none is pending or the scanner did not say."),
                                      SANE_TYPE_STRING, SANE_UNIT_NONE, ReadOnly);
    d.size = StateSize;
    rows_.push_back({d, stringOf([source = std::move(source)] {
                         const std::string keyword = source();
                         std::optional<InputSource> known = inputSourceFromKeyword(keyword);
                         return known ? std::string(saneName(*known)) : keyword;
                     }, d.size),
                     {}, {}, {}});
}

SANE_Int ScanOptions::find(const std::string &name) const
{
    for (std::size_t i = 1; i < rows_.size(); ++i) {
        const SANE_Option_Descriptor &d = rows_[i].descriptor;
        if (d.type != SANE_TYPE_GROUP && d.name && name == d.name)
            return static_cast<SANE_Int>(i);
    }
    return -1;
}

const SANE_Option_Descriptor *ScanOptions::descriptor(SANE_Int option) const
{
    if (option < 0 || option >= count())
        return nullptr;
    return &rows_[static_cast<std::size_t>(option)].descriptor;
}

SANE_Status ScanOptions::control(SANE_Int option, SANE_Action action, void *value, SANE_Int *info)
{
    SANE_Int flags = 0;
    if (info)
        *info = 0;
    if (option < 0 || option >= count())
        return SANE_STATUS_INVAL;
    const Row &row = rows_[static_cast<std::size_t>(option)];
    const SANE_Option_Descriptor &d = row.descriptor;
    if (d.type == SANE_TYPE_GROUP || !SANE_OPTION_IS_ACTIVE(d.cap))
        return SANE_STATUS_INVAL;
    switch (action) {
    case SANE_ACTION_GET_VALUE:
        if (!value || !row.get)
            return SANE_STATUS_INVAL;
        row.get(value);
        return SANE_STATUS_GOOD;
    case SANE_ACTION_SET_VALUE: {
        if (!SANE_OPTION_IS_SETTABLE(d.cap) || !value || !row.set)
            return SANE_STATUS_INVAL;
        SANE_Status status = row.set(value, &flags);
        if (info && status == SANE_STATUS_GOOD)
            *info = flags;
        return status;
    }
    case SANE_ACTION_SET_AUTO:
        if (!SANE_OPTION_IS_SETTABLE(d.cap) || !(d.cap & SANE_CAP_AUTOMATIC) || !row.setAuto)
            return SANE_STATUS_INVAL;
        row.setAuto();
        return SANE_STATUS_GOOD;
    }
    return SANE_STATUS_INVAL;
}

SANE_Status ScanOptions::setSource(const char *name, SANE_Int *info)
{
    const char *known = match(sourceNames_, name);
    if (!known)
        return SANE_STATUS_INVAL;
    std::size_t index = static_cast<std::size_t>(
        std::find(sourceNames_.begin(), sourceNames_.end(), known) - sourceNames_.begin());
    if (index != source_) {
        selectSource(index);
        *info = SANE_INFO_RELOAD_OPTIONS | SANE_INFO_RELOAD_PARAMS;
    }
    return SANE_STATUS_GOOD;
}

void ScanOptions::applyDefaults(const ScannerElements &elements)
{
    const std::optional<ScanSettings> &ticket = elements.defaults;
    std::size_t index = 0;
    if (ticket)
        for (std::size_t i = 0; i < sources_.size(); ++i)
            if (ticket->source == keyword(sources_[i].source))
                index = i;
    compression_ = CompressionAuto;
    mode_ = ColorMode::Color;
    threshold_ = DefaultThreshold;
    resolution_ = DefaultResolution;
    selectSource(index);
    setFullArea();
    if (!ticket)
        return;

    std::optional<ColorMode> mode = colorModeFromKeyword(ticket->colorEntry);
    if (mode && std::find(source().modes.begin(), source().modes.end(), *mode) != source().modes.end())
        mode_ = *mode;
    updateThresholdActivity();
    if (ticket->xResolution > 0)
        resolution_ = nearest(source().resolutions, ticket->xResolution);
    if (ticket->width > 0 && ticket->height > 0) {
        tlx_ = thouToMm(ticket->xOffset);
        tly_ = thouToMm(ticket->yOffset);
        brx_ = thouToMm(ticket->xOffset + ticket->width);
        bry_ = thouToMm(ticket->yOffset + ticket->height);
        clampGeometry();
    }
    if (ticket->brightness)
        brightness_ = *ticket->brightness / 10;
    if (ticket->contrast)
        contrast_ = *ticket->contrast / 10;
}

void ScanOptions::selectSource(std::size_t index)
{
    bool wasFull = isFullArea();
    source_ = index;
    const SourceConstraints &s = source();
    for (Row &row : rows_)
        if (row.followSource)
            row.followSource(row.descriptor, s);
    if (std::find(s.modes.begin(), s.modes.end(), mode_) == s.modes.end())
        mode_ = std::find(s.modes.begin(), s.modes.end(), ColorMode::Color) != s.modes.end() ? ColorMode::Color
                                                                                          : s.modes.front();
    resolution_ = nearest(s.resolutions, resolution_);
    updateThresholdActivity();
    if (wasFull)
        setFullArea();
    else
        clampGeometry();
}

bool ScanOptions::isFullArea() const
{
    const SourceConstraints &s = source();
    return tlx_ == 0 && tly_ == 0 && brx_ == s.xRange.max && bry_ == s.yRange.max;
}

void ScanOptions::setFullArea()
{
    tlx_ = tly_ = 0;
    brx_ = source().xRange.max;
    bry_ = source().yRange.max;
}

bool ScanOptions::clampGeometry()
{
    bool changed = false;
    auto clamp = [&](SANE_Fixed &v, const SANE_Range &r) {
        SANE_Fixed c = std::clamp(v, r.min, r.max);
        changed = changed || c != v;
        v = c;
    };
    clamp(tlx_, source().xRange);
    clamp(brx_, source().xRange);
    clamp(tly_, source().yRange);
    clamp(bry_, source().yRange);
    return changed;
}

}  // namespace wsd
