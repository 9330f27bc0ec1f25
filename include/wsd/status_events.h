// The scanner's status as its events tell it (WS-Scan
// ScannerStatusSummaryEvent, ScannerStatusConditionEvent and
// ScannerStatusConditionClearedEvent): a ScannerStatusInfo that each event
// updates, so that the SANE status options follow the device without a
// GetScannerElements. Not thread-safe: its owner guards it.
#pragma once

#include "wsd/capabilities.h"
#include "wsd/events.h"

namespace wsd::events {

// Applies one event; true when it was a status event (the status may have
// changed), false for any other event. Conditions are kept by their Id and
// bounded (the oldest goes), so a flood of events holds no more memory.
bool applyStatusEvent(ScannerStatusInfo &status, const Event &event);

}  // namespace wsd::events
