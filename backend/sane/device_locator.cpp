#include "wsd/device_locator.h"

#include "wsd/directed_probe.h"
#include "wsd/log.h"
#include "wsd/url.h"

#include <future>

namespace wsd {

bool locateDevice(DeviceRecord &record, const http::Options &options)
{
    if (!record.endpointUuid.empty())
        return true;
    if (!record.deviceUrls.empty()) {
        record.endpointUuid = discovery::learnEndpointAddress(record.deviceUrls.front(), options);
        if (record.endpointUuid.empty())
            WSD_INFO("%s: no answer to a directed Probe; the metadata Get goes to the URL",
                     record.deviceUrls.front().c_str());
        return !record.endpointUuid.empty();
    }
    if (record.host.empty())
        return false;
    // UDP to port 3702 and HTTP to the usual ports, at once.
    const std::vector<xml::QName> types = {discovery::scanDeviceType()};
    std::future<std::vector<discovery::Endpoint>> udp =
        std::async(std::launch::async, discovery::probeOverUdp, url::hostOfHostForm(record.host), types,
                   options.timeoutMs);
    std::vector<discovery::ProbeAnswer> answers =
        discovery::probeOverHttp(discovery::hostProbeUrls(record.host), types, options);
    for (discovery::Endpoint &e : udp.get())
        answers.push_back({"udp:" + record.host, std::move(e)});
    for (const discovery::ProbeAnswer &a : answers) {
        if (a.endpoint.xaddrs.empty())
            continue;
        WSD_INFO("%s: %s answers at %s", record.host.c_str(), a.endpoint.address.c_str(), a.probedUrl.c_str());
        record.endpointUuid = a.endpoint.address;
        record.deviceUrls = a.endpoint.xaddrs;
        return true;
    }
    WSD_WARN("%s: no WSD scanner answers a directed Probe on this host", record.host.c_str());
    return false;
}

std::string metadataTo(const DeviceRecord &record, const std::string &url)
{
    return record.endpointUuid.empty() ? url : record.endpointUuid;
}

}  // namespace wsd
