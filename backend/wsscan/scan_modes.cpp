#include "wsd/scan_modes.h"

#include "wsd/i18n.h"

#include <sane/saneopts.h>

namespace wsd {

namespace {

struct SourceNames {
    InputSource source;
    const char *saneName;
    const char *keyword;
};
constexpr SourceNames Sources[] = {
    {InputSource::Platen, N_("Flatbed"), "Platen"},
    {InputSource::Adf, N_("ADF"), "ADF"},
    {InputSource::AdfDuplex, N_("ADF Duplex"), "ADFDuplex"},
    {InputSource::Film, N_("Transparency Adapter"), "Film"},
};

struct ModeNames {
    ColorMode mode;
    const char *saneName;
    const char *keyword;
};
constexpr ModeNames Modes[] = {
    {ColorMode::Color, SANE_VALUE_SCAN_MODE_COLOR, "RGB24"},
    {ColorMode::Gray, SANE_VALUE_SCAN_MODE_GRAY, "Grayscale8"},
    {ColorMode::Lineart, SANE_VALUE_SCAN_MODE_LINEART, "BlackAndWhite1"},
};

// The value of the row whose name column holds name.
template <typename Row, std::size_t N, typename Value>
std::optional<Value> lookUp(const Row (&table)[N], const char *Row::*column, std::string_view name, Value Row::*value)
{
    for (const Row &r : table)
        if (name == r.*column)
            return r.*value;
    return std::nullopt;
}

// The tables are indexed by the enum's value.
static_assert(Sources[static_cast<int>(InputSource::Film)].source == InputSource::Film &&
              Sources[static_cast<int>(InputSource::AdfDuplex)].source == InputSource::AdfDuplex &&
              Sources[static_cast<int>(InputSource::Adf)].source == InputSource::Adf);
static_assert(Modes[static_cast<int>(ColorMode::Lineart)].mode == ColorMode::Lineart &&
              Modes[static_cast<int>(ColorMode::Gray)].mode == ColorMode::Gray);

}  // namespace

const char *saneName(InputSource source) { return Sources[static_cast<int>(source)].saneName; }
const char *keyword(InputSource source) { return Sources[static_cast<int>(source)].keyword; }

std::optional<InputSource> inputSourceFromKeyword(std::string_view keyword)
{
    return lookUp(Sources, &SourceNames::keyword, keyword, &SourceNames::source);
}

bool isFeeder(InputSource source) { return source == InputSource::Adf || source == InputSource::AdfDuplex; }

const char *saneName(ColorMode mode) { return Modes[static_cast<int>(mode)].saneName; }
const char *keyword(ColorMode mode) { return Modes[static_cast<int>(mode)].keyword; }

std::optional<ColorMode> colorModeFromKeyword(std::string_view keyword)
{
    return lookUp(Modes, &ModeNames::keyword, keyword, &ModeNames::mode);
}

std::optional<ColorMode> colorModeFromSaneName(std::string_view name)
{
    return lookUp(Modes, &ModeNames::saneName, name, &ModeNames::mode);
}

}  // namespace wsd
