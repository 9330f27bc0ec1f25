#include "wsd/options.h"

#include "wsd/i18n.h"
#include "wsd/log.h"
#include "wsd/strings.h"

#include <sane/saneopts.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace wsd {

namespace {

constexpr const char *SourceFlatbed = N_("Flatbed");
constexpr const char *SourceAdf = N_("ADF");
constexpr const char *SourceAdfDuplex = N_("ADF Duplex");
constexpr const char *SourceFilm = N_("Transparency Adapter");
constexpr const char *CompressionAuto = "auto";
constexpr int DefaultResolution = 300;
// scanner-state holds a ScannerState word; longer text is cut.
constexpr SANE_Int StateSize = 64;
constexpr double MmPerThou = 0.0254;

SANE_Fixed thouToMm(int thou) { return SANE_FIX(thou * MmPerThou); }
int mmToThou(SANE_Fixed mm) { return static_cast<int>(std::lround(SANE_UNFIX(mm) / MmPerThou)); }

// The colour each SANE mode asks for; the decoder handles these 8-bit and
// 1-bit layouts only.
struct ModeEntry {
    const char *mode;
    const char *colorEntry;
};
constexpr ModeEntry Modes[] = {
    {SANE_VALUE_SCAN_MODE_COLOR, "RGB24"},
    {SANE_VALUE_SCAN_MODE_GRAY, "Grayscale8"},
    {SANE_VALUE_SCAN_MODE_LINEART, "BlackAndWhite1"},
};

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

bool decodable(const std::string &format)
{
    return listed(ColorFormats, format) || listed(GrayFormats, format) || listed(LineartFormats, format);
}

bool hasWord(const std::vector<std::string> &list, const char *word)
{
    return std::find(list.begin(), list.end(), word) != list.end();
}

// The values in both the Widths and the Heights list are offered as square
// resolutions; when the lists share none, the Widths (WS-Scan PlatenResolutions:
// Widths and Heights are separate lists, not pairs).
std::vector<SANE_Word> squareResolutions(const SourceCaps &caps)
{
    std::vector<SANE_Word> out{0};
    for (int x : caps.xResolutions)
        if (std::find(caps.yResolutions.begin(), caps.yResolutions.end(), x) != caps.yResolutions.end())
            out.push_back(x);
    if (out.size() == 1)
        out.insert(out.end(), caps.xResolutions.begin(), caps.xResolutions.end());
    out[0] = static_cast<SANE_Word>(out.size() - 1);
    return out;
}

// A duplex scan uses the same settings on both sides: only what both offer.
SourceCaps bothSides(const SourceCaps &front, const SourceCaps &back)
{
    auto common = [](const auto &a, const auto &b) {
        std::remove_const_t<std::remove_reference_t<decltype(a)>> out;
        for (const auto &v : a)
            if (std::find(b.begin(), b.end(), v) != b.end())
                out.push_back(v);
        return out.empty() ? a : out;  // nothing shared: trust the front side
    };
    SourceCaps c = front;
    c.xResolutions = common(front.xResolutions, back.xResolutions);
    c.yResolutions = common(front.yResolutions, back.yResolutions);
    c.colorEntries = common(front.colorEntries, back.colorEntries);
    c.minSize = {std::max(front.minSize.width, back.minSize.width), std::max(front.minSize.height, back.minSize.height)};
    c.maxSize = {std::min(front.maxSize.width, back.maxSize.width), std::min(front.maxSize.height, back.maxSize.height)};
    if (c.minSize.width > c.maxSize.width || c.minSize.height > c.maxSize.height)
        return front;
    return c;
}

SANE_Word nearest(const std::vector<SANE_Word> &wordList, SANE_Word want)
{
    SANE_Word best = wordList.size() > 1 ? wordList[1] : want;
    for (std::size_t i = 1; i < wordList.size(); ++i)
        if (std::abs(wordList[i] - want) < std::abs(best - want))
            best = wordList[i];
    return best;
}

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

SANE_Option_Descriptor group(const char *name, const char *title, const char *desc)
{
    SANE_Option_Descriptor d{};
    d.name = name;
    d.title = title;
    d.desc = desc;
    d.type = SANE_TYPE_GROUP;
    d.constraint_type = SANE_CONSTRAINT_NONE;
    return d;
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

constexpr SANE_Int Settable = SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT;
constexpr SANE_Int ReadOnly = SANE_CAP_SOFT_DETECT;

}  // namespace

ScanOptions::ScanOptions(const ScannerElements &elements)
{
    addSources(elements.caps);
    for (const std::string &f : elements.caps.formats)
        if (decodable(f))
            formats_.push_back(f);
    if (formats_.empty())
        WSD_WARN("the device offers no image format the backend decodes; leaving the format to the device");
    buildTable(elements);
    applyDefaults(elements);
    updateStatus(elements.status);
}

void ScanOptions::addSources(const ScannerCapabilities &caps)
{
    auto addSource = [&](const char *saneName, const char *inputSource, const SourceCaps &c) {
        Source s{saneName, inputSource, c, squareResolutions(c), {}, {}, {}};
        for (const ModeEntry &m : Modes)
            if (hasWord(c.colorEntries, m.colorEntry))
                s.modes.push_back(m.mode);
        if (s.modes.empty()) {
            // Only colour layouts we do not decode (RGB48, Grayscale4...):
            // ask for RGB24 and let DocumentFinalParameters say what came.
            WSD_WARN("%s lists no 8-bit colour, gray or 1-bit entry; offering Color", saneName);
            s.modes.push_back(SANE_VALUE_SCAN_MODE_COLOR);
        }
        s.modes.push_back(nullptr);
        s.xRange = {0, thouToMm(c.maxSize.width), 0};
        s.yRange = {0, thouToMm(c.maxSize.height), 0};
        sources_.push_back(std::move(s));
    };
    if (caps.platen)
        addSource(SourceFlatbed, "Platen", *caps.platen);
    if (caps.adfFront) {
        addSource(SourceAdf, "ADF", *caps.adfFront);
        if (caps.adfDuplex)
            addSource(SourceAdfDuplex, "ADFDuplex", caps.adfBack ? bothSides(*caps.adfFront, *caps.adfBack)
                                                                 : *caps.adfFront);
    }
    if (caps.film)
        addSource(SourceFilm, "Film", *caps.film);
    for (const Source &s : sources_)
        sourceNames_.push_back(s.saneName);
    sourceNames_.push_back(nullptr);
}

void ScanOptions::add(Kind kind, const SANE_Option_Descriptor &descriptor)
{
    kinds_.push_back(kind);
    descriptors_.push_back(descriptor);
}

void ScanOptions::buildTable(const ScannerElements &elements)
{
    const ScannerCapabilities &caps = elements.caps;
    add(Kind::NumOptions, option(SANE_NAME_NUM_OPTIONS, SANE_TITLE_NUM_OPTIONS, SANE_DESC_NUM_OPTIONS,
                                 SANE_TYPE_INT, SANE_UNIT_NONE, ReadOnly));

    add(Kind::Group, group(SANE_NAME_STANDARD, N_("Scan Mode"), SANE_DESC_STANDARD));
    SANE_Option_Descriptor d = option(SANE_NAME_SCAN_SOURCE, SANE_TITLE_SCAN_SOURCE, SANE_DESC_SCAN_SOURCE,
                                      SANE_TYPE_STRING, SANE_UNIT_NONE, Settable);
    d.size = stringSize(sourceNames_);
    d.constraint_type = SANE_CONSTRAINT_STRING_LIST;
    d.constraint.string_list = sourceNames_.data();
    add(Kind::Source, d);

    d = option(SANE_NAME_SCAN_MODE, SANE_TITLE_SCAN_MODE, SANE_DESC_SCAN_MODE, SANE_TYPE_STRING, SANE_UNIT_NONE,
               Settable);
    d.constraint_type = SANE_CONSTRAINT_STRING_LIST;
    for (const Source &s : sources_)  // big enough for the modes of every source
        d.size = std::max(d.size, stringSize(s.modes));
    add(Kind::Mode, d);

    d = option(SANE_NAME_SCAN_RESOLUTION, SANE_TITLE_SCAN_RESOLUTION, SANE_DESC_SCAN_RESOLUTION, SANE_TYPE_INT,
               SANE_UNIT_DPI, Settable);
    d.constraint_type = SANE_CONSTRAINT_WORD_LIST;
    add(Kind::Resolution, d);

    if (formats_.size() > 1) {
        compressionNames_.push_back(CompressionAuto);
        for (const std::string &f : formats_)
            compressionNames_.push_back(f.c_str());
        compressionNames_.push_back(nullptr);
        d = option("compression", N_("Transfer format"),
                   N_("How the device encodes the image for the network; the backend decodes it. \"auto\" "
                      "picks JPEG for color and gray and G4 TIFF for lineart where the device has them."),
                   SANE_TYPE_STRING, SANE_UNIT_NONE, Settable | SANE_CAP_ADVANCED);
        // "auto" is one of the values: no SANE_CAP_AUTOMATIC as well, or
        // frontends list it twice.
        d.size = stringSize(compressionNames_);
        d.constraint_type = SANE_CONSTRAINT_STRING_LIST;
        d.constraint.string_list = compressionNames_.data();
        add(Kind::Compression, d);
    }

    add(Kind::Group, group(SANE_NAME_GEOMETRY, SANE_TITLE_GEOMETRY, SANE_DESC_GEOMETRY));
    const struct {
        Kind kind;
        const char *name, *title, *desc;
    } corners[] = {
        {Kind::TlX, SANE_NAME_SCAN_TL_X, SANE_TITLE_SCAN_TL_X, SANE_DESC_SCAN_TL_X},
        {Kind::TlY, SANE_NAME_SCAN_TL_Y, SANE_TITLE_SCAN_TL_Y, SANE_DESC_SCAN_TL_Y},
        {Kind::BrX, SANE_NAME_SCAN_BR_X, SANE_TITLE_SCAN_BR_X, SANE_DESC_SCAN_BR_X},
        {Kind::BrY, SANE_NAME_SCAN_BR_Y, SANE_TITLE_SCAN_BR_Y, SANE_DESC_SCAN_BR_Y},
    };
    for (const auto &c : corners) {
        d = option(c.name, c.title, c.desc, SANE_TYPE_FIXED, SANE_UNIT_MM, Settable);
        d.constraint_type = SANE_CONSTRAINT_RANGE;
        add(c.kind, d);
    }

    if (caps.brightness || caps.contrast) {
        add(Kind::Group, group(SANE_NAME_ENHANCEMENT, SANE_TITLE_ENHANCEMENT, SANE_DESC_ENHANCEMENT));
        // WS-Scan's -1000..1000 shown as -100..100: ten device steps per unit.
        if (caps.brightness) {
            d = option(SANE_NAME_BRIGHTNESS, SANE_TITLE_BRIGHTNESS, SANE_DESC_BRIGHTNESS, SANE_TYPE_INT,
                       SANE_UNIT_NONE, Settable | SANE_CAP_AUTOMATIC);
            d.constraint_type = SANE_CONSTRAINT_RANGE;
            d.constraint.range = &brightnessRange_;
            add(Kind::Brightness, d);
        }
        if (caps.contrast) {
            d = option(SANE_NAME_CONTRAST, SANE_TITLE_CONTRAST, SANE_DESC_CONTRAST, SANE_TYPE_INT, SANE_UNIT_NONE,
                       Settable | SANE_CAP_AUTOMATIC);
            d.constraint_type = SANE_CONSTRAINT_RANGE;
            d.constraint.range = &contrastRange_;
            add(Kind::Contrast, d);
        }
    }

    add(Kind::Group, group(SANE_NAME_SENSORS, N_("Status"), N_("What the scanner reports about itself")));
    d = option("scanner-state", N_("Scanner state"),
               N_("The scanner's own state: Idle, Processing or Stopped."), SANE_TYPE_STRING, SANE_UNIT_NONE,
               ReadOnly);
    d.size = StateSize;
    add(Kind::ScannerState, d);
    if (caps.adfFront)
        add(Kind::PageLoaded, option(SANE_NAME_PAGE_LOADED, SANE_TITLE_PAGE_LOADED,
                                     N_("False while the scanner reports its document feeder empty."),
                                     SANE_TYPE_BOOL, SANE_UNIT_NONE, ReadOnly));
    add(Kind::CoverOpen, option(SANE_NAME_COVER_OPEN, SANE_TITLE_COVER_OPEN,
                                N_("True while the scanner reports an open cover or interlock."), SANE_TYPE_BOOL,
                                SANE_UNIT_NONE, ReadOnly));
}

SANE_Int ScanOptions::find(const std::string &name) const
{
    for (std::size_t i = 1; i < descriptors_.size(); ++i)
        if (descriptors_[i].type != SANE_TYPE_GROUP && descriptors_[i].name && name == descriptors_[i].name)
            return static_cast<SANE_Int>(i);
    return -1;
}

const SANE_Option_Descriptor *ScanOptions::descriptor(SANE_Int option) const
{
    if (option < 0 || option >= count())
        return nullptr;
    return &descriptors_[static_cast<std::size_t>(option)];
}

void ScanOptions::applyDefaults(const ScannerElements &elements)
{
    const std::optional<ScanSettings> &ticket = elements.defaults;
    std::size_t index = 0;
    if (ticket)
        for (std::size_t i = 0; i < sources_.size(); ++i)
            if (ticket->source == sources_[i].inputSource)
                index = i;
    compression_ = CompressionAuto;
    mode_ = SANE_VALUE_SCAN_MODE_COLOR;
    resolution_ = DefaultResolution;
    selectSource(index);
    setFullArea();
    if (!ticket)
        return;

    for (const ModeEntry &m : Modes)
        if (ticket->colorEntry == m.colorEntry && match(source().modes, m.mode))
            mode_ = m.mode;
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
    bool wasFull = !descriptors_.empty() && isFullArea();
    source_ = index;
    const Source &s = source();
    for (std::size_t i = 0; i < kinds_.size(); ++i) {
        SANE_Option_Descriptor &d = descriptors_[i];
        switch (kinds_[i]) {
        case Kind::Mode:
            d.constraint.string_list = s.modes.data();
            break;
        case Kind::Resolution:
            d.constraint.word_list = s.resolutions.data();
            break;
        case Kind::TlX:
        case Kind::BrX:
            d.constraint.range = &s.xRange;
            break;
        case Kind::TlY:
        case Kind::BrY:
            d.constraint.range = &s.yRange;
            break;
        case Kind::PageLoaded:  // the feeder's sensor says nothing about the platen
            if (std::strcmp(s.inputSource, "ADF") == 0 || std::strcmp(s.inputSource, "ADFDuplex") == 0)
                d.cap &= ~SANE_CAP_INACTIVE;
            else
                d.cap |= SANE_CAP_INACTIVE;
            break;
        default:
            break;
        }
    }
    if (!match(s.modes, mode_.c_str()))
        mode_ = match(s.modes, SANE_VALUE_SCAN_MODE_COLOR) ? SANE_VALUE_SCAN_MODE_COLOR : s.modes.front();
    resolution_ = nearest(s.resolutions, resolution_);
    if (wasFull)
        setFullArea();
    else
        clampGeometry();
}

bool ScanOptions::isFullArea() const
{
    const Source &s = source();
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

std::string ScanOptions::colorEntry() const
{
    for (const ModeEntry &m : Modes)
        if (mode_ == m.mode)
            return m.colorEntry;
    return "RGB24";
}

std::vector<std::string> ScanOptions::formatChoices() const
{
    const std::string entry = colorEntry();
    const bool lineart = entry == "BlackAndWhite1", gray = entry == "Grayscale8";
    auto suits = [&](const std::string &f) {
        return lineart ? listed(LineartFormats, f) : gray ? listed(GrayFormats, f) : listed(ColorFormats, f);
    };
    std::vector<std::string> out;
    if (compression_ != CompressionAuto) {
        if (suits(compression_))
            out.push_back(compression_);
        else
            WSD_DETAIL("format %s does not carry %s images; choosing another", compression_.c_str(), mode_.c_str());
    }
    auto addOffered = [&](const auto &preference) {
        for (const char *f : preference)
            if (hasWord(formats_, f) && !hasWord(out, f))
                out.push_back(f);
    };
    if (lineart)
        addOffered(LineartFormats);
    else if (gray)
        addOffered(GrayFormats);
    else
        addOffered(ColorFormats);
    return out;
}

ScanSettings ScanOptions::settings() const
{
    const Source &s = source();
    ScanSettings out;
    out.source = s.inputSource;
    std::vector<std::string> formats = formatChoices();
    out.format = formats.empty() ? std::string() : formats.front();
    out.colorEntry = colorEntry();
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
    out.imagesToTransfer = out.feeder() ? 0 : 1;  // a feeder scans until it is empty (WS-Scan ImagesToTransfer)
    if (brightnessSet_)
        out.brightness = brightness_ * 10;
    if (contrastSet_)
        out.contrast = contrast_ * 10;
    return out;
}

SANE_Parameters ScanOptions::parameters() const
{
    ScanSettings s = settings();
    SANE_Parameters p{};
    p.last_frame = SANE_TRUE;
    p.pixels_per_line = static_cast<SANE_Int>(static_cast<long long>(s.width) * s.xResolution / 1000);
    p.lines = static_cast<SANE_Int>(static_cast<long long>(s.height) * s.yResolution / 1000);
    if (s.colorEntry == "BlackAndWhite1") {
        p.format = SANE_FRAME_GRAY;
        p.depth = 1;
        p.bytes_per_line = (p.pixels_per_line + 7) / 8;
    } else if (s.colorEntry == "Grayscale8") {
        p.format = SANE_FRAME_GRAY;
        p.depth = 8;
        p.bytes_per_line = p.pixels_per_line;
    } else {
        p.format = SANE_FRAME_RGB;
        p.depth = 8;
        p.bytes_per_line = p.pixels_per_line * 3;
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

SANE_Status ScanOptions::control(SANE_Int option, SANE_Action action, void *value, SANE_Int *info)
{
    if (info)
        *info = 0;
    if (option < 0 || option >= count())
        return SANE_STATUS_INVAL;
    std::size_t i = static_cast<std::size_t>(option);
    const SANE_Option_Descriptor &d = descriptors_[i];
    if (d.type == SANE_TYPE_GROUP || !SANE_OPTION_IS_ACTIVE(d.cap))
        return SANE_STATUS_INVAL;
    switch (action) {
    case SANE_ACTION_GET_VALUE:
        return value ? getValue(i, value) : SANE_STATUS_INVAL;
    case SANE_ACTION_SET_VALUE:
        if (!SANE_OPTION_IS_SETTABLE(d.cap) || !value)
            return SANE_STATUS_INVAL;
        return setValue(i, value, info);
    case SANE_ACTION_SET_AUTO:
        if (!SANE_OPTION_IS_SETTABLE(d.cap) || !(d.cap & SANE_CAP_AUTOMATIC))
            return SANE_STATUS_INVAL;
        return setAuto(i, info);
    }
    return SANE_STATUS_INVAL;
}

SANE_Status ScanOptions::getValue(std::size_t option, void *value) const
{
    auto word = [&](SANE_Word w) {
        *static_cast<SANE_Word *>(value) = w;
        return SANE_STATUS_GOOD;
    };
    auto string = [&](const std::string &s) {
        std::size_t size = static_cast<std::size_t>(descriptors_[option].size);
        std::size_t n = std::min(s.size(), size - 1);
        std::memcpy(value, s.data(), n);
        static_cast<char *>(value)[n] = '\0';
        return SANE_STATUS_GOOD;
    };
    switch (kinds_[option]) {
    case Kind::NumOptions:
        return word(count());
    case Kind::Source:
        return string(source().saneName);
    case Kind::Mode:
        return string(mode_);
    case Kind::Resolution:
        return word(resolution_);
    case Kind::Compression:
        return string(compression_);
    case Kind::TlX:
        return word(tlx_);
    case Kind::TlY:
        return word(tly_);
    case Kind::BrX:
        return word(brx_);
    case Kind::BrY:
        return word(bry_);
    case Kind::Brightness:
        return word(brightness_);
    case Kind::Contrast:
        return word(contrast_);
    case Kind::ScannerState:
        return string(scannerState_);
    case Kind::PageLoaded:
        return word(pageLoaded_ ? SANE_TRUE : SANE_FALSE);
    case Kind::CoverOpen:
        return word(coverOpen_ ? SANE_TRUE : SANE_FALSE);
    case Kind::Group:
        break;
    }
    return SANE_STATUS_INVAL;
}

SANE_Status ScanOptions::setValue(std::size_t option, void *value, SANE_Int *info)
{
    SANE_Int flags = 0;
    auto done = [&](SANE_Int f) {
        if (info)
            *info = f;
        return SANE_STATUS_GOOD;
    };
    SANE_Word *word = static_cast<SANE_Word *>(value);
    const char *text = static_cast<const char *>(value);
    // A numeric value outside its range is clamped, written back and
    // flagged inexact, as the SANE standard allows.
    auto ranged = [&](SANE_Word &target, const SANE_Range &r, SANE_Int reload) {
        SANE_Word v = std::clamp(*word, r.min, r.max);
        if (v != *word) {
            flags |= SANE_INFO_INEXACT;
            *word = v;
        }
        target = v;
        return done(flags | reload);
    };

    switch (kinds_[option]) {
    case Kind::Source: {
        const char *name = match(sourceNames_, text);
        if (!name)
            return SANE_STATUS_INVAL;
        std::size_t index = static_cast<std::size_t>(
            std::find(sourceNames_.begin(), sourceNames_.end(), name) - sourceNames_.begin());
        if (index != source_) {
            selectSource(index);
            flags |= SANE_INFO_RELOAD_OPTIONS | SANE_INFO_RELOAD_PARAMS;
        }
        return done(flags);
    }
    case Kind::Mode: {
        const char *mode = match(source().modes, text);
        if (!mode)
            return SANE_STATUS_INVAL;
        mode_ = mode;
        return done(SANE_INFO_RELOAD_PARAMS);
    }
    case Kind::Compression: {
        const char *name = match(compressionNames_, text);
        if (!name)
            return SANE_STATUS_INVAL;
        compression_ = name;
        return done(0);
    }
    case Kind::Resolution: {
        SANE_Word v = nearest(source().resolutions, *word);
        if (v != *word) {
            flags |= SANE_INFO_INEXACT;
            *word = v;
        }
        resolution_ = v;
        return done(flags | SANE_INFO_RELOAD_PARAMS);
    }
    case Kind::TlX:
        return ranged(tlx_, source().xRange, SANE_INFO_RELOAD_PARAMS);
    case Kind::BrX:
        return ranged(brx_, source().xRange, SANE_INFO_RELOAD_PARAMS);
    case Kind::TlY:
        return ranged(tly_, source().yRange, SANE_INFO_RELOAD_PARAMS);
    case Kind::BrY:
        return ranged(bry_, source().yRange, SANE_INFO_RELOAD_PARAMS);
    case Kind::Brightness:
        brightnessSet_ = true;
        return ranged(brightness_, brightnessRange_, 0);
    case Kind::Contrast:
        contrastSet_ = true;
        return ranged(contrast_, contrastRange_, 0);
    default:
        break;
    }
    return SANE_STATUS_INVAL;
}

SANE_Status ScanOptions::setAuto(std::size_t option, SANE_Int *info)
{
    switch (kinds_[option]) {
    case Kind::Brightness:
        brightness_ = 0;
        brightnessSet_ = false;  // the device's own setting applies
        return SANE_STATUS_GOOD;
    case Kind::Contrast:
        contrast_ = 0;
        contrastSet_ = false;
        return SANE_STATUS_GOOD;
    default:
        break;
    }
    return SANE_STATUS_INVAL;
}

}  // namespace wsd
