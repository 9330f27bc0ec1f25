// wsa:To checks, as a device that checks them does: the metadata Get must be
// addressed to the device's endpoint address (DPWS 1.1, WS-Transfer Get on
// the device), a request to a hosted service to that service's
// EndpointReference Address as the metadata advertises it.
#pragma once

#include "wsd/soap.h"

#include <optional>
#include <string>
#include <vector>

namespace wsdsim {

// Why `to` is not `endpointAddress` (a urn:uuid, compared without regard to
// case as RFC 4122 UUIDs are), nullopt when it is.
std::optional<std::string> wrongDeviceTo(const std::string &to, const std::string &endpointAddress);

// Why `to` names none of `serviceAddresses` (http URLs), nullopt when it names
// one. The path decides: a client reaches the device by whichever of its
// addresses or names routes, so the host part may differ from the advertised one.
std::optional<std::string> wrongServiceTo(const std::string &to, const std::vector<std::string> &serviceAddresses);

// Why `to` is refused by a device that reads an IPv6 zone in it as part of
// the address (HP LaserJet M125): nullopt when its host carries none.
std::optional<std::string> zoneInTo(const std::string &to);

// The fault for either: WS-Addressing's DestinationUnreachable (no route to
// the destination wsa:To names), Sender, `why` as its Reason.
wsd::soap::Fault destinationUnreachable(const std::string &why);

}  // namespace wsdsim
