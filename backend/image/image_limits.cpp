#include "wsd/image_limits.h"

#include "wsd/scan_modes.h"

#include <algorithm>
#include <cstdint>

namespace wsd {

namespace {

constexpr long long RuleFactor = 2;
constexpr long long RuleSlackPixels = 128;
constexpr std::size_t DecoderWorkingBytes = std::size_t(16) << 20;
constexpr std::size_t WidestKeptPixelBytes = 8;

// Extent in 1/1000 inch at dpi, in pixels (as devices compute it).
long long pixels(int thousandths, int dpi) { return static_cast<long long>(thousandths) * dpi / 1000; }

int allowedPixels(long long asked, long long deviceMax)
{
    const long long allowed = std::max(asked, deviceMax) * RuleFactor + RuleSlackPixels;
    return static_cast<int>(std::min<long long>(allowed, MaxImageDimension));
}

// The largest area the ticket's source can scan; a feeder's sides both
// count. Without caps for that source (a device that lists one input and
// takes a ticket for another), the largest of all.
Size deviceMaxSize(const std::string &source, const ScannerCapabilities &device)
{
    Size size;
    auto widen = [&size](const std::optional<SourceCaps> &caps) {
        if (!caps)
            return;
        size.width = std::max(size.width, caps->maxSize.width);
        size.height = std::max(size.height, caps->maxSize.height);
    };
    if (std::optional<InputSource> input = inputSourceFromKeyword(source)) {
        if (*input == InputSource::Platen) {
            widen(device.platen);
        } else if (isFeeder(*input)) {
            widen(device.adfFront);
            widen(device.adfBack);
        } else if (*input == InputSource::Film) {
            widen(device.film);
        }
    }
    if (size.width == 0 || size.height == 0) {
        for (const auto *caps : {&device.platen, &device.adfFront, &device.adfBack, &device.film})
            widen(*caps);
    }
    return size;
}

}  // namespace

std::size_t ImageLimits::maxBufferedBytes() const
{
    const std::size_t area = std::size_t(maxWidth) * std::size_t(maxHeight);
    return std::min(area * WidestKeptPixelBytes + DecoderWorkingBytes, MaxBufferedImageBytes);
}

std::string ImageLimits::refusal(long long width, long long height) const
{
    if (width <= maxWidth && height <= maxHeight)
        return {};
    return "the image claims " + std::to_string(width) + "x" + std::to_string(height) + " pixels, at most " +
           std::to_string(maxWidth) + "x" + std::to_string(maxHeight) + " are allowed (" + basis + ")";
}

ImageLimits imageLimitsForScan(const ScanSettings &ticket, const ScannerCapabilities &device)
{
    ImageLimits limits;
    if (ticket.xResolution <= 0 || ticket.yResolution <= 0) {
        limits.basis = "the ticket gives no resolution";
        return limits;
    }
    const Size deviceMax = deviceMaxSize(ticket.source, device);
    const long long askedWidth = pixels(ticket.width, ticket.xResolution);
    const long long askedHeight = pixels(ticket.height, ticket.yResolution);
    const long long deviceWidth = pixels(deviceMax.width, ticket.xResolution);
    const long long deviceHeight = pixels(deviceMax.height, ticket.yResolution);
    limits.maxWidth = allowedPixels(askedWidth, deviceWidth);
    limits.maxHeight = allowedPixels(askedHeight, deviceHeight);
    limits.basis = "the ticket asked for " + std::to_string(askedWidth) + "x" + std::to_string(askedHeight) +
                   " at " + std::to_string(ticket.xResolution) + "x" + std::to_string(ticket.yResolution) +
                   " dpi, the device's largest " + ticket.source + " area is " + std::to_string(deviceWidth) + "x" +
                   std::to_string(deviceHeight) + " there";
    return limits;
}

}  // namespace wsd
