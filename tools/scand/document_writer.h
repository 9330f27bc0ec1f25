// Writes a panel scan's pages into the folder: one PDF for all pages (cairo's
// PDF surface), or one PNG (cairo) or JPEG (libjpeg) file per page. Files
// appear whole: each is written under a temporary name, then renamed.
#pragma once

#include "scand_config.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace scand {

// One page as the backend delivered it (SANE frame): 8-bit gray or RGB, or
// 1-bit lineart (1 is black).
struct Page {
    int width = 0, height = 0;
    int channels = 1;  // 1 or 3
    int depth = 8;     // 8, or 1 for lineart
    int bytesPerLine = 0;
    int dpi = 0;
    std::vector<std::uint8_t> data;
};

// baseName, or baseName-2, -3 ...: the first whose files do not exist yet
// in folder (two scans within one second keep both).
std::string freeBaseName(const std::string &folder, const std::string &baseName, DocumentFormat format);

// One document, a page at a time, so that a long feeder job never holds
// more than one page in memory. Files appear under their names only in
// finish(); until then (and when it is never called) they are hidden
// temporaries, removed by the destructor.
class DocumentWriter {
public:
    // baseName has no extension ("scan-20261207-054600").
    DocumentWriter(DocumentFormat format, std::string folder, std::string baseName);
    ~DocumentWriter();
    DocumentWriter(const DocumentWriter &) = delete;
    DocumentWriter &operator=(const DocumentWriter &) = delete;

    bool addPage(const Page &page, std::string *error);
    std::size_t pages() const { return pages_; }
    // The files (full paths), empty with *error set on failure.
    std::vector<std::string> finish(std::string *error);

private:
    struct Pdf;  // the cairo PDF surface and its context

    const DocumentFormat format_;
    const std::string folder_, baseName_;
    std::unique_ptr<Pdf> pdf_;
    std::vector<std::string> temporaries_;
    std::size_t pages_ = 0;
};

}  // namespace scand
