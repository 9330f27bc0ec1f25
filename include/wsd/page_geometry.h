// Which pixels of the delivered image make the page the user asked for.
// The delivered image's size decides: a device that ignores the ticket's
// ScanRegion sends its whole area (Kyocera ECOSYS M2040dn in WSD mode), and
// the region is then cut out of it, offsets included; a device that scans
// at another resolution than asked, and says so in DocumentFinalParameters
// (WS-Scan CreateScanJobResponse), has its image scaled to the resolution
// asked for, because a SANE frame carries no resolution of its own and
// frontends tag the file with the resolution option. An image no larger
// than the region is passed on whole (no padding is invented).
#pragma once

#include <cstdint>

namespace wsd {

struct ScanSettings;

// Devices round a length to their own grid: a difference up to 1/50 inch
// (half a millimetre), 2 units or 1 % of the length is rounding, not
// another length. unitsPerInch: the dpi for pixels, 1000 for the ticket's
// 1/1000 inch.
long long roundingSlack(long long wanted, int unitsPerInch);
bool withinRounding(long long length, long long wanted, int unitsPerInch);

// One axis: output pixel i is source pixel first + (2i + 1) * sourceDpi /
// (2 * outputDpi), clamped to the last of sourceLength pixels.
struct AxisMapping {
    int first = 0;          // first source pixel used
    int sourceLength = -1;  // source pixels used; -1: unknown (streamed height)
    int sourceDpi = 1;
    int outputDpi = 1;
    int outputLength = -1;  // -1: unknown
    int imageLength = -1;   // the delivered image's pixels on this axis; -1: unknown

    bool identity() const { return first == 0 && sourceDpi == outputDpi && sourceLength == imageLength; }
    // The source pixel for output pixel i (no clamp when sourceLength is unknown).
    int source(int i) const;
};

struct PageMapping {
    AxisMapping x, y;
    bool identity() const { return x.identity() && y.identity(); }
};

// Writes the output line for one source line: the pixels x picks, in
// SANE's layout (depth 1, 8 or 16; channels 1 or 3; depth 1 MSB first).
void mapLine(const std::uint8_t *source, std::uint8_t *out, const AxisMapping &x, int depth, int channels);

// imageWidth x imageHeight (height -1 when the image does not say) is what
// the decoder found; asked is the ticket sent; finalXDpi / finalYDpi come
// from DocumentFinalParameters (0: not given, taken as asked).
PageMapping planPageMapping(int imageWidth, int imageHeight, const ScanSettings &asked, int finalXDpi,
                            int finalYDpi);

}  // namespace wsd
