#include "wsd/device_list.h"

#include "wsd/discovery.h"
#include "wsd/http.h"
#include "wsd/log.h"
#include "wsd/metadata.h"
#include "wsd/url.h"

namespace wsd {

namespace {

// SANE's dll loader shows our names as "wsd:NAME" and strips the prefix
// again before sane_open, so the names themselves carry none.
constexpr const char *Prefix = "wsd:";

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
}

}  // namespace

DeviceList::DeviceList(const Config &config) : config_(config)
{
    for (const ManualDevice &m : config_.devices) {
        DeviceRecord r;
        r.saneName = m.name;
        r.model = m.name;
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
    std::vector<http::Request> requests;
    for (const DeviceRecord &r : configured_)
        requests.push_back(http::Request{r.deviceUrls.front(), buildGetMetadataRequest(r.deviceUrls.front(), r.deviceUrls.front())});
    // Bounded like discovery: the list must not wait for a silent device.
    http::Options options = httpOptions(config_);
    options.connectTimeoutMs = options.timeoutMs = std::max(config_.discoveryTimeoutMs, 1000);
    std::vector<http::Response> responses = http::postAll(requests, options);
    for (std::size_t i = 0; i < configured_.size(); ++i) {
        std::string error;
        if (auto metadata = metadataFromResponse(responses[i], &error))
            describeFromMetadata(configured_[i], *metadata);
        else
            WSD_INFO("%s: %s", configured_[i].deviceUrls.front().c_str(), error.c_str());
    }
}

const SANE_Device **DeviceList::refresh(bool localOnly)
{
    std::lock_guard<std::mutex> lock(mutex_);
    resolveConfiguredDevices();
    records_ = configured_;
    if (discovery_ && !localOnly) {
        for (const DiscoveredDevice &d : discovery_->devices()) {
            DeviceRecord r;
            r.saneName = withoutUrn(d.endpointUuid);
            r.endpointUuid = d.endpointUuid;
            if (!d.manufacturer.empty())
                r.vendor = d.manufacturer;
            if (!d.model.empty())
                r.model = d.model;
            else if (!d.friendlyName.empty())
                r.model = d.friendlyName;
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
    return std::nullopt;
}

}  // namespace wsd
