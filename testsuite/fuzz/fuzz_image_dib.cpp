// DIB/BMP (the Windows bitmap some devices send).
#include "image_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz::decodeInChunks(data, size, [](wsd::LineSink &sink, const wsd::ImageLimits &limits) {
        return wsd::makeDibDecoder(sink, limits);
    });
}
