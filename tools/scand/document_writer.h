// Writes a panel scan's pages into the folder: one PDF for all pages (cairo's
// PDF surface), or one PNG (cairo) or JPEG (libjpeg) file per page. Files
// appear whole: each is written under a temporary name, then renamed.
#pragma once

#include "scand_config.h"

#include <cstdint>
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

// The files written (full paths), empty with *error set on failure.
// baseName has no extension ("scan-20261207-054600").
std::vector<std::string> writeDocument(const std::vector<Page> &pages, DocumentFormat format,
                                       const std::string &folder, const std::string &baseName, std::string *error);

}  // namespace scand
