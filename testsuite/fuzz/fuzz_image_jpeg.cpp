// JPEG (JFIF, EXIF) through the incremental libjpeg decoder.
#include "image_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz::decodeInChunks(data, size, [](wsd::LineSink &sink, const wsd::ImageLimits &limits) {
        return wsd::makeJpegDecoder(sink, limits);
    });
}
