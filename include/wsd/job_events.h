// What the device's job and status events tell the job worker (WS-Scan
// JobStatusEvent, JobEndStateEvent, ScannerStatusSummaryEvent and the
// condition events), handed from the event listener's thread to the worker
// thread, so that the worker waits for them instead of polling
// GetJobElements and GetScannerElements.
//
// The panel subscription feeds it (apply, setStatus) and says whether a
// subscription the device took for these events is live; the worker reads
// it and waits on fd(). Everything is under one mutex; fd() is an eventfd
// that each event concerning the worker signals. sane_cancel never touches
// it. Of the job events, only those of the job the worker watches count:
// any other JobId (another client's job) is ignored.
#pragma once

#include "wsd/capabilities.h"
#include "wsd/event_fd.h"
#include "wsd/events.h"

#include <mutex>
#include <string>

namespace wsd {

// A job event that tells the worker its job has ended: JobEndStateEvent, or
// JobStatusEvent with a final state or Terminating (the device winds a
// cancelled job down; GetJobElements' answer counts as an end the same way).
// The state ("Canceled", "Terminating" ...) for jobId, empty when the event
// is another or says no end.
std::string jobEndFromEvent(const events::Event &event, int jobId);

class JobEvents {
public:
    // --- the panel subscription's side (listener and renewal threads)
    // A subscription with the job and status events is live (the device
    // took it), or is no more (refused, ended, lost, closed).
    void setLive(bool live);
    // A GetScannerElements answer: the status events update it from now on.
    void setStatus(const ScannerStatusInfo &status);
    // One event from the device; true when it concerned the worker (a
    // status event, or an event of the watched job), which is then woken.
    bool apply(const events::Event &event);

    // --- the worker's side
    bool live() const;
    // The job whose events count (0: none); forgets what came for another.
    void watch(int jobId);
    // The watched job's end as its events told it; empty before one came.
    std::string endedState(int jobId) const;
    // An event of the watched job came (any JobStatusEvent or
    // JobEndStateEvent): the device does send them. A job that ran for a
    // while with none is one whose events are not coming.
    bool heardOf(int jobId) const;
    // The scanner's status as the events left it; *generation (if given)
    // is bumped by each status event and by setStatus.
    ScannerStatusInfo status(unsigned long *generation = nullptr) const;
    // Readable after an event that concerned the worker, or a change of
    // live(). The worker clears it before it looks, then waits on it.
    int fd() const { return wake_.fd(); }
    void clearWake() const { wake_.clear(); }

private:
    mutable std::mutex mutex_;  // guards everything below
    bool live_ = false;
    int watched_ = 0;
    std::string endedState_;  // of watched_
    bool heard_ = false;      // an event of watched_ came
    ScannerStatusInfo status_;
    unsigned long statusGeneration_ = 0;
    EventFd wake_;
};

}  // namespace wsd
