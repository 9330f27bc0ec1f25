#include "scand_config.h"

#include <cstdlib>
#include <string>

namespace scand {

namespace {

std::string trim(std::string_view s)
{
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos)
        return {};
    const auto last = s.find_last_not_of(" \t\r");
    return std::string(s.substr(first, last - first + 1));
}

std::optional<DocumentFormat> formatNamed(const std::string &name)
{
    if (name == "pdf")
        return DocumentFormat::Pdf;
    if (name == "png")
        return DocumentFormat::Png;
    if (name == "jpeg" || name == "jpg")
        return DocumentFormat::Jpeg;
    return std::nullopt;
}

// The panel shows a short text; WS-Scan bounds ClientDisplayName nowhere,
// devices show some 20-40 characters, so a long name is a mistake.
constexpr std::size_t MaxDisplayName = 64;

}  // namespace

std::optional<Settings> parseSettings(std::string_view text, const std::string &defaultName, std::string *error)
{
    Settings settings;
    if (const char *home = std::getenv("HOME"))
        settings.folder = std::string(home) + "/Scans";
    int lineNumber = 0;
    auto fail = [&](const std::string &what) {
        *error = std::to_string(lineNumber) + ": " + what;
        return std::nullopt;
    };
    while (!text.empty()) {
        ++lineNumber;
        const auto end = text.find('\n');
        std::string line = trim(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (line.empty() || line[0] == '#')
            continue;
        if (line.front() == '[') {
            const std::string prefix = "[destination ";
            if (line.back() != ']' || line.compare(0, prefix.size(), prefix) != 0)
                return fail("expected [destination NAME]");
            Destination d;
            d.displayName = trim(std::string_view(line).substr(prefix.size(), line.size() - prefix.size() - 1));
            if (d.displayName.empty() || d.displayName.size() > MaxDisplayName)
                return fail("a destination needs a name of 1 to 64 bytes");
            for (const Destination &other : settings.destinations)
                if (other.displayName == d.displayName)
                    return fail("destination \"" + d.displayName + "\" is named twice");
            settings.destinations.push_back(d);
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            return fail("expected KEY = VALUE");
        const std::string key = trim(std::string_view(line).substr(0, eq));
        const std::string value = trim(std::string_view(line).substr(eq + 1));
        if (key == "folder" && settings.destinations.empty()) {
            if (value.empty())
                return fail("folder needs a path");
            settings.folder = value.compare(0, 2, "~/") == 0 && std::getenv("HOME")
                                  ? std::string(std::getenv("HOME")) + value.substr(1)
                                  : value;
            continue;
        }
        if (settings.destinations.empty())
            return fail("\"" + key + "\" belongs in a [destination NAME] section");
        Destination &d = settings.destinations.back();
        if (key == "mode")
            d.mode = value;
        else if (key == "source")
            d.source = value;
        else if (key == "resolution") {
            char *rest = nullptr;
            const long dpi = std::strtol(value.c_str(), &rest, 10);
            if (value.empty() || *rest || dpi < 1 || dpi > 9600)
                return fail("resolution must be 1 to 9600");
            d.resolution = static_cast<int>(dpi);
        } else if (key == "format") {
            auto format = formatNamed(value);
            if (!format)
                return fail("format must be pdf, png or jpeg");
            d.format = *format;
        } else
            return fail("unknown key \"" + key + "\"");
    }
    if (settings.destinations.empty())
        settings.destinations.push_back(Destination{defaultName, {}, 0, {}, DocumentFormat::Pdf});
    if (settings.folder.empty())
        return fail("no folder (and no $HOME)");
    return settings;
}

}  // namespace scand
