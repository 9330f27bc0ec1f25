#include "wsd/option_constraints.h"

#include "wsd/log.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <type_traits>

namespace wsd {

namespace {

constexpr double MmPerThou = 0.0254;

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

SourceConstraints constraintsOf(InputSource source, const SourceCaps &caps)
{
    SourceConstraints s{source, caps, squareResolutions(caps), {}, false, false, {}, {}, {}};
    for (ColorMode m : AllColorModes)
        if (hasWord(caps.colorEntries, keyword(m)))
            s.modes.push_back(m);
    if (s.modes.empty()) {
        // Only colour layouts we do not decode (RGB48, Grayscale4...):
        // ask for RGB24 and let DocumentFinalParameters say what came.
        WSD_WARN("%s lists no 8-bit colour, gray or 1-bit entry; offering Color", saneName(source));
        s.modes.push_back(ColorMode::Color);
    }
    s.deviceLineart = hasWord(caps.colorEntries, keyword(ColorMode::Lineart));
    s.deviceGray = hasWord(caps.colorEntries, keyword(ColorMode::Gray));
    // Lineart on every source: without BlackAndWhite1 the backend thresholds
    // a gray (or colour) scan itself.
    if (!s.deviceLineart)
        s.modes.push_back(ColorMode::Lineart);
    for (ColorMode m : s.modes)
        s.modeNames.push_back(saneName(m));
    s.modeNames.push_back(nullptr);
    s.xRange = {0, thouToMm(caps.maxSize.width), 0};
    s.yRange = {0, thouToMm(caps.maxSize.height), 0};
    return s;
}

}  // namespace

std::vector<SourceConstraints> sourceConstraints(const ScannerCapabilities &caps)
{
    std::vector<SourceConstraints> out;
    if (caps.platen)
        out.push_back(constraintsOf(InputSource::Platen, *caps.platen));
    if (caps.adfFront) {
        out.push_back(constraintsOf(InputSource::Adf, *caps.adfFront));
        if (caps.adfDuplex)
            out.push_back(constraintsOf(InputSource::AdfDuplex, caps.adfBack ? bothSides(*caps.adfFront, *caps.adfBack)
                                                                             : *caps.adfFront));
    }
    if (caps.film)
        out.push_back(constraintsOf(InputSource::Film, *caps.film));
    return out;
}

SANE_Word nearest(const std::vector<SANE_Word> &wordList, SANE_Word want)
{
    SANE_Word best = wordList.size() > 1 ? wordList[1] : want;
    for (std::size_t i = 1; i < wordList.size(); ++i)
        if (std::abs(wordList[i] - want) < std::abs(best - want))
            best = wordList[i];
    return best;
}

SANE_Fixed thouToMm(int thou) { return SANE_FIX(thou * MmPerThou); }
int mmToThou(SANE_Fixed mm) { return static_cast<int>(std::lround(SANE_UNFIX(mm) / MmPerThou)); }

}  // namespace wsd
