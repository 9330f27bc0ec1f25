// The scanners sane_get_devices reports: wsd.conf and SANE_WSD_DEVICE
// entries, and what discovery found, as stable SANE_Device records.
#pragma once

#include "wsd/config.h"
#include "wsd/device_record.h"

#include <sane/sane.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace wsd {

class Discovery;

class DeviceList {
public:
    explicit DeviceList(const Config &config);
    ~DeviceList();
    DeviceList(const DeviceList &) = delete;
    DeviceList &operator=(const DeviceList &) = delete;

    // The NULL-terminated array for sane_get_devices; valid until the next call.
    const SANE_Device **refresh(bool localOnly);
    // By SANE name; "" is the first device; "wsd:http://..." opens that URL.
    std::optional<DeviceRecord> find(const std::string &name);

private:
    void resolveConfiguredDevices();

    const Config &config_;
    std::unique_ptr<Discovery> discovery_;
    std::mutex mutex_;
    bool configuredResolved_ = false;
    std::vector<DeviceRecord> configured_;
    // Endpoint addresses learnt for URLs opened as "wsd:URL", so that the
    // next open does not probe again.
    std::map<std::string, std::string> endpointsByUrl_;
    std::vector<DeviceRecord> records_;
    std::vector<SANE_Device> saneDevices_;
    std::vector<const SANE_Device *> pointers_;
};

}  // namespace wsd
