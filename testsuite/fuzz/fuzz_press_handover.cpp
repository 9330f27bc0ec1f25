// The panel press hand-over file: written by the backend, but in the user's
// own directory, where anything (a crash mid-write, another program) may
// leave any bytes. What it reads back is bounded, and written again it
// reads back the same.
#include "fuzz_support.h"
#include "wsd/press_handover.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::vector<wsd::handover::Entry> entries =
        wsd::handover::parseEntries(std::string(fuzz::asText(data, size)));
    FUZZ_ASSERT(entries.size() <= wsd::handover::MaxEntries);
    for (const wsd::handover::Entry &e : entries) {
        FUZZ_ASSERT(!e.serviceUrl.empty() && !e.manager.address.empty() && !e.press.scanIdentifier.empty());
        const std::string line = wsd::handover::formatEntry(e);
        FUZZ_ASSERT(line.find('\n') == line.size() - 1);
        const std::vector<wsd::handover::Entry> again = wsd::handover::parseEntries(line);
        FUZZ_ASSERT(again.size() == 1);
        const wsd::handover::Entry &a = again.front();
        FUZZ_ASSERT(a.serviceUrl == e.serviceUrl && a.deadlineMs == e.deadlineMs);
        FUZZ_ASSERT(a.manager.address == e.manager.address && a.manager.identifier == e.manager.identifier);
        FUZZ_ASSERT(a.manager.referenceParameters == e.manager.referenceParameters);
        FUZZ_ASSERT(a.press.scanIdentifier == e.press.scanIdentifier);
        FUZZ_ASSERT(a.press.destinationToken == e.press.destinationToken);
        FUZZ_ASSERT(a.press.inputSource == e.press.inputSource);
    }
    return 0;
}
