// Encodes a test-pattern page into the file format a WS-Scan device sends
// (jfif, exif, png, tiff-single-uncompressed, tiff-single-g4, dib).
#pragma once

#include <string>

#include "page_spec.h"

namespace wsdsim {

struct EncodedImage {
    std::string contentType;   // MIME type of the image part, e.g. image/jpeg
    std::string bytes;         // the complete file
    int pixelsPerLine;
    int lines;
    int bytesPerLine;          // 0 for compressed formats (as WS-Scan reports them), else the raw stride
};

// Throws std::invalid_argument for a format/colour combination it cannot produce.
EncodedImage encodePage(const PageSpec &spec);
bool canEncode(const std::string &format, const std::string &colorEntry);

} // namespace wsdsim
