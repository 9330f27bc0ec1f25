// GetJobElementsResponse: the job's state, reasons and scan count, polled
// while a job runs.
#include "fuzz_support.h"
#include "wsd/scan_job_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto message = fuzz::parseEnvelope(data, size);
    if (!message || message->fault)
        return 0;
    std::string error;
    auto status = wsd::parseGetJobElementsResponse(*message, &error);
    if (!status) {
        FUZZ_ASSERT(!error.empty());
        return 0;
    }
    wsd::jobStateIsFinal(status->state);
    return 0;
}
