// What each input source of a device allows, in the SANE forms the option
// descriptors point at: resolution word list, mode string list, scan-area
// ranges in millimetres. Built once from the WS-Scan capabilities; the option
// table switches its constraints between them when the source changes.
#pragma once

#include "wsd/capabilities.h"
#include "wsd/scan_modes.h"

#include <sane/sane.h>

#include <vector>

namespace wsd {

struct SourceConstraints {
    InputSource source;
    SourceCaps caps;
    std::vector<SANE_Word> resolutions;    // word list: count first
    std::vector<ColorMode> modes;          // offered, in AllColorModes order; never empty; Lineart always
    bool deviceLineart = false;            // the source lists BlackAndWhite1 (else lineart is made locally)
    bool deviceGray = false;               // the source lists Grayscale8
    std::vector<SANE_String_Const> modeNames;  // the modes' SANE names, NULL-terminated
    SANE_Range xRange, yRange;             // mm, SANE_Fixed
};

// One entry per source the device has: platen, feeder, duplex feeder
// (the settings both sides share), film.
std::vector<SourceConstraints> sourceConstraints(const ScannerCapabilities &caps);

// The list entry closest to want (a word list: count first).
SANE_Word nearest(const std::vector<SANE_Word> &wordList, SANE_Word want);

SANE_Fixed thouToMm(int thou);
int mmToThou(SANE_Fixed mm);

}  // namespace wsd
