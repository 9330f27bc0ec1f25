// The backend's scanner discovery: WS-Discovery multicast Probe on every
// suitable interface (IPv4 and IPv6), Resolve for endpoints without XAddrs,
// Hello/Bye while the process lives, directed probes to what Avahi finds and
// to the hosts of CUPS's network print queues, and a metadata Get per new
// endpoint. It runs in the background from start();
// devices() hands out what is known.
#pragma once

#include "wsd/config.h"

#include <memory>
#include <string>
#include <vector>

namespace wsd {

struct DiscoveredDevice {
    std::string endpointUuid;  // the WS-Discovery endpoint address, e.g. urn:uuid:...
    std::string friendlyName, manufacturer, model;
    std::vector<std::string> deviceUrls;       // XAddrs (metadata endpoints), routable ones first
    std::vector<std::string> scanServiceUrls;  // routable ones first
    std::string foundBy;                       // "multicast", "avahi" or "cups"
    std::vector<std::string> printQueues;      // CUPS queues printing to this device's host
};

class Discovery {
public:
    explicit Discovery(const Config &config);
    ~Discovery();  // stops the threads (Bye/Hello listening ends)
    Discovery(const Discovery &) = delete;
    Discovery &operator=(const Discovery &) = delete;

    // Starts in the background; never blocks. With config.discovery off it
    // opens nothing; with config.multicast off it sends no multicast.
    void start();

    // First call waits up to config.discoveryTimeoutMs, returning early when
    // answers stop coming; later calls return at once with what is known.
    // Only devices with a scan service are listed, each once.
    std::vector<DiscoveredDevice> devices();

    // Blocks until the list differs from what devices() last returned (a
    // device listed, or one gone after Bye) or timeoutMs passes; returns
    // whether it changed. For monitors such as wsd-discover --watch.
    bool waitForChange(int timeoutMs);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace wsd
