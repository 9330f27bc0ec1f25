#include "request_layout.h"

#include <algorithm>

namespace wsdsim {

std::optional<std::string> multiLineLayout(std::string_view body)
{
    // The document element starts at the first '<' that does not open a
    // declaration or processing instruction ("<?").
    std::size_t root = body.find('<');
    while (root != std::string_view::npos && root + 1 < body.size() && body[root + 1] == '?')
        root = body.find('<', root + 1);
    if (root == std::string_view::npos)
        return std::nullopt;
    std::string_view element = body.substr(root);
    while (!element.empty() && (element.back() == '\n' || element.back() == '\r'))
        element.remove_suffix(1);  // a final line break ends the last line
    const auto breaks = std::count(element.begin(), element.end(), '\n') +
                        std::count(element.begin(), element.end(), '\r');
    if (breaks == 0)
        return std::nullopt;
    return "the request is laid out over " + std::to_string(breaks + 1) +
           " lines; this device parses a request only when it is on one line";
}

}  // namespace wsdsim
