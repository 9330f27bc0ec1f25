#include "wsd/threshold.h"

#include <algorithm>
#include <cstring>

namespace wsd {

void thresholdLine(const std::uint8_t *in, int channels, int width, int percent, std::uint8_t *out)
{
    // Compared in 1/100 of a level: 50 % makes 0..127 black, 100 % all 256 levels.
    const int level = std::clamp(percent, 0, 100) * 256;
    std::memset(out, 0, lineartBytesPerLine(width));
    for (int x = 0; x < width; ++x) {
        const std::uint8_t *p = in + static_cast<std::size_t>(x) * channels;
        // ITU-R BT.601 luma weights, in integers.
        const int gray = channels == 3 ? (p[0] * 299 + p[1] * 587 + p[2] * 114 + 500) / 1000 : p[0];
        if (gray * 100 < level)
            out[x / 8] |= static_cast<std::uint8_t>(0x80 >> (x % 8));
    }
}

}  // namespace wsd
