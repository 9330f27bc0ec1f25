// Lookups in the WS-Scan namespace shared by the capability and job message
// parsers. Every lookup accepts the real 2006/08 namespace and the 2006/01
// pre-release one that Microsoft's examples use (WS-Scan element reference examples); untrusted text
// is bounded and numbers are range-checked.
#pragma once

#include "wsd/soap.h"
#include "wsd/xml.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsd::scanxml {

// No WS-Scan string (names, keywords, job names) is longer than 255
// characters in the schema; longer text is cut there.
constexpr std::size_t MaxText = 255;
// Upper bound for repeated elements we collect (resolutions, keywords,
// conditions, jobs): a device never lists more, a hostile one may.
constexpr std::size_t MaxItems = 256;

bool isScanNamespace(std::string_view uri);
bool is(const xml::Node &node, const char *local);
xml::Node child(const xml::Node &node, const char *local);
xml::Node path(const xml::Node &node, std::initializer_list<const char *> locals);
std::vector<xml::Node> children(const xml::Node &node, const char *local);

// Trimmed text of the named child, cut at MaxText; empty when absent.
std::string text(const xml::Node &node, const char *local);
std::optional<int> integer(const xml::Node &node, const char *local, long min, long max);
std::optional<bool> boolean(const xml::Node &node, const char *local);
// Texts of the named children (keyword lists), empty ones skipped, duplicates dropped.
std::vector<std::string> keywords(const xml::Node &node, const char *local);

// The body element of a WS-Scan response, checked by its name (not by the
// Action, which the WS-Scan element reference examples get wrong). On a fault or a
// different body, returns an empty Node and describes the problem in *error.
xml::Node responsePayload(const soap::Message &message, const char *local, std::string *error);

// "ClientErrorNoImagesAvailable (Sender): no more images", for log lines.
std::string describeFault(const soap::Fault &fault);

}  // namespace wsd::scanxml
