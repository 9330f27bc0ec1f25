// The job registry file: written by the backend, but in the user's own
// directory, where anything (a crash mid-write, another program) may leave
// any bytes.
#include "fuzz_support.h"
#include "wsd/job_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (const wsd::JobRecord &r : wsd::parseJobRecords(fuzz::asText(data, size))) {
        FUZZ_ASSERT(!r.jobName.empty() && r.jobId >= 0 && r.creator.pid > 0);
        FUZZ_ASSERT(r.jobName.find_first_of("\t\n") == std::string::npos);
    }
    return 0;
}
