#include "wsd/device_list.h"

#include "wsd/device_locator.h"
#include "wsd/directed_probe.h"
#include "wsd/discovery.h"
#include "wsd/http.h"
#include "wsd/log.h"
#include "wsd/metadata.h"
#include "wsd/url.h"

#include <algorithm>
#include <future>

namespace wsd {

namespace {

// SANE's dll loader shows our names as "wsd:NAME" and strips the prefix
// again before sane_open, so the names themselves carry none.
constexpr const char *Prefix = "wsd:";
// Bounds what a frontend that opens many URLs makes the list remember.
constexpr std::size_t MaxRememberedUrls = 64;

std::string withoutUrn(const std::string &uuid)
{
    const std::string urn = "urn:uuid:";
    if (uuid.compare(0, urn.size(), urn) == 0)
        return uuid.substr(urn.size());
    if (uuid.compare(0, 5, "uuid:") == 0)
        return uuid.substr(5);
    return uuid;
}

void describeFromMetadata(DeviceRecord &record, const DeviceMetadata &metadata)
{
    if (!metadata.manufacturer.empty())
        record.vendor = metadata.manufacturer;
    if (!metadata.model.empty())
        record.model = metadata.model;
    else if (!metadata.friendlyName.empty())
        record.model = metadata.friendlyName;
    record.scanServiceUrls = metadata.scanServiceUrls();
    // The last resort when no directed Probe answered: the Host's address
    // in the Relationship section is the device's endpoint address.
    if (record.endpointUuid.empty() && !metadata.host.addresses.empty())
        record.endpointUuid = metadata.host.addresses.front();
}

// The SANE model names the CUPS queues that print to the device, so that the
// user recognises the printer set up for printing: "M2070 (CUPS: Office)".
std::string withPrintQueues(const std::string &model, const std::vector<std::string> &queues)
{
    if (queues.empty())
        return model;
    std::string names;
    for (const std::string &q : queues)
        names += (names.empty() ? "" : ", ") + q;
    return model + " (CUPS: " + names + ")";
}

// Bounded like discovery: the list must not wait for a silent device.
http::Options listOptions(const Config &config)
{
    http::Options options = httpOptions(config);
    options.connectTimeoutMs = options.timeoutMs = std::max(config.discoveryTimeoutMs, 1000);
    return options;
}

// A device given by URL or host: its endpoint address (and, for a host, its
// XAddrs), all devices at once.
void locateAll(std::vector<DeviceRecord> &records, const http::Options &options)
{
    std::vector<std::future<void>> pending;
    for (DeviceRecord &r : records)
        pending.push_back(std::async(std::launch::async, [&r, &options] { locateDevice(r, options); }));
    for (std::future<void> &f : pending)
        f.get();
}

}  // namespace

DeviceList::DeviceList(const Config &config) : config_(config)
{
    for (const ManualDevice &m : config_.devices) {
        DeviceRecord r;
        r.saneName = m.name;
        r.model = m.name;
        if (url::isHostForm(m.url))
            r.host = m.url;
        else
            r.deviceUrls = {m.url};
        r.foundBy = "config";
        configured_.push_back(r);
    }
    if (config_.discovery) {
        discovery_ = std::make_unique<Discovery>(config_);
        discovery_->start();
    } else {
        WSD_INFO("automatic discovery is off");
    }
}

DeviceList::~DeviceList() = default;

// Asks every configured device for its metadata at once, so that the list
// shows maker and model; a device that does not answer stays listed.
void DeviceList::resolveConfiguredDevices()
{
    if (configuredResolved_ || configured_.empty())
        return;
    configuredResolved_ = true;
    const http::Options options = listOptions(config_);
    locateAll(configured_, options);
    std::vector<http::Request> requests;
    std::vector<DeviceRecord *> asked;
    for (DeviceRecord &r : configured_) {
        if (r.deviceUrls.empty())
            continue;  // a host where nothing answered: listed under its name only
        const std::string &url = r.deviceUrls.front();
        requests.push_back(http::Request{url, buildGetMetadataRequest(metadataTo(r, url), url)});
        asked.push_back(&r);
    }
    std::vector<http::Response> responses = http::postAll(requests, options);
    for (std::size_t i = 0; i < asked.size(); ++i) {
        std::string error;
        if (auto metadata = metadataFromResponse(responses[i], &error))
            describeFromMetadata(*asked[i], *metadata);
        else
            WSD_INFO("%s: %s", asked[i]->deviceUrls.front().c_str(), error.c_str());
    }
}

const SANE_Device **DeviceList::refresh(bool localOnly)
{
    std::lock_guard<std::mutex> lock(mutex_);
    resolveConfiguredDevices();
    records_ = configured_;
    if (discovery_ && !localOnly) {
        for (const DiscoveredDevice &d : discovery_->devices()) {
            // A device of wsd.conf that discovery finds too is listed once,
            // under the name the user gave it.
            const auto configuredEnd = records_.begin() + static_cast<std::ptrdiff_t>(configured_.size());
            auto configured = std::find_if(records_.begin(), configuredEnd, [&d](const DeviceRecord &c) {
                return !c.endpointUuid.empty() && c.endpointUuid == d.endpointUuid;
            });
            if (configured != configuredEnd) {
                configured->model = withPrintQueues(configured->model, d.printQueues);
                continue;
            }
            DeviceRecord r;
            r.saneName = withoutUrn(d.endpointUuid);
            r.endpointUuid = d.endpointUuid;
            if (!d.manufacturer.empty())
                r.vendor = d.manufacturer;
            if (!d.model.empty())
                r.model = d.model;
            else if (!d.friendlyName.empty())
                r.model = d.friendlyName;
            r.model = withPrintQueues(r.model, d.printQueues);
            r.deviceUrls = d.deviceUrls;
            r.scanServiceUrls = d.scanServiceUrls;
            r.foundBy = d.foundBy;
            records_.push_back(r);
        }
    }
    saneDevices_.clear();
    pointers_.clear();
    for (const DeviceRecord &r : records_)
        saneDevices_.push_back(SANE_Device{r.saneName.c_str(), r.vendor.c_str(), r.model.c_str(), r.type.c_str()});
    for (const SANE_Device &d : saneDevices_)
        pointers_.push_back(&d);
    pointers_.push_back(nullptr);
    WSD_INFO("%zu device(s)", records_.size());
    return pointers_.data();
}

std::optional<DeviceRecord> DeviceList::find(const std::string &name)
{
    // Linked without the dll loader, a frontend may pass the prefix on.
    const std::string bare = name.compare(0, 4, Prefix) == 0 ? name.substr(4) : name;
    if (url::parse(bare)) {
        DeviceRecord r;
        r.saneName = bare;
        r.deviceUrls = {bare};
        r.foundBy = "url";
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto known = endpointsByUrl_.find(bare);
            if (known != endpointsByUrl_.end())
                r.endpointUuid = known->second;
        }
        if (r.endpointUuid.empty() && locateDevice(r, listOptions(config_))) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (endpointsByUrl_.size() >= MaxRememberedUrls)
                endpointsByUrl_.clear();
            endpointsByUrl_[bare] = r.endpointUuid;
        }
        return r;
    }
    for (int pass = 0; pass < 2; ++pass) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (const DeviceRecord &r : records_)
                if (bare.empty() || r.saneName == bare)
                    return r;
        }
        // Frontends may open a device by name without asking for the list.
        if (pass == 0)
            refresh(false);
    }
    // "wsd:HOST": no device of that name, but a host to look on.
    if (url::isHostForm(bare)) {
        DeviceRecord r;
        r.saneName = bare;
        r.host = bare;
        r.foundBy = "host";
        if (locateDevice(r, listOptions(config_)))
            return r;
    }
    return std::nullopt;
}

}  // namespace wsd
