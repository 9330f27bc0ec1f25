// A device profile: the capabilities a simulated scanner advertises, read
// from a GetScannerElementsResponse-like XML file (a saved real answer works,
// whole envelope or not). The sections are sent back verbatim; the values the
// simulator needs for validating tickets are read out of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scan_ticket.h"

namespace wsdsim {

// One input source's (or ADF side's) limits. Sizes in 1/1000 inch.
struct SourceCaps {
    bool present = false;
    std::vector<int> xResolutions, yResolutions;
    std::vector<std::string> colors;
    int minWidth = 0, minHeight = 0, maxWidth = 0, maxHeight = 0;
};

struct Profile {
    std::string name;  // file stem, for logs
    // Serialized sections; empty when the profile has none (GetScannerElements
    // then answers Valid="false", as a device without that section does).
    std::string scannerDescriptionXml;
    std::string scannerConfigurationXml;
    // The same with every MaximumSize's Width and Height swapped (knob transpose-max-size).
    std::string transposedConfigurationXml;
    std::string defaultScanTicketXml;

    std::string scannerName;  // first ScannerName, also the metadata's model name
    std::vector<std::string> formats;
    int qualityMin = 0, qualityMax = 100;
    std::vector<std::string> contentTypes;
    SourceCaps platen, adfFront, adfBack;
    bool adfPresent = false;
    bool adfDuplex = false;
    // The DefaultScanTicket's values (only the fields it holds are "given").
    ScanTicket defaults;

    // ADFDuplex when the feeder says ADFSupportsDuplex or describes its
    // ADFBack: single-pass two-sided feeders scan both sides while saying
    // they have no duplexer.
    bool supportsSource(const std::string &source) const;
    // Capabilities that apply to a side of a source (ADF back falls back to front).
    const SourceCaps &caps(const std::string &source, bool back) const;
};

// Throws std::runtime_error with a readable message.
Profile loadProfileText(const std::string &xml, const std::string &name);
Profile loadProfileFile(const std::string &path);
// A file path, or the name of a bundled profile ("office-mfp" ->
// <dir>/office-mfp.xml, searched in the installed and the source profile
// directories). Throws std::runtime_error when nothing is found.
std::string findProfile(const std::string &fileOrName);

}  // namespace wsdsim
