// Masks what identifies a user's device or network in a captured message
// before wsd-discover --capture writes it: addresses and host names,
// UUIDs (a urn:uuid endpoint address often ends in the MAC address), MAC
// addresses and serial numbers. It works on the XML text nodes and
// attribute values through libxml2, so markup is never touched, and keeps
// one placeholder per distinct value across all the files of a capture so
// that the masked messages still refer to one another.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace wsd {

class CaptureMasker {
public:
    CaptureMasker();
    // The device's endpoint UUID: it becomes the fixed placeholder
    // 00000000-0000-4000-8000-000000000001 wherever it appears.
    void setEndpointUuid(const std::string &uuid);
    // The masked document, or nullopt and *error when it is not XML.
    std::optional<std::string> mask(std::string_view document, std::string *error = nullptr);
    // A line of text outside any document (e.g. the target given). Every
    // URL host it names is then masked where it stands alone, in later
    // documents too.
    std::string maskText(std::string_view text);

    // One line per kind of value replaced and how many distinct ones.
    std::vector<std::string> summary() const;

private:
    struct Placeholders {
        std::map<std::string, std::string> byValue;
        // The placeholder of value, made by make(n) for the n-th distinct one (from 1).
        std::string take(const std::string &value, std::string (*make)(std::size_t));
    };
    std::string hostPlaceholder(const std::string &host);
    std::string replaceKnown(std::string text) const;

    std::set<std::string> publicHosts_;  // never masked: specification URIs
    Placeholders ipv4_, ipv6_, names_, uuids_, macs_, serials_;
};

}  // namespace wsd
