// Scans started at the device panel and not yet taken up: each press of
// Scan for a destination makes a ScanIdentifier (sent in ScanAvailableEvent)
// that one device-initiated CreateScanJob may claim, with the
// DestinationToken the device gave that destination (WS-Scan
// CreateScanJobRequest). A press not claimed within PressLifetime lapses,
// as a panel returns to its home screen. Thread-safe, bounded.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace wsdsim {

struct PanelPress {
    std::string scanIdentifier;
    std::string destinationToken;
    std::string subscriptionId;
    std::string displayName;
    std::string source;  // "Platen" or "ADF": what the user put the paper in
    int pages = 1;       // sheets in the feeder for an ADF press
    std::chrono::steady_clock::time_point expires;
};

enum class PressClaim { Ok, UnknownScanIdentifier, WrongDestinationToken };

class PanelPresses {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr size_t MaxPending = 16;
    static constexpr std::chrono::seconds PressLifetime{120};

    explicit PanelPresses(std::function<Clock::time_point()> now = Clock::now) : now_(std::move(now)) {}

    // Records a press and gives it a fresh ScanIdentifier; the oldest
    // pending press goes when MaxPending are waiting.
    PanelPress add(PanelPress press);
    // The live press with this ScanIdentifier, left in place.
    std::optional<PanelPress> find(const std::string &scanIdentifier);
    // A device-initiated CreateScanJob: the press is used up when it matches.
    PressClaim claim(const std::string &scanIdentifier, const std::string &destinationToken, PanelPress *claimed);
    // Drops a press whose ScanAvailableEvent could not be queued.
    void forget(const std::string &scanIdentifier);
    void clear();

private:
    std::function<Clock::time_point()> now_;
    std::mutex mutex_;
    std::deque<PanelPress> pending_;
};

}  // namespace wsdsim
