// WS-Transfer GetResponse: the device's metadata (model, hosted services
// and the scan service's addresses).
#include "fuzz_support.h"
#include "wsd/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto message = fuzz::parseEnvelope(data, size);
    if (!message || message->fault)
        return 0;
    std::string error;
    auto metadata = wsd::parseMetadata(*message, &error);
    if (!metadata) {
        FUZZ_ASSERT(!error.empty());
        return 0;
    }
    metadata->scanServiceUrls();
    return 0;
}
