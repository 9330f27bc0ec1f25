// GetScannerElementsResponse: description, capabilities, status and default
// ticket, then the SANE option table the backend builds from them, read and
// set as a frontend would.
#include "fuzz_support.h"
#include "wsd/capabilities.h"
#include "wsd/job_refusal.h"
#include "wsd/options.h"

#include <cstring>
#include <vector>

namespace {

// Reads every option, then sets each to its constraint's first value.
void exerciseOptions(wsd::ScanOptions &options)
{
    for (SANE_Int i = 0; i < options.count(); ++i) {
        const SANE_Option_Descriptor *d = options.descriptor(i);
        FUZZ_ASSERT(d);
        if (d->type == SANE_TYPE_GROUP || d->size <= 0)
            continue;
        std::vector<unsigned char> value(static_cast<size_t>(d->size) + 1, 0);
        SANE_Int info = 0;
        if (options.control(i, SANE_ACTION_GET_VALUE, value.data(), &info) != SANE_STATUS_GOOD)
            continue;
        if (!SANE_OPTION_IS_SETTABLE(d->cap) || !SANE_OPTION_IS_ACTIVE(d->cap))
            continue;
        if (d->constraint_type == SANE_CONSTRAINT_STRING_LIST && d->constraint.string_list[0]) {
            std::vector<char> s(static_cast<size_t>(d->size), 0);
            std::strncpy(s.data(), d->constraint.string_list[0], s.size() - 1);
            options.control(i, SANE_ACTION_SET_VALUE, s.data(), &info);
        } else if (d->constraint_type == SANE_CONSTRAINT_WORD_LIST && d->constraint.word_list[0] > 0) {
            SANE_Word w = d->constraint.word_list[1];
            options.control(i, SANE_ACTION_SET_VALUE, &w, &info);
        } else if (d->constraint_type == SANE_CONSTRAINT_RANGE) {
            SANE_Word w = d->constraint.range->max;
            options.control(i, SANE_ACTION_SET_VALUE, &w, &info);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto message = fuzz::parseEnvelope(data, size);
    if (!message || message->fault)
        return 0;
    std::string error;
    auto elements = wsd::parseScannerElements(*message, &error);
    if (!elements) {
        FUZZ_ASSERT(!error.empty());
        return 0;
    }
    for (const char *source : {"Platen", "ADF", "ADFDuplex"})
        wsd::refusalBeforeScan(elements->status, source);

    wsd::ScanOptions options(*elements);
    exerciseOptions(options);
    SANE_Parameters p = options.parameters();
    FUZZ_ASSERT(p.bytes_per_line >= 0 && p.pixels_per_line >= 0);
    options.settings();
    options.updateStatus(elements->status);

    // The quirk landscape-max-size: the sizes as sent must make sane options too.
    wsd::ScannerElements asSent = *elements;
    wsd::trustLandscapeSizes(asSent.caps);
    wsd::ScanOptions landscape(asSent);
    exerciseOptions(landscape);
    return 0;
}
