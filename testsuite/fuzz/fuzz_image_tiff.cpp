// TIFF (uncompressed, G3, G4, LZW, JPEG-in-TIFF...) through libtiff on the buffered file.
#include "image_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz::decodeInChunks(data, size, [](wsd::LineSink &sink, const wsd::ImageLimits &limits) {
        return wsd::makeTiffDecoder(sink, limits);
    });
}
