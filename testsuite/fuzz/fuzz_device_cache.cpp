// The device cache file (the user's, but it may be cut short, or written by
// an older version): any bytes; what parses is bounded and written back the
// same.
#include "fuzz_support.h"
#include "wsd/device_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto devices = wsd::parseDeviceCache(fuzz::asText(data, size));
    FUZZ_ASSERT(devices.size() <= wsd::DeviceCache::MaxDevices);
    for (const wsd::DiscoveredDevice &d : devices)
        FUZZ_ASSERT(!d.endpointUuid.empty() && !d.deviceUrls.empty());
    const auto again = wsd::parseDeviceCache(wsd::formatDeviceCache(devices));
    FUZZ_ASSERT(again.size() == devices.size());
    for (std::size_t i = 0; i < devices.size(); ++i)
        FUZZ_ASSERT(again[i].endpointUuid == devices[i].endpointUuid && again[i].deviceUrls == devices[i].deviceUrls);
    return 0;
}
