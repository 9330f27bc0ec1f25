// GetActiveJobsResponse and GetJobHistoryResponse: the job summaries read
// at sane_open to cancel orphaned jobs.
#include "fuzz_support.h"
#include "wsd/scan_job_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto message = fuzz::parseEnvelope(data, size);
    if (!message || message->fault)
        return 0;
    std::string error;
    auto jobs = wsd::parseJobSummaries(*message, &error);
    if (!jobs) {
        FUZZ_ASSERT(!error.empty());
        return 0;
    }
    for (const auto &job : *jobs)
        wsd::jobStateIsFinal(job.state);
    return 0;
}
