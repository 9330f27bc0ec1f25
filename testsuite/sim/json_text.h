// The little JSON the control endpoint speaks: string escaping for the
// hand-written answers, and a reader for flat objects ({"name": value, ...})
// that POST /knobs receives. Nothing nested is needed, so nothing nested is read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace wsdsim::json {

// "text" with quotes, backslashes and control characters escaped.
std::string quote(std::string_view text);

// Values keep their JSON spelling apart from strings, which are unescaped:
// true, 42, "retrieve". Returns nullopt (and *error) for anything else than a
// flat object of scalars.
std::optional<std::map<std::string, std::string>> parseFlatObject(std::string_view text, std::string *error);

}  // namespace wsdsim::json
