#include "panel_presses.h"

#include "wsd/soap.h"

#include <algorithm>

namespace wsdsim {

PanelPress PanelPresses::add(PanelPress press)
{
    std::lock_guard<std::mutex> lock(mutex_);
    press.scanIdentifier = wsd::soap::newMessageId();
    press.expires = now_() + PressLifetime;
    while (pending_.size() >= MaxPending)
        pending_.pop_front();
    pending_.push_back(press);
    return press;
}

std::optional<PanelPress> PanelPresses::find(const std::string &scanIdentifier)
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    for (const PanelPress &p : pending_)
        if (p.scanIdentifier == scanIdentifier && p.expires > now)
            return p;
    return std::nullopt;
}

PressClaim PanelPresses::claim(const std::string &scanIdentifier, const std::string &destinationToken,
                               PanelPress *claimed)
{
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    pending_.erase(std::remove_if(pending_.begin(), pending_.end(), [&](const PanelPress &p) { return p.expires <= now; }),
                   pending_.end());
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [&](const PanelPress &p) { return p.scanIdentifier == scanIdentifier; });
    if (it == pending_.end())
        return PressClaim::UnknownScanIdentifier;
    if (it->destinationToken != destinationToken)
        return PressClaim::WrongDestinationToken;
    if (claimed)
        *claimed = *it;
    pending_.erase(it);
    return PressClaim::Ok;
}

void PanelPresses::forget(const std::string &scanIdentifier)
{
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                  [&](const PanelPress &p) { return p.scanIdentifier == scanIdentifier; }),
                   pending_.end());
}

void PanelPresses::clear()
{
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.clear();
}

}  // namespace wsdsim
