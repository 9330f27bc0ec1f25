// Scanner status events (Scan Service Definition §5): compares the live
// ScannerStatus with what subscribers were last told and publishes the
// difference: ScannerStatusSummaryEvent when ScannerState or its reasons
// change, ScannerStatusConditionEvent for a new condition and
// ScannerStatusConditionClearedEvent for one that went away.
#pragma once

#include <optional>

#include "sim_device.h"

namespace wsdsim {

// The ScannerState "Processing" test GetScannerElements and the events
// share: a job is being scanned, or a cancelled one is still winding down
// while the device refuses jobs.
bool scannerProcessing(SimDevice &device, const Knobs &knobs);

class StatusEvents {
public:
    // The first call only takes the baseline.
    void refresh(SimDevice &device);

private:
    std::optional<ScannerStatus::Snapshot> last_;
};

}  // namespace wsdsim
