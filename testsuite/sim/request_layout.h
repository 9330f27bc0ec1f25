// How a request is laid out on the wire. Some device firmware parses XML by
// lines: a Brother MFC-L2750DW refused a scan request laid out over several
// lines with indentation and accepted the same request on one line
// (sane-airscan#22); an HP DeskJet 2540 refused a start tag split over lines
// (sane-airscan#1). The one-line-only knob plays such a parser.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wsdsim {

// Why `body` is not on one line, nullopt when it is. A line break after the
// XML declaration is allowed: the document element and everything in it must
// be on one line.
std::optional<std::string> multiLineLayout(std::string_view body);

}  // namespace wsdsim
