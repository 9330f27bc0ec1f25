// Routes the device's HTTP requests: the device endpoint (WS-Transfer Get,
// metadata), the scan service endpoint and the stable directed-probe
// endpoint (a WS-Discovery Probe by HTTP POST, WS-Scan Appendix B §3.2).
// WS-Eventing requests to the scan service go to its event source.
#pragma once

#include <optional>

#include <string>

#include "http_reply.h"
#include "eventing_service.h"
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
    DeviceRouter(SimDevice &device, EndpointPaths paths)
        : device_(device), paths_(std::move(paths)), scan_(device), eventing_(device)
    {
    }
    HttpReply route(const HttpRequest &request);

private:
    HttpReply metadata(const HttpRequest &request);
    HttpReply directedProbe(const HttpRequest &request);
    std::optional<HttpReply> redirection(const HttpRequest &request);

    SimDevice &device_;
    EndpointPaths paths_;
    ScanService scan_;
    EventingService eventing_;  // the subscription manager shares the scan service address
};

}  // namespace wsdsim
