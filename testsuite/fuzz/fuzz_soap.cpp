// SOAP 1.2 envelopes as any device answers them: addressing headers, Body,
// and the Fault (code, nested subcodes, reason, detail).
#include "fuzz_support.h"
#include "wsd/scan_job_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto message = fuzz::parseEnvelope(data, size);
    if (!message)
        return 0;
    FUZZ_ASSERT(message->body);
    if (message->fault)
        wsd::statusFromFault(*message->fault);
    return 0;
}
