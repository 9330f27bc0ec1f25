// One RetrieveImage answer on its way out: the MTOM head, the image bytes
// and the closing delimiter, handed to the HTTP layer piece by piece. This is
// where the transfer knobs act (pacing, reset, stall, wrong Content-Length)
// and where the job learns whether its image arrived: a transfer that ends
// early aborts the job with ImageTransferError, as on a real device.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "knobs.h"

namespace wsdsim {

class JobTable;
class EventLog;

class ImageTransfer {
public:
    static constexpr long EndOfStream = -1;
    static constexpr long Error = -2;  // drop the connection

    ImageTransfer(JobTable &jobs, EventLog &log, long jobId, std::string head, std::string image,
                  std::string tail, const Knobs &knobs, std::string client);
    ~ImageTransfer();
    ImageTransfer(const ImageTransfer &) = delete;
    ImageTransfer &operator=(const ImageTransfer &) = delete;

    // Content-Length to announce, or nullopt for chunked transfer encoding.
    std::optional<uint64_t> declaredSize() const;
    // Up to `max` bytes into buf; EndOfStream or Error when there is no more.
    // May block: pacing, stall (until the job ends or the program stops).
    long read(char *buf, size_t max);
    // The HTTP layer is done (complete or not). Idempotent; also run by the destructor.
    void closed();

    uint64_t imageBytesSent() const;

private:
    size_t total() const { return head_.size() + image_.size() + tail_.size(); }
    size_t copyOut(char *buf, size_t length);
    void finishLocked(bool delivered);

    JobTable &jobs_;
    EventLog &log_;
    long jobId_;
    std::string head_, image_, tail_;
    Knobs knobs_;
    std::string client_;
    size_t position_ = 0;
    bool finished_ = false;  // the job was told how the transfer ended
    std::chrono::steady_clock::time_point start_;
    mutable std::mutex mutex_;
};

}  // namespace wsdsim
