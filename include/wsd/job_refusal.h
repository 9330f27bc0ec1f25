// Why a scanner refuses a job, in words a user can act on: one table of the
// WS-Scan ScannerStateReason / DeviceCondition names (ScannerStatus), read
// together with the CreateScanJob fault that refused the job, and the
// settings a refused ScanTicket named.
#pragma once

#include "wsd/capabilities.h"
#include "wsd/scan_modes.h"
#include "wsd/scan_settings.h"
#include "wsd/soap.h"

#include <sane/sane.h>

#include <optional>
#include <string>
#include <vector>

namespace wsd {

struct Refusal {
    SANE_Status status = SANE_STATUS_GOOD;
    std::string message;     // for the user: what is wrong and what to do
    bool warmingUp = false;  // the device calibrates or warms its lamp: ask again later
};

// The meaning of one ScannerStateReason or DeviceCondition Name (compared
// without case); nullopt for a word the table lacks (vendors add their own).
// feeder: the scan uses the document feeder (an empty tray matters only then).
std::optional<Refusal> meaningOfStatusWord(const std::string &word, bool feeder);

// The most pressing thing the scanner's status says stops a scan from
// source (WS-Scan InputSource keyword: a jam before a warm-up), nullopt when
// it names nothing the table knows. A condition on another source's
// component (the feeder's jam when the platen is asked) is left out.
std::optional<Refusal> refusalFromStatus(const ScannerStatusInfo &status, const std::string &source);

// The check before a scan: the table's refusal, or DEVICE_BUSY while the
// scanner is Processing another job; nullopt when nothing stops the scan.
std::optional<Refusal> refusalBeforeScan(const ScannerStatusInfo &status, const std::string &source);

// A CreateScanJob refused with ServerErrorNotAcceptingJobs, explained by the
// scanner's status read right after it (nullptr: the status is unknown).
// A status naming a cause gives that cause; an Idle scanner with the
// feeder selected means an empty feeder (Canon MF410); anything else is a
// scanner that is busy or takes only jobs started at its panel (Kyocera in
// WSD mode).
Refusal explainNotAcceptingJobs(const ScannerStatusInfo *status, const std::string &source);

// The ScanTicket settings (WS-Scan element names: Format, InputSource,
// ColorProcessing, Resolution, ScanRegion, Brightness, Contrast,
// CompressionQualityFactor, ContentType) where the device's ValidScanTicket
// differs from what was asked. A value the device leaves out counts only for
// Brightness and Contrast (dropping them is the correction). A ScanRegion
// whose every edge the device moved by no more than rounding (1/50 inch or
// 1 %, as for the delivered image: see page_geometry.h) is no objection:
// devices clip a region to their own limits or round it to their grid.
std::vector<std::string> objectedSettings(const ScanSettings &asked, const ScanSettings &valid);

// Takes the device's ScanRegion from its ValidScanTicket when it only
// rounds or clips the one asked (see objectedSettings): true when that
// changed settings. The delivered image decides the page anyway.
bool adoptRoundedRegion(ScanSettings &settings, const ScanSettings &valid);

// The ScanTicket setting names a fault's Subcode, Reason or Detail
// mentions, in the order of the list above.
std::vector<std::string> settingsNamedIn(const soap::Fault &fault);

// "Brightness, Contrast"
std::string joinSettingNames(const std::vector<std::string> &names);

}  // namespace wsd
