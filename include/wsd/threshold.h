// Lineart made locally: one decoded 8-bit gray or RGB line turned into a
// 1-bit line in SANE's lineart layout (SANE standard, "Image Data": depth 1,
// most significant bit first, 1 = black, lines padded to whole bytes). For
// devices without a BlackAndWhite1 ColorEntry in a format we decode.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wsd {

// A pixel darker than percent of full white becomes black: 0 % gives an
// all-white line, 100 % an all-black one. channels: 1 (gray) or 3 (RGB,
// weighed by luminance). out holds (width + 7) / 8 bytes.
void thresholdLine(const std::uint8_t *in, int channels, int width, int percent, std::uint8_t *out);

constexpr std::size_t lineartBytesPerLine(int width) { return (static_cast<std::size_t>(width) + 7) / 8; }

}  // namespace wsd
