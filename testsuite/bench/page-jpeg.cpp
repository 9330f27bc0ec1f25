// Writes to stdout the page wsd-sim sends for a benchmark scan (A4 colour
// JPEG with paper texture, at the resolution given), so that djpeg can be
// timed on exactly that file: the decode limit of the scan benchmark.
// Usage: page-jpeg [DPI]
#include "../sim/image_encoder.h"

#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv)
{
    wsdsim::PageSpec spec;
    spec.source = "Platen";
    spec.colorEntry = "RGB24";
    spec.format = "jfif";
    spec.xResolution = spec.yResolution = argc > 1 ? std::atoi(argv[1]) : 600;
    spec.width = 8268;    // 210 mm in 1/1000 inch
    spec.height = 11654;  // 296 mm
    spec.texture = true;
    wsdsim::EncodedImage page = wsdsim::encodePage(spec);
    return std::fwrite(page.bytes.data(), 1, page.bytes.size(), stdout) == page.bytes.size() ? 0 : 1;
}
