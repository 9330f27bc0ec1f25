#include "status_events.h"

#include "event_messages.h"

#include <algorithm>

namespace wsdsim {

using wsd::xml::Writer;

bool scannerProcessing(SimDevice &device, const Knobs &knobs)
{
    bool processing = knobs.terminatingRefusesJobs && device.jobs.terminating();
    for (const Job &j : device.jobs.activeJobs())
        processing = processing || j.state == JobState::Processing;
    return processing;
}

namespace {

bool holds(const std::vector<ScannerStatus::Condition> &conditions, long id)
{
    return std::any_of(conditions.begin(), conditions.end(), [&](const ScannerStatus::Condition &c) { return c.id == id; });
}

std::string clearTimeOf(const ScannerStatus::Snapshot &now, long id)
{
    for (const ScannerStatus::Condition &c : now.history)
        if (c.id == id)
            return c.clearTime;
    return utcNow(false);
}

}  // namespace

void StatusEvents::refresh(SimDevice &device)
{
    Knobs knobs = device.knobs.get();
    ScannerStatus::Snapshot now = device.status.snapshot(knobs, scannerProcessing(device, knobs));
    if (!last_) {
        last_ = now;
        return;
    }
    for (const ScannerStatus::Condition &c : now.active)
        if (!holds(last_->active, c.id))
            publishEvent(device, "ScannerStatusConditionEvent", [&](Writer &w) {
                w.start("wscn", "ScannerStatusConditionEvent");
                w.start("wscn", "DeviceCondition").attr("Id", std::to_string(c.id));
                w.element("wscn", "Time", c.time).element("wscn", "Name", c.name);
                w.element("wscn", "Component", c.component).element("wscn", "Severity", c.severity);
                w.end().end();
            });
    for (const ScannerStatus::Condition &c : last_->active)
        if (!holds(now.active, c.id))
            publishEvent(device, "ScannerStatusConditionClearedEvent", [&](Writer &w) {
                w.start("wscn", "ScannerStatusConditionClearedEvent").start("wscn", "DeviceConditionCleared");
                w.element("wscn", "ConditionId", std::to_string(c.id));
                w.element("wscn", "ConditionClearTime", clearTimeOf(now, c.id));
                w.end().end();
            });
    if (now.state != last_->state || now.reasons != last_->reasons)
        publishEvent(device, "ScannerStatusSummaryEvent", [&](Writer &w) {
            w.start("wscn", "ScannerStatusSummaryEvent").start("wscn", "StatusSummary");
            w.element("wscn", "ScannerState", now.state);
            w.start("wscn", "ScannerStateReasons");
            for (const std::string &r : now.reasons)
                w.element("wscn", "ScannerStateReason", r);
            w.end().end().end();
        });
    last_ = std::move(now);
}

}  // namespace wsdsim
