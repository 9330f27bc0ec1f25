// Outgoing WS-Eventing messages (events, SubscriptionEnd) waiting for the
// event sender, and the "the scanner status may have changed" flag that
// makes the sender compare the status with what subscribers were told.
// Bounded: a full queue refuses the message (the caller logs the drop), as
// a device with a small buffer loses events rather than memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace wsdsim {

struct OutgoingMessage {
    std::string operation;       // the event name or "SubscriptionEnd", for the log
    std::string subscriptionId;  // wse:Identifier of the subscription it is for
    std::string client;          // the subscriber's host, for the log
    std::string url;             // where to POST it (NotifyTo or EndTo address)
    std::string envelope;        // the SOAP envelope
    long jobId = 0;              // JobId for job events, 0 otherwise
};

class EventQueue {
public:
    static constexpr size_t MaxQueued = 256;

    // False (and the message is dropped) when the queue is full or stopped.
    bool push(OutgoingMessage message);
    void requestStatusCheck();

    struct Work {
        std::vector<OutgoingMessage> messages;
        bool statusCheck = false;
        bool stopping = false;
    };
    // Waits until there is work, stop() or `until`, then takes what there is.
    Work wait(std::chrono::steady_clock::time_point until);
    // Takes what is queued without waiting (unit tests, shutdown).
    Work take();
    void stop();

private:
    Work takeLocked();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<OutgoingMessage> queue_;
    bool statusCheck_ = false;
    bool stopping_ = false;
};

}  // namespace wsdsim
