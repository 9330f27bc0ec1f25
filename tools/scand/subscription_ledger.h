// The subscriptions wsd-scand holds, kept in a file so that after a crash
// (no Unsubscribe sent) the next start Unsubscribes them and the panel does
// not list this computer twice: $XDG_STATE_HOME/sane-wsd/wsd-scand.subscriptions
// (default ~/.local/state), JSON, rewritten as subscriptions change.
#pragma once

#include "wsd/subscription_messages.h"

#include <string>
#include <vector>

namespace scand {

std::string ledgerPath();  // empty without $XDG_STATE_HOME and $HOME

// The managers listed; none when the file is missing or unreadable.
std::vector<wsd::events::SubscriptionManager> readLedger(const std::string &path);
// Replaces the list (written under a temporary name, then renamed).
bool writeLedger(const std::string &path, const std::vector<wsd::events::SubscriptionManager> &managers);

}  // namespace scand
