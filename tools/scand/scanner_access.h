// The backend's Scanner as a SANE frontend drives it, by option name: what
// wsd-scand needs to set a destination's settings and read a page.
#pragma once

#include "document_writer.h"

#include "wsd/scanner.h"

#include <string>

namespace scand {

// False when the scanner has no such option or refuses the value.
bool setOption(wsd::Scanner &scanner, const char *name, const std::string &value);
// A string option's value; empty when there is none.
std::string optionText(wsd::Scanner &scanner, const char *name);
// An integer or fixed-point option's value (whole units); 0 when there is none.
int optionInt(wsd::Scanner &scanner, const char *name);
// One page: sane_start, the parameters, reads to the end (page replaced).
SANE_Status readPage(wsd::Scanner &scanner, int dpi, Page &page);

}  // namespace scand
