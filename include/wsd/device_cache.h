// The scanners found before, kept between processes in one small file in the
// user's cache directory ($XDG_CACHE_HOME/sane-wsd/devices.xml), so that the
// next device list can be answered after a quick check of each instead of a
// whole discovery. Safe against concurrent writers (a lock file, and the
// file replaced whole by rename) and against a corrupt file (what does not
// parse is dropped, sizes are bounded).
#pragma once

#include "wsd/discovery.h"
#include "wsd/discovery_links.h"
#include "wsd/http.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wsd {

// The file's text: <devices><device uuid= name= manufacturer= model= found-by=>
// with <xaddr>, <scan> and <queue> children, in the order given.
std::string formatDeviceCache(const std::vector<DiscoveredDevice> &devices);
// Devices that parse (an endpoint address, at least one http(s) device URL);
// the rest, and anything past MaxDevices, dropped.
std::vector<DiscoveredDevice> parseDeviceCache(std::string_view text);

class DeviceCache {
public:
    static constexpr std::size_t MaxDevices = 256;
    static constexpr std::size_t MaxFileBytes = 1024 * 1024;

    // path empty: defaultPath(); nothing is kept when that is empty too.
    explicit DeviceCache(std::string path = std::string());
    static std::string defaultPath();

    std::vector<DiscoveredDevice> load() const;
    // Replaces what the file holds with `devices`.
    void store(const std::vector<DiscoveredDevice> &devices) const;

private:
    std::string path_;
};

}  // namespace wsd

namespace wsd::discovery {

// The check that lets a cached device be listed at once: a metadata Get to
// each one's first device URL, all at once, each bounded by `options`. The
// devices whose answer is their own metadata (the Host names the cached
// endpoint address, if it names one) with a scan service come back, their
// maker, model and scan service URLs as the device says now.
// The scan service URLs pass `links`' checks as in discovery (the device
// being the sender).
std::vector<DiscoveredDevice> confirmCachedDevices(const std::vector<DiscoveredDevice> &cached,
                                                   const LocalLinks &links, const http::Options &options);

}  // namespace wsd::discovery
