// Device metadata over WS-Transfer (DPWS 2006/02 and 2009/01): the Get
// request sent to a device endpoint (an XAddr) and the GetResponse that says
// who the device is and where its hosted services, the scanner among them,
// listen.
#pragma once

#include "wsd/http.h"
#include "wsd/soap.h"
#include "wsd/xml.h"

#include <optional>
#include <string>
#include <vector>

namespace wsd {

struct DeviceMetadata {
    std::string manufacturer, model, modelNumber, serialNumber, friendlyName, firmwareVersion, presentationUrl;
    struct Hosted {
        std::vector<xml::QName> types;
        std::vector<std::string> addresses;  // EndpointReference addresses, in document order
        std::string serviceId;
    };
    Hosted host;                 // wsdp:Host (addresses usually the urn:uuid); empty when absent
    std::vector<Hosted> hosted;  // every wsdp:Hosted
    // http/https addresses of the hosted services whose Types hold
    // {scan}ScannerServiceType, without duplicates.
    std::vector<std::string> scanServiceUrls() const;
};

// WS-Transfer Get for the device at url. wsa:To is the device's endpoint
// address (urn:uuid:...) when known, otherwise the URL itself (a device
// given by URL in wsd.conf).
std::string buildGetMetadataRequest(const std::string &deviceAddress, const std::string &url);

// Reads a GetResponse. nullopt (and *error) for a fault or a body that is
// not wsx:Metadata. Unknown sections and extension elements are ignored.
std::optional<DeviceMetadata> parseMetadata(const soap::Message &m, std::string *error = nullptr);

// The HTTP answer to that Get: nullopt (and *error) when the request failed,
// the body is not SOAP, or it is a fault or not metadata.
std::optional<DeviceMetadata> metadataFromResponse(const http::Response &r, std::string *error);

}  // namespace wsd
