// Checks a decoded scan against the test pattern it should show: size,
// colour bars, gray ramp, sheet number, side marker, grid line positions
// (hence the region offset) and the share of pixels that match.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "image_decoder.h"
#include "test_pattern.h"

namespace wsdsim {

enum class ScanKind { Colour, Gray, Lineart };

struct CheckRequest {
    ScanKind kind = ScanKind::Colour;
    int xResolution = 300, yResolution = 300;   // pixels per inch asked for
    int xOffset = 0, yOffset = 0;               // region offset, 1/1000 inch
    std::optional<int> width, height;           // region size, 1/1000 inch; unset: not checked
    std::optional<int> sheet;                   // expected sheet number (checked modulo 256)
    std::optional<bool> back;                   // expected side
    int sizeTolerance = 1;          // pixels either way
    int patchTolerance = 24;        // mean of a bar, ramp step or block vs its colour, per channel
    int pixelTolerance = 48;        // one pixel away from edges vs its colour, per channel
    double minPixelMatch = 0.99;    // share of those pixels that must be within pixelTolerance
};

struct CheckReport {
    bool ok = true;
    std::vector<std::string> lines;   // "ok   ..." / "FAIL ..." / "skip ...", one per check
    std::optional<int> sheetCode;     // what the sheet blocks read
    std::optional<bool> back;         // what the side blocks read
    double pixelMatch = 0;            // share of compared pixels within pixelTolerance
};

// Parses "color"/"colour"/"gray"/"grey"/"lineart" and the WS-Scan and SANE
// names (RGB24, Grayscale8, BlackAndWhite1, Color, Gray, Lineart...).
std::optional<ScanKind> parseScanKind(const std::string &name);

CheckReport checkPattern(const DecodedImage &image, const CheckRequest &request);

}  // namespace wsdsim
