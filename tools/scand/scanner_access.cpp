#include "scanner_access.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace scand {

namespace {

SANE_Int findOption(wsd::Scanner &scanner, const char *name)
{
    SANE_Int count = 0;
    if (scanner.control(0, SANE_ACTION_GET_VALUE, &count, nullptr) != SANE_STATUS_GOOD)
        return -1;
    for (SANE_Int i = 1; i < count; ++i) {
        const SANE_Option_Descriptor *d = scanner.descriptor(i);
        if (d && d->name && std::string(d->name) == name)
            return i;
    }
    return -1;
}

}  // namespace

bool setOption(wsd::Scanner &scanner, const char *name, const std::string &value)
{
    const SANE_Int option = findOption(scanner, name);
    if (option < 0)
        return false;
    const SANE_Option_Descriptor *d = scanner.descriptor(option);
    if (d->type == SANE_TYPE_STRING) {
        std::string text = value;
        text.resize(std::max<std::size_t>(value.size() + 1, d->size));
        return scanner.control(option, SANE_ACTION_SET_VALUE, text.data(), nullptr) == SANE_STATUS_GOOD;
    }
    SANE_Word word = std::atoi(value.c_str());
    if (d->type == SANE_TYPE_FIXED)
        word = SANE_FIX(word);
    return scanner.control(option, SANE_ACTION_SET_VALUE, &word, nullptr) == SANE_STATUS_GOOD;
}

std::string optionText(wsd::Scanner &scanner, const char *name)
{
    const SANE_Int option = findOption(scanner, name);
    if (option < 0 || scanner.descriptor(option)->type != SANE_TYPE_STRING)
        return {};
    std::string text(scanner.descriptor(option)->size, '\0');
    scanner.control(option, SANE_ACTION_GET_VALUE, text.data(), nullptr);
    return text.c_str();
}

int optionInt(wsd::Scanner &scanner, const char *name)
{
    const SANE_Int option = findOption(scanner, name);
    SANE_Word word = 0;
    if (option < 0 || scanner.control(option, SANE_ACTION_GET_VALUE, &word, nullptr) != SANE_STATUS_GOOD)
        return 0;
    return scanner.descriptor(option)->type == SANE_TYPE_FIXED ? SANE_UNFIX(word) : word;
}

// One page of the job: sane_start, the parameters, reads to the end.
SANE_Status readPage(wsd::Scanner &scanner, int dpi, Page &page)
{
    SANE_Status status = scanner.start();
    if (status != SANE_STATUS_GOOD)
        return status;
    SANE_Parameters p{};
    if ((status = scanner.parameters(&p)) != SANE_STATUS_GOOD)
        return status;
    page = Page();
    page.width = p.pixels_per_line;
    page.channels = p.format == SANE_FRAME_RGB ? 3 : 1;
    page.depth = p.depth;
    page.bytesPerLine = p.bytes_per_line;
    page.dpi = dpi;
    std::vector<SANE_Byte> chunk(64 * 1024);
    SANE_Int length = 0;
    while ((status = scanner.read(chunk.data(), static_cast<SANE_Int>(chunk.size()), &length)) == SANE_STATUS_GOOD)
        page.data.insert(page.data.end(), chunk.begin(), chunk.begin() + length);
    if (status != SANE_STATUS_EOF)
        return status;
    if (page.bytesPerLine <= 0 || (page.depth != 8 && page.depth != 1))
        return SANE_STATUS_UNSUPPORTED;
    page.height = static_cast<int>(page.data.size() / page.bytesPerLine);
    if (page.width <= 0 || page.height <= 0)
        return SANE_STATUS_IO_ERROR;
    return SANE_STATUS_GOOD;
}

}  // namespace scand
