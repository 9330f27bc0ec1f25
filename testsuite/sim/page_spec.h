// What one scanned page side looks like: which sheet/side, and the scan
// parameters the simulator was asked for (WS-Scan ticket values).
#pragma once

#include <string>

namespace wsdsim {

struct PageSpec {
    int sheet = 1;            // 1-based sheet number in the job
    bool back = false;        // back side of a duplex sheet
    std::string source;       // "Platen", "ADF", "ADFDuplex"
    std::string colorEntry;   // WS-Scan ColorEntry: BlackAndWhite1, Grayscale8, RGB24, ...
    std::string format;       // WS-Scan Format: jfif, exif, png, tiff-single-uncompressed, tiff-single-g4, dib, ...
    int xResolution = 300, yResolution = 300;   // pixels per inch
    int xOffset = 0, yOffset = 0;               // region offset, 1/1000 inch
    int width = 8500, height = 11000;           // region size, 1/1000 inch
    bool texture = false;     // sensor noise / paper texture (benchmarks: realistic JPEG size)
    int jpegQuality = 85;
};

} // namespace wsdsim
