// wsd-discover --capture's masking of what a device answered: any bytes;
// what it returns is XML again, and masking it once more still works.
#include "fuzz_support.h"
#include "wsd/capture_mask.h"
#include "wsd/xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wsd::CaptureMasker masker;
    std::string error;
    std::optional<std::string> masked = masker.mask(fuzz::asText(data, size), &error);
    if (!masked) {
        FUZZ_ASSERT(!error.empty());
        return 0;
    }
    FUZZ_ASSERT(static_cast<bool>(wsd::xml::Document::parse(*masked)));
    FUZZ_ASSERT(masker.mask(*masked).has_value());
    return 0;
}
