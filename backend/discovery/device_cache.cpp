#include "wsd/device_cache.h"

#include "wsd/log.h"
#include "wsd/small_file.h"
#include "wsd/state_file.h"
#include "wsd/url.h"
#include "wsd/xml.h"

#include <algorithm>

namespace wsd {

namespace {

constexpr std::size_t MaxUrlsPerDevice = 16;
constexpr std::size_t MaxFieldLength = 1024;

bool fits(const std::string &field) { return field.size() <= MaxFieldLength; }

std::string attribute(const xml::Node &node, const char *name)
{
    std::string value = node.attr(name).value_or(std::string());
    return fits(value) ? value : std::string();
}

}  // namespace

std::string formatDeviceCache(const std::vector<DiscoveredDevice> &devices)
{
    xml::Writer w;
    w.start(nullptr, "devices");
    for (const DiscoveredDevice &d : devices) {
        w.start(nullptr, "device")
            .attr("uuid", d.endpointUuid)
            .attr("name", d.friendlyName)
            .attr("manufacturer", d.manufacturer)
            .attr("model", d.model)
            .attr("found-by", d.foundBy);
        for (const std::string &u : d.deviceUrls)
            w.element(nullptr, "xaddr", u);
        for (const std::string &u : d.scanServiceUrls)
            w.element(nullptr, "scan", u);
        for (const std::string &q : d.printQueues)
            w.element(nullptr, "queue", q);
        w.end();
    }
    return w.finish() + "\n";
}

std::vector<DiscoveredDevice> parseDeviceCache(std::string_view text)
{
    std::vector<DiscoveredDevice> out;
    if (text.empty())
        return out;
    std::string error;
    xml::Document doc = xml::Document::parse(text, &error);
    if (!doc || !doc.root().is("", "devices")) {
        WSD_INFO("device cache: unreadable (%s), starting afresh", doc ? "not a device list" : error.c_str());
        return out;
    }
    for (const xml::Node &node : doc.root().children("", "device")) {
        if (out.size() >= DeviceCache::MaxDevices)
            break;
        DiscoveredDevice d;
        d.endpointUuid = attribute(node, "uuid");
        d.friendlyName = attribute(node, "name");
        d.manufacturer = attribute(node, "manufacturer");
        d.model = attribute(node, "model");
        d.foundBy = attribute(node, "found-by");
        for (const xml::Node &child : node.elements()) {
            const std::string value = child.text();
            std::vector<std::string> *list = child.is("", "xaddr") ? &d.deviceUrls
                                             : child.is("", "scan") ? &d.scanServiceUrls
                                             : child.is("", "queue") ? &d.printQueues
                                                                      : nullptr;
            const bool isUrl = list != &d.printQueues;
            if (list && fits(value) && list->size() < MaxUrlsPerDevice && (!isUrl || url::parse(value)))
                list->push_back(value);
        }
        if (!d.endpointUuid.empty() && !d.deviceUrls.empty())
            out.push_back(std::move(d));
    }
    return out;
}

DeviceCache::DeviceCache(std::string path) : path_(path.empty() ? defaultPath() : std::move(path)) {}

std::string DeviceCache::defaultPath()
{
    const std::string dir = state::userDirectory(false);
    return dir.empty() ? std::string() : dir + "/devices.xml";
}

std::vector<DiscoveredDevice> DeviceCache::load() const
{
    // A file another local user could have planted would send our requests
    // wherever they like.
    if (!state::privateDirectoryFor(path_, "device cache"))
        return {};
    return parseDeviceCache(readSmallFile(path_, MaxFileBytes).value_or(std::string()));
}

void DeviceCache::store(const std::vector<DiscoveredDevice> &devices) const
{
    if (!state::privateDirectoryFor(path_, "device cache"))
        return;
    state::FileLock lock(path_);
    if (!lock.held())
        return;
    std::vector<DiscoveredDevice> kept(devices.begin(),
                                       devices.begin() + static_cast<std::ptrdiff_t>(std::min(devices.size(), MaxDevices)));
    state::replaceFile(path_, formatDeviceCache(kept), "device cache");
}

}  // namespace wsd
