#include "wsd/page_geometry.h"

#include "wsd/scan_settings.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace wsd {

namespace {

// Scaling beyond this factor is not believed: it would make one line of a
// hostile image into hundreds.
constexpr int MaxScale = 8;

long long pixels(int thousandths, int dpi) { return static_cast<long long>(thousandths) * dpi / 1000; }

AxisMapping planAxis(int length, int offset, int extent, int askedDpi, int finalDpi)
{
    AxisMapping a;
    a.outputDpi = askedDpi > 0 ? askedDpi : 1;
    a.sourceDpi = finalDpi > 0 ? finalDpi : a.outputDpi;
    if (a.sourceDpi > a.outputDpi * MaxScale || a.sourceDpi * MaxScale < a.outputDpi)
        a.sourceDpi = a.outputDpi;  // no device scans that far off: a bogus DocumentFinalParameters
    if (length >= 0 && a.sourceDpi != a.outputDpi &&
        withinRounding(length, pixels(extent, a.outputDpi), a.outputDpi) &&
        !withinRounding(length, pixels(extent, a.sourceDpi), a.sourceDpi))
        a.sourceDpi = a.outputDpi;  // the image has the size asked for: DocumentFinalParameters was wrong
    a.imageLength = length;
    if (length < 0)
        return a;  // streamed: lines are scaled as they come, none are cut
    const long long wanted = pixels(extent, a.sourceDpi);
    long long used = length;
    if (wanted > 0 && length > wanted + roundingSlack(wanted, a.sourceDpi)) {
        // More than the region: the device scanned from its origin, so the
        // region starts at its offset, or as far in as the image allows.
        a.first = static_cast<int>(std::min(pixels(offset, a.sourceDpi), length - wanted));
        used = wanted;
    }
    a.sourceLength = static_cast<int>(used);
    a.outputLength = static_cast<int>(used * a.outputDpi / a.sourceDpi);
    return a;
}

}  // namespace

long long roundingSlack(long long wanted, int unitsPerInch)
{
    return std::max<long long>({2, unitsPerInch / 50, wanted / 100});
}

bool withinRounding(long long length, long long wanted, int unitsPerInch)
{
    return std::llabs(length - wanted) <= roundingSlack(wanted, unitsPerInch);
}

int AxisMapping::source(int i) const
{
    const long long s = (2LL * i + 1) * sourceDpi / (2LL * outputDpi);
    const long long last = sourceLength > 0 ? sourceLength - 1 : s;
    return first + static_cast<int>(std::min(s, last));
}

void mapLine(const std::uint8_t *source, std::uint8_t *out, const AxisMapping &x, int depth, int channels)
{
    if (depth == 1) {
        std::memset(out, 0, (static_cast<std::size_t>(x.outputLength) + 7) / 8);
        for (int i = 0; i < x.outputLength; ++i) {
            const int from = x.source(i);
            if (source[from / 8] & (0x80 >> (from % 8)))
                out[i / 8] |= static_cast<std::uint8_t>(0x80 >> (i % 8));
        }
        return;
    }
    const std::size_t pixel = static_cast<std::size_t>(depth / 8) * static_cast<std::size_t>(channels);
    for (int i = 0; i < x.outputLength; ++i)
        std::memcpy(out + static_cast<std::size_t>(i) * pixel, source + static_cast<std::size_t>(x.source(i)) * pixel,
                    pixel);
}

PageMapping planPageMapping(int imageWidth, int imageHeight, const ScanSettings &asked, int finalXDpi,
                            int finalYDpi)
{
    const int askedY = asked.yResolution > 0 ? asked.yResolution : asked.xResolution;
    const int finalY = finalYDpi > 0 ? finalYDpi : finalXDpi;
    PageMapping m;
    m.x = planAxis(imageWidth, asked.xOffset, asked.width, asked.xResolution, finalXDpi);
    m.y = planAxis(imageHeight, asked.yOffset, asked.height, askedY, finalY);
    return m;
}

}  // namespace wsd
