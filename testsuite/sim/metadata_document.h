// The device's WS-Transfer GetResponse (INDEX §3 step 5): ThisModel,
// ThisDevice and a Relationship whose Host is the device and whose Hosted
// service is the scanner (wscn:ScannerServiceType) at every service URL.
#pragma once

#include <string>

#include "sim_device.h"

namespace wsdsim {

std::string buildMetadataResponse(const DeviceIdentity &identity, const std::string &relatesTo);

}  // namespace wsdsim
