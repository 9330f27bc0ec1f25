// The input sources and colour modes the backend offers, each with one name
// table: the SANE option value a frontend shows and the WS-Scan keyword the
// device understands (InputSource, ColorProcessing/ColorEntry). Keywords are
// turned into these enums where a message is parsed and back where one is
// built; everything between compares enums.
#pragma once

#include <optional>
#include <string_view>

namespace wsd {

enum class InputSource { Platen, Adf, AdfDuplex, Film };

// SANE value: "Flatbed", "ADF", "ADF Duplex", "Transparency Adapter".
const char *saneName(InputSource source);
// WS-Scan InputSource keyword: "Platen", "ADF", "ADFDuplex", "Film".
const char *keyword(InputSource source);
std::optional<InputSource> inputSourceFromKeyword(std::string_view keyword);
bool isFeeder(InputSource source);

// The colour layouts the decoders handle: 8-bit RGB, 8-bit gray, 1-bit.
enum class ColorMode { Color, Gray, Lineart };

// SANE value: SANE_VALUE_SCAN_MODE_COLOR, _GRAY, _LINEART.
const char *saneName(ColorMode mode);
// WS-Scan ColorEntry keyword: "RGB24", "Grayscale8", "BlackAndWhite1".
const char *keyword(ColorMode mode);
std::optional<ColorMode> colorModeFromKeyword(std::string_view keyword);
std::optional<ColorMode> colorModeFromSaneName(std::string_view name);

// Every value, in the order the option lists show them.
constexpr InputSource AllInputSources[] = {InputSource::Platen, InputSource::Adf, InputSource::AdfDuplex,
                                           InputSource::Film};
constexpr ColorMode AllColorModes[] = {ColorMode::Color, ColorMode::Gray, ColorMode::Lineart};

}  // namespace wsd
