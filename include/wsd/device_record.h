// What the backend knows of one scanner before opening it: the SANE_Device
// fields and where to reach it.
#pragma once

#include <string>
#include <vector>

namespace wsd {

struct DeviceRecord {
    std::string saneName;       // "wsd:" + endpoint UUID (stable across runs) or the wsd.conf name
    std::string vendor = "WSD";
    std::string model = "network scanner";
    std::string type = "multi-function peripheral";
    std::string endpointUuid;   // urn:uuid:... when known
    std::vector<std::string> deviceUrls;       // metadata (WS-Transfer Get) endpoints
    std::vector<std::string> scanServiceUrls;  // WS-Scan endpoints, once known
    std::string host;           // given by host alone (HOST[:PORT]): where directed probes look
    std::string foundBy;        // "config", "environment", "multicast", "avahi", "url"
};

}  // namespace wsd
