// Routes the device's HTTP requests: the device endpoint (WS-Transfer Get,
// metadata), the scan service endpoint and the stable directed-probe
// endpoint (a WS-Discovery Probe by HTTP POST, INDEX §3 step 7).
#pragma once

#include <optional>

#include <string>

#include "http_reply.h"
#include "scan_service.h"
#include "sim_device.h"

namespace wsdsim {

struct EndpointPaths {
    std::string device = "/wsd";
    std::string service = "/wsd/scan";
    static constexpr const char *DirectedProbe = "/StableWSDiscoveryEndpoint/schemas-xmlsoap-org_ws_2005_04_discovery";
};

class DeviceRouter {
public:
    DeviceRouter(SimDevice &device, EndpointPaths paths) : device_(device), paths_(std::move(paths)), scan_(device) {}
    HttpReply route(const HttpRequest &request);

private:
    HttpReply metadata(const HttpRequest &request);
    HttpReply directedProbe(const HttpRequest &request);
    std::optional<HttpReply> redirection(const HttpRequest &request);

    SimDevice &device_;
    EndpointPaths paths_;
    ScanService scan_;
};

}  // namespace wsdsim
