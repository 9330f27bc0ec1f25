#include "scanner_status.h"

#include "event_log.h"

namespace wsdsim {

void ScannerStatus::raiseJam()
{
    std::lock_guard<std::mutex> lock(mutex_);
    jam_ = true;
}

void ScannerStatus::clearJam()
{
    std::lock_guard<std::mutex> lock(mutex_);
    jam_ = false;
}

void ScannerStatus::rebooted()
{
    std::lock_guard<std::mutex> lock(mutex_);
    bootTime_ = std::chrono::steady_clock::now();
}

bool ScannerStatus::warmingUp(const Knobs &knobs) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return std::chrono::steady_clock::now() < bootTime_ + std::chrono::milliseconds(knobs.warmUpMs);
}

std::optional<std::chrono::steady_clock::time_point> ScannerStatus::warmUpEnd(const Knobs &knobs) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    const auto end = bootTime_ + std::chrono::milliseconds(knobs.warmUpMs);
    if (std::chrono::steady_clock::now() >= end)
        return std::nullopt;
    return end;
}

bool ScannerStatus::jammed() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return jam_;
}

void ScannerStatus::setLocked(const std::string &name, bool active, const char *component, const char *severity)
{
    auto it = active_.find(name);
    if (active && it == active_.end()) {
        active_[name] = Condition{nextId_++, utcNow(false), "", name, component, severity};
    } else if (!active && it != active_.end()) {
        it->second.clearTime = utcNow(false);
        history_.push_back(it->second);
        while (history_.size() > MaxHistory)
            history_.pop_front();
        active_.erase(it);
    }
}

void ScannerStatus::syncLocked(const Knobs &knobs)
{
    setLocked("CoverOpen", knobs.coverOpen, "Platen", "Critical");
    setLocked("MediaJam", jam_, "MediaPath", "Critical");
    // A feeder that refuses jobs when empty does not say why (Canon MF410).
    setLocked("InputTrayEmpty", knobs.emptyAdf && !knobs.emptyAdfRefuses, "ADF", "Informational");
    setLocked("Calibrating", std::chrono::steady_clock::now() < bootTime_ + std::chrono::milliseconds(knobs.warmUpMs),
              "Platen", "Informational");
}

std::string ScannerStatus::state(const Knobs &knobs, bool processing)
{
    std::lock_guard<std::mutex> lock(mutex_);
    syncLocked(knobs);
    if (active_.count("CoverOpen") || active_.count("MediaJam") || !knobs.stoppedReason.empty())
        return "Stopped";
    // Calibration is no ScannerState: the scanner is Processing, with the
    // reason Calibrating (WS-Scan ScannerState, ScannerStateReason).
    return processing || active_.count("Calibrating") ? "Processing" : "Idle";
}

ScannerStatus::Snapshot ScannerStatus::snapshot(const Knobs &knobs, bool processing)
{
    Snapshot s;
    s.state = state(knobs, processing);
    std::lock_guard<std::mutex> lock(mutex_);
    for (const char *reason : {"CoverOpen", "MediaJam", "Calibrating"})
        if (active_.count(reason))
            s.reasons.push_back(reason);
    if (!knobs.stoppedReason.empty())
        s.reasons.push_back(knobs.stoppedReason);
    if (s.reasons.empty())
        s.reasons.push_back("None");
    for (const auto &entry : active_)
        s.active.push_back(entry.second);
    s.history.assign(history_.begin(), history_.end());
    return s;
}

void ScannerStatus::write(wsd::xml::Writer &w, const Knobs &knobs, bool processing)
{
    Snapshot s = snapshot(knobs, processing);
    w.start("wscn", "ScannerStatus");
    w.element("wscn", "ScannerCurrentTime", utcNow(false));
    w.element("wscn", "ScannerState", s.state);
    w.start("wscn", "ScannerStateReasons");
    for (const std::string &reason : s.reasons)
        w.element("wscn", "ScannerStateReason", reason);
    w.end();
    w.start("wscn", "ActiveConditions");
    for (const Condition &c : s.active) {
        w.start("wscn", "DeviceCondition").attr("Id", std::to_string(c.id));
        w.element("wscn", "Time", c.time).element("wscn", "Name", c.name);
        w.element("wscn", "Component", c.component).element("wscn", "Severity", c.severity);
        w.end();
    }
    w.end();
    if (!s.history.empty()) {
        w.start("wscn", "ConditionHistory");
        for (const Condition &c : s.history) {
            w.start("wscn", "ConditionHistoryEntry").attr("Id", std::to_string(c.id));
            w.element("wscn", "Time", c.time).element("wscn", "Name", c.name);
            w.element("wscn", "Component", c.component).element("wscn", "Severity", c.severity);
            w.element("wscn", "ClearTime", c.clearTime);
            w.end();
        }
        w.end();
    }
    w.end();
}

}  // namespace wsdsim
