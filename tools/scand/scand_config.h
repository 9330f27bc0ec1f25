// wsd-scand's configuration (wsd-scand(1), CONFIGURATION): the folder the
// documents go to and the destinations this computer shows on each panel,
// each with its scan settings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scand {

enum class DocumentFormat { Pdf, Png, Jpeg };

struct Destination {
    std::string displayName;  // WS-Scan ClientDisplayName: what the panel lists
    std::string mode;         // the backend's mode option value ("Color", "Gray", "Lineart"); empty: its default
    int resolution = 0;       // dots per inch; 0: the backend's default
    std::string source;       // the backend's source option value; empty: what the panel chose
    DocumentFormat format = DocumentFormat::Pdf;
};

struct Settings {
    std::string folder;  // where documents are written
    std::vector<Destination> destinations;
};

// Parses the configuration text; nullopt with *error ("LINE: what") on the
// first bad line. Without a [destination] section, one destination named
// defaultName (PDF, the backend's defaults) is shown.
std::optional<Settings> parseSettings(std::string_view text, const std::string &defaultName, std::string *error);

}  // namespace scand
