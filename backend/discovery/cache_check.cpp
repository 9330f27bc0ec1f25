#include "wsd/device_cache.h"

#include "wsd/log.h"
#include "wsd/metadata.h"
#include "wsd/url.h"

namespace wsd::discovery {

std::vector<DiscoveredDevice> confirmCachedDevices(const std::vector<DiscoveredDevice> &cached,
                                                   const LocalLinks &links, const http::Options &options)
{
    std::vector<http::Request> requests;
    for (const DiscoveredDevice &d : cached)
        requests.push_back({d.deviceUrls.front(), buildGetMetadataRequest(d.endpointUuid, d.deviceUrls.front())});
    const std::vector<http::Response> responses = http::postAll(requests, options);
    std::vector<DiscoveredDevice> confirmed;
    for (std::size_t i = 0; i < cached.size(); ++i) {
        std::string error;
        const std::optional<DeviceMetadata> metadata = metadataFromResponse(responses[i], &error);
        const std::vector<std::string> &host = metadata ? metadata->host.addresses : std::vector<std::string>();
        const auto at = url::parse(requests[i].url);
        std::vector<std::string> services =
            metadata && at ? usableUrls(links, metadata->scanServiceUrls(), Source{at->host, at->zone}, "scan service")
                           : std::vector<std::string>();
        // The file is only a hint: a device is listed from it only when it
        // names itself with the cached endpoint address; one whose metadata
        // has no Host section waits for discovery like any other.
        if (!metadata || host.empty() || host.front() != cached[i].endpointUuid || services.empty()) {
            WSD_INFO("device cache: %s is not at %s any more%s%s", cached[i].endpointUuid.c_str(),
                     requests[i].url.c_str(), error.empty() ? "" : ": ", error.c_str());
            continue;
        }
        DiscoveredDevice d = cached[i];
        d.friendlyName = metadata->friendlyName;
        d.manufacturer = metadata->manufacturer;
        d.model = metadata->model;
        preferUrls(services, at->host);
        d.scanServiceUrls = std::move(services);
        confirmed.push_back(std::move(d));
    }
    return confirmed;
}

}  // namespace wsd::discovery
