#include "wsd/status_events.h"

#include "wsd/scan_xml.h"

#include <algorithm>

namespace wsd::events {

namespace {

void removeCondition(ScannerStatusInfo &status, int id)
{
    auto &c = status.conditions;
    c.erase(std::remove_if(c.begin(), c.end(), [id](const DeviceCondition &d) { return d.id == id; }), c.end());
}

}  // namespace

bool applyStatusEvent(ScannerStatusInfo &status, const Event &event)
{
    if (const auto *summary = std::get_if<ScannerStatusInfo>(&event)) {
        // The summary has no conditions: those come by their own events.
        status.state = summary->state;
        status.reasons = summary->reasons;
        return true;
    }
    if (const auto *condition = std::get_if<DeviceCondition>(&event)) {
        // A condition that changed comes again with the same Id.
        removeCondition(status, condition->id);
        if (status.conditions.size() >= scanxml::MaxItems)
            status.conditions.erase(status.conditions.begin());
        status.conditions.push_back(*condition);
        return true;
    }
    if (const auto *cleared = std::get_if<ConditionCleared>(&event)) {
        removeCondition(status, cleared->conditionId);
        return true;
    }
    return false;
}

}  // namespace wsd::events
