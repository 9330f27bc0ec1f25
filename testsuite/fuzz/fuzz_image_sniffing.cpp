// Any image a device sends, through the format sniffer (the backend's path).
#include "image_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz::decodeInChunks(data, size, [](wsd::LineSink &sink, const wsd::ImageLimits &limits) {
        return wsd::makeSniffingDecoder(sink, limits);
    });
}
