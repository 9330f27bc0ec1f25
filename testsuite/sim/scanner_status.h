// The live ScannerStatus: ScannerState, reasons and DeviceConditions
// follow the knobs (cover open, empty feeder) and events (paper jam), each
// condition with an Id that is never reused and a history once cleared.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <mutex>
#include <string>
#include <vector>

#include "knobs.h"
#include "wsd/xml.h"

namespace wsdsim {

class ScannerStatus {
public:
    static constexpr size_t MaxHistory = 10;

    struct Condition {
        long id;
        std::string time, clearTime;
        std::string name, component, severity;
    };
    // The status as GetScannerElements would report it (for status events).
    struct Snapshot {
        std::string state;
        std::vector<std::string> reasons;  // ScannerStateReason values, "None" when none
        std::vector<Condition> active;
        std::vector<Condition> history;
    };
    Snapshot snapshot(const Knobs &knobs, bool processing);

    // A paper jam stays until the next job is accepted (the user cleared it).
    void raiseJam();
    void clearJam();
    bool jammed() const;
    // Writes <wscn:ScannerStatus>; processing: a job is being scanned.
    void write(wsd::xml::Writer &w, const Knobs &knobs, bool processing);
    // "Idle", "Processing" or "Stopped" for the given knobs.
    std::string state(const Knobs &knobs, bool processing);
    // The device starts again (control /reboot): a new warm-up begins.
    void rebooted();
    // Within warm-up-ms of the start or the last reboot.
    bool warmingUp(const Knobs &knobs) const;
    // When the warm-up under way ends; nullopt when none is.
    std::optional<std::chrono::steady_clock::time_point> warmUpEnd(const Knobs &knobs) const;

private:
    // Brings the active set in line with the knobs and the jam flag.
    void syncLocked(const Knobs &knobs);
    void setLocked(const std::string &name, bool active, const char *component, const char *severity);

    mutable std::mutex mutex_;
    bool jam_ = false;
    std::chrono::steady_clock::time_point bootTime_ = std::chrono::steady_clock::now();
    long nextId_ = 1;
    std::map<std::string, Condition> active_;
    std::deque<Condition> history_;
};

}  // namespace wsdsim
