// What one scan asks the device for: the values of a WS-Scan ScanTicket
// (WS-Scan ScanTicket element) in the units the ticket uses. The
// option table fills it for sane_start; the ticket builder turns it into XML
// and the response parsers fill it back from DefaultScanTicket,
// ValidScanTicket and DocumentFinalParameters.
#pragma once

#include "wsd/scan_modes.h"

#include <optional>
#include <string>

namespace wsd {

struct ScanSettings {
    std::string source = keyword(InputSource::Platen);  // WS-Scan InputSource keyword
    std::string format;             // FormatValue keyword (jfif, png, tiff-single-g4, ...)
    std::string colorEntry;         // ColorEntry keyword (RGB24, Grayscale8, BlackAndWhite1, ...)
    int xResolution = 0;            // pixels per inch
    int yResolution = 0;
    int xOffset = 0;  // scan region, 1/1000 inch
    int yOffset = 0;
    int width = 0;
    int height = 0;
    int imagesToTransfer = 1;  // 0 = all the feeder holds (INDEX A13)
    std::optional<int> brightness;          // -1000..1000, only when the device advertises it
    std::optional<int> contrast;            // -1000..1000
    std::optional<int> compressionQuality;  // 0..100
    std::string contentType;                // Auto, Text, Photo, Halftone, Mixed; empty = not sent
    std::string jobName;
    std::string userName;
    // A job the user started at the device's panel (WS-Scan
    // CreateScanJobRequest): the ScanAvailableEvent's ScanIdentifier and the
    // DestinationToken of our subscription. Both empty for a pull scan.
    std::string scanIdentifier;
    std::string destinationToken;

    bool duplex() const { return inputSourceFromKeyword(source) == InputSource::AdfDuplex; }
    bool feeder() const
    {
        std::optional<InputSource> s = inputSourceFromKeyword(source);
        return s && isFeeder(*s);
    }
};

}  // namespace wsd
