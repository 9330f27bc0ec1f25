// What a WS-Scan device can do, read from GetScannerElementsResponse
// (ScannerDescription, ScannerConfiguration, ScannerStatus, DefaultScanTicket;
// WS-Scan GetScannerElements), and what its status means for a scan.
// Sizes are in 1/1000 inch, resolutions in pixels per inch.
#pragma once

#include "wsd/scan_settings.h"
#include "wsd/soap.h"

#include <sane/sane.h>

#include <optional>
#include <string>
#include <vector>

namespace wsd {

struct Size {
    int width = 0, height = 0;  // 1/1000 inch
};

// One input: the platen, a feeder side or the film unit.
struct SourceCaps {
    std::vector<int> xResolutions, yResolutions;  // sorted, distinct; may differ (WS-Scan Resolutions)
    int opticalX = 0, opticalY = 0;
    std::vector<std::string> colorEntries;  // WS-Scan ColorEntry words, as the device lists them
    Size minSize, maxSize;                  // checked: 0 < min <= max in each dimension
    // MaximumSize came landscape (width > height) and was read transposed;
    // minTransposed when MinimumSize, landscape too, was turned with it.
    bool maxTransposed = false, minTransposed = false;
};

struct ScannerCapabilities {
    std::vector<std::string> formats, contentTypes;
    int compressionMin = -1, compressionMax = -1;  // -1: no CompressionQualityFactorSupported
    bool autoExposure = false, brightness = false, contrast = false, documentSizeAutoDetect = false;
    std::vector<int> rotations;
    std::optional<SourceCaps> platen, adfFront, adfBack;
    bool adfDuplex = false;  // ADFSupportsDuplex, or an ADFBack described (see parseScannerElements)
    std::optional<SourceCaps> film;
};

struct DeviceCondition {
    int id = 0;
    std::string name, component, severity;
};

struct ScannerStatusInfo {
    std::string state;                 // Idle, Processing, Stopped (or what the device says)
    std::vector<std::string> reasons;  // ScannerStateReason words, "None" left out
    std::vector<DeviceCondition> conditions;
};

struct ScannerDescriptionInfo {
    std::string name, info, location;
};

struct ScannerElements {
    ScannerDescriptionInfo description;
    ScannerCapabilities caps;
    ScannerStatusInfo status;
    std::optional<ScanSettings> defaults;  // from DefaultScanTicket when the device gave a valid one
};

// Asks for all four standard sections in one request.
std::string buildGetScannerElementsRequest(const std::string &serviceUrl);

// Fails (nullopt, *error set) on a fault, on a body that is not a WS-Scan
// GetScannerElementsResponse, and when no usable ScannerConfiguration (with
// a platen, a feeder or a film unit) came back. Everything else is lenient:
// - a landscape MaximumSize (width > height) of the platen or the feeder is
//   read transposed, as a portrait area: scanners hold pages portrait, and
//   some firmware sends the two values swapped (trustLandscapeSizes undoes
//   it for a device that really is landscape); film keeps its shape;
// - an ADF that describes its ADFBack scans duplex even when
//   ADFSupportsDuplex says false (single-pass two-sided feeders).
std::optional<ScannerElements> parseScannerElements(const soap::Message &message, std::string *error);

// Puts back the landscape sizes parseScannerElements turned portrait: for a
// device whose area really is wider than long (quirk landscape-max-size).
void trustLandscapeSizes(ScannerCapabilities &caps);

// Asks for ScannerStatus alone: the cheap check before each scan.
std::string buildGetScannerStatusRequest(const std::string &serviceUrl);
// The ScannerStatus of a GetScannerElementsResponse; nullopt with *error on
// a fault or when the device gave no valid ScannerStatus.
std::optional<ScannerStatusInfo> parseScannerStatusResponse(const soap::Message &message, std::string *error);

// The ScannerStatus element itself (also the body of status events).
ScannerStatusInfo parseScannerStatus(const xml::Node &scannerStatus);
// One DeviceCondition (in ActiveConditions, or the body of a
// ScannerStatusConditionEvent); nullopt without a Name.
std::optional<DeviceCondition> parseDeviceCondition(const xml::Node &deviceCondition);

}  // namespace wsd
