// wsd.conf as a user (or a package) writes it.
#include "fuzz_support.h"
#include "wsd/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wsd::Config config;
    wsd::parseConfig(config, fuzz::asText(data, size), "fuzz.conf");
    FUZZ_ASSERT(config.discoveryTimeoutMs >= 0 && config.connectTimeoutMs >= 0);
    FUZZ_ASSERT(config.requestTimeoutMs >= 0 && config.stallTimeoutMs >= 0 && config.cancelTimeoutMs >= 0);
    return 0;
}
