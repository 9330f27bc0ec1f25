// Device behaviours that differ from WS-Scan, in one table looked up by the
// manufacturer and model strings of the device metadata, with a per-device
// override from wsd.conf ("name=on|off" pairs). The rest of the backend asks
// a Quirks value, never a vendor name.
//
// Not flags, because every device gets them: requests are always written
// on one line, with the prefixes soap, wsa and wscn (Brother ADS-2700W
// accepts no others). One line because a Brother MFC-L2750DW refused a scan
// request laid out over lines with indentation and took it on one line
// (sane-airscan#22, an eSCL request; WSD then worked on one line too), and an
// HP DeskJet 2540 refused a start tag split over lines (sane-airscan#1). No
// device is reported to need line breaks, so there is no quirk for them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wsd {

struct Quirks {
    // "scan-path": the scan service answers at the device address + "/scan"
    // although the metadata names the device address (Samsung: /wsd vs /wsd/scan).
    bool scanPathSuffix = false;
    // "rotate-back-side": duplex back sides arrive rotated by 180 degrees.
    bool rotateBackSide = false;
    // "landscape-max-size": a MaximumSize wider than long is the device's
    // real area, not a transposed portrait one (the general rule).
    bool landscapeMaxSize = false;
    // "skip-validation": no ValidateScanTicket before the job, for a device
    // whose validation is wrong (sane-airscan added the request and rolled it
    // back a day later, no reason recorded). A ValidScanTicket that differs
    // from the ticket in nothing is ignored without it.
    bool skipTicketValidation = false;
};

// The table's quirks for a device; all off for one it does not know.
// Patterns match case-insensitively, so "HP", "hp" and "Hewlett-Packard" work.
Quirks quirksFor(const std::string &manufacturer, const std::string &model);

// Applies "name=on|off" pairs separated by commas, semicolons or white space
// (values: on/off, yes/no, true/false, 1/0). Valid pairs are applied even
// when others are bad; returns false and describes the bad ones in *error.
bool applyQuirkOverrides(Quirks &quirks, std::string_view pairs, std::string *error);

// "scan-path,rotate-back-side", or "none": for the log.
std::string describeQuirks(const Quirks &quirks);

// Every quirk name, for the manual page and error messages.
std::vector<std::string> quirkNames();

// The scan service URL under the scan-path quirk: "/scan" appended to the
// path, unless it already ends that way.
std::string scanPathUrl(const std::string &deviceUrl);

}  // namespace wsd
