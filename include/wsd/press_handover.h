// A panel press handed from one process to the next. Button daemons
// (scanbd) poll the `scan` option, then close their handle and run an
// action script whose scanimage opens the scanner anew and calls
// sane_start: the press must outlive the handle that received it. WS-Scan
// ties the DestinationToken to the subscription the press came through, so
// the closing handle leaves that subscription on the device (no
// Unsubscribe) and writes the press here; the next sane_start on the same
// scanner by this user takes it, once (under the file's lock), and that
// handle Unsubscribes the subscription when it closes. An entry lives
// Lifetime at most, never past the subscription's expiry; an entry left
// unclaimed is Unsubscribed by the next handle that subscribes to that
// scanner's panel after its deadline.
//
// The file is ~/.cache/sane-wsd/panel-presses ($HOME, else the passwd
// entry's home), not under $XDG_RUNTIME_DIR or $XDG_CACHE_HOME: scanbd
// passes its scripts PATH, PWD, USER and HOME alone.
#pragma once

#include "wsd/subscription_messages.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace wsd {

// What sane_start needs of a press (WS-Scan CreateScanJobRequest).
struct PanelPress {
    std::string scanIdentifier;
    std::string destinationToken;  // of the subscription the event came through
    std::string inputSource;       // WS-Scan keyword; empty when the device named none
};

namespace handover {

// Long enough for a button daemon's script to start a frontend that opens
// the scanner; short enough that a press nobody took does not make a
// later, unrelated scan the panel's.
constexpr std::chrono::seconds Lifetime{60};

struct Entry {
    std::string serviceUrl;                // the scanner's scan service
    events::SubscriptionManager manager;   // the subscription the press belongs to
    PanelPress press;
    long long deadlineMs = 0;              // on nowMs()'s clock
};

// Milliseconds on CLOCK_BOOTTIME: one clock for every process, unmoved by
// changes of the wall clock.
long long nowMs();

// The file's path; empty when this user has no home.
std::string defaultPath();

// The file's text: the entries of its readable lines (MaxEntries at most),
// *dropped counting the others; and one entry's line. A file in the user's
// own directory may still hold any bytes (a crash mid-write, another program).
constexpr std::size_t MaxEntries = 16;
std::vector<Entry> parseEntries(const std::string &text, std::size_t *dropped = nullptr);
std::string formatEntry(const Entry &entry);

// Adds the entry (replacing one for the same scanner); false, logged, when
// it cannot be stored or does not fit the file's bounds.
bool put(const Entry &entry, const std::string &path = defaultPath());
// Removes and returns a live entry for one of these scan services.
std::optional<Entry> take(const std::vector<std::string> &serviceUrls, const std::string &path = defaultPath());
// Removes and returns the entries for these scan services whose deadline has passed.
std::vector<Entry> takeExpired(const std::vector<std::string> &serviceUrls, const std::string &path = defaultPath());
// The deadline of a live entry for one of these scan services, if any.
std::optional<long long> liveDeadline(const std::vector<std::string> &serviceUrls,
                                      const std::string &path = defaultPath());

}  // namespace handover
}  // namespace wsd
