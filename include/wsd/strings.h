// Text helpers for protocol words and configuration lines. ASCII only and
// independent of the C locale: the words they handle (MIME header names,
// URL schemes, WS-Scan keywords, config keys) are ASCII by their
// specifications.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wsd {

// Space, tab, CR, LF, vertical tab and form feed.
bool isSpace(char c);
std::string_view trim(std::string_view s);
std::string lower(std::string_view s);
bool equalsIgnoreCase(std::string_view a, std::string_view b);
bool startsWithIgnoreCase(std::string_view s, std::string_view prefix);
// The items between runs of separators (isSeparator(char) true), at most
// maxItems of them; empty items are left out.
template <typename IsSeparator>
std::vector<std::string_view> splitOn(std::string_view s, IsSeparator isSeparator, std::size_t maxItems = SIZE_MAX)
{
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size() && out.size() < maxItems) {
        while (i < s.size() && isSeparator(s[i]))
            ++i;
        std::size_t start = i;
        while (i < s.size() && !isSeparator(s[i]))
            ++i;
        if (i > start)
            out.push_back(s.substr(start, i - start));
    }
    return out;
}

// The words between runs of white space, at most maxItems of them.
inline std::vector<std::string_view> splitWhitespace(std::string_view s, std::size_t maxItems = SIZE_MAX)
{
    return splitOn(s, isSpace, maxItems);
}

}  // namespace wsd
