// How large an untrusted image may say it is. A decoder checks the size in
// the image's header against these limits before it allocates anything for
// the pixels, and refuses the image otherwise: a few hundred bytes of JPEG,
// PNG, TIFF or DIB header can claim gigapixels.
#pragma once

#include "wsd/capabilities.h"
#include "wsd/scan_settings.h"

#include <cstddef>
#include <string>

namespace wsd {

// Bounds for untrusted images whatever the scan: a 1200 dpi A3 page fits both.
constexpr int MaxImageDimension = 65535;
// Decoders that must hold a whole image (TIFF, bottom-up DIB, interlaced PNG,
// progressive JPEG) never hold more than this, whatever the limits allow.
constexpr std::size_t MaxBufferedImageBytes = std::size_t(1) << 30;

struct ImageLimits {
    int maxWidth = MaxImageDimension;
    int maxHeight = MaxImageDimension;
    // Where the limits come from, for the refusal message.
    std::string basis = "no scan to compare with";

    // What a decoder may hold for one image: the allowed area at the widest
    // pixel any decoder keeps (8 bytes: 16-bit RGBA TIFF samples, or four
    // components of 2-byte DCT coefficients in a progressive JPEG), plus
    // 16 MiB for line and Huffman tables; at most MaxBufferedImageBytes.
    std::size_t maxBufferedBytes() const;
    // Empty when an image of width x height pixels is within the limits;
    // otherwise why not, naming both sizes.
    std::string refusal(long long width, long long height) const;
};

// The rule for a scan (see doc/reliability.md, "Image bombs"): each of width
// and height at most twice the larger of what the ticket asked and the
// device's maximum area for the ticket's source at the ticket's resolution,
// plus 128 pixels. Devices legitimately send the whole platen when they
// ignore the scan region, a few lines more or less than asked, or a page at
// a resolution near the one asked; an image beyond that is refused.
ImageLimits imageLimitsForScan(const ScanSettings &ticket, const ScannerCapabilities &device);

}  // namespace wsd
