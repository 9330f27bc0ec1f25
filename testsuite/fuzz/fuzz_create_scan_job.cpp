// CreateScanJobResponse (job id, token, image info, final parameters) and
// ValidateScanTicketResponse, which share the ticket and image-info readers.
#include "fuzz_support.h"
#include "wsd/scan_job_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto message = fuzz::parseEnvelope(data, size);
    if (!message)
        return 0;
    if (message->fault) {
        wsd::statusFromFault(*message->fault);
        return 0;
    }
    std::string error;
    if (!wsd::parseCreateScanJobResponse(*message, &error))
        FUZZ_ASSERT(!error.empty());
    error.clear();
    if (!wsd::parseValidateScanTicketResponse(*message, &error))
        FUZZ_ASSERT(!error.empty());
    return 0;
}
