#include "image_transfer.h"

#include "event_log.h"
#include "job_table.h"

#include <algorithm>
#include <cstring>

namespace wsdsim {

using namespace std::chrono;

ImageTransfer::ImageTransfer(JobTable &jobs, EventLog &log, long jobId, std::string head, std::string image,
                             std::string tail, const Knobs &knobs, std::string client)
    : jobs_(jobs), log_(log), jobId_(jobId), head_(std::move(head)), image_(std::move(image)),
      tail_(std::move(tail)), knobs_(knobs), client_(std::move(client)), start_(steady_clock::now())
{
    // A truncated image inside well-formed MIME: the decoder has to notice.
    if (knobs_.truncateImageBytes >= 0 && static_cast<size_t>(knobs_.truncateImageBytes) < image_.size())
        image_.resize(static_cast<size_t>(knobs_.truncateImageBytes));
}

ImageTransfer::~ImageTransfer() { closed(); }

std::optional<uint64_t> ImageTransfer::declaredSize() const
{
    if (knobs_.contentLengthExcess > 0)
        return total() + static_cast<uint64_t>(knobs_.contentLengthExcess);
    return std::nullopt;
}

uint64_t ImageTransfer::imageBytesSent() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return std::min(image_.size(), position_ > head_.size() ? position_ - head_.size() : 0);
}

size_t ImageTransfer::copyOut(char *buf, size_t length)
{
    size_t done = 0;
    while (done < length && position_ < total()) {
        const std::string *part = &head_;
        size_t offset = position_;
        if (offset >= head_.size()) {
            offset -= head_.size();
            part = &image_;
            if (offset >= image_.size()) {
                offset -= image_.size();
                part = &tail_;
            }
        }
        size_t n = std::min(length - done, part->size() - offset);
        std::memcpy(buf + done, part->data() + offset, n);
        done += n;
        position_ += n;
    }
    return done;
}

long ImageTransfer::read(char *buf, size_t max)
{
    std::unique_lock<std::mutex> lock(mutex_);
    if (position_ >= total())
        return EndOfStream;
    // The device stops sending once the job is over (CancelJob, shutdown).
    auto job = jobs_.find(jobId_);
    if (!job || job->state != JobState::Processing || jobs_.stopping())
        return Error;

    size_t length = max;
    // Where a failure knob strikes, in body bytes.
    auto failPoint = [&](long imageBytes) -> std::optional<size_t> {
        if (imageBytes < 0)
            return std::nullopt;
        return head_.size() + std::min(static_cast<size_t>(imageBytes), image_.size());
    };
    for (auto point : {failPoint(knobs_.resetAfterBytes), failPoint(knobs_.stallAfterBytes)})
        if (point && *point > position_)
            length = std::min(length, *point - position_);
    if (auto reset = failPoint(knobs_.resetAfterBytes); reset && position_ >= *reset)
        return Error;
    if (auto stall = failPoint(knobs_.stallAfterBytes); stall && position_ >= *stall) {
        lock.unlock();
        jobs_.waitWhileProcessingForever(jobId_);
        return Error;
    }

    if (knobs_.paceBytesPerSecond > 0) {
        // Small slices keep the rate even; each waits for its moment.
        length = std::min(length, std::max<size_t>(1, static_cast<size_t>(knobs_.paceBytesPerSecond / 20)));
        auto dueAt = [&](uint64_t position) {
            return start_ + microseconds(static_cast<long long>(position) * 1000000 / knobs_.paceBytesPerSecond);
        };
        // A slice goes when its first byte is due, except the body's last
        // one: it goes when the body's last byte is due. Otherwise a page
        // would take (size - last slice) / pace, and the last slice's size
        // depends on libmicrohttpd's block, which shrinks as the request's
        // headers grow: a client sending a longer request got each page
        // some 2 ms sooner (doc/performance.md, ADF).
        auto due = position_ + length >= total() ? dueAt(total()) : dueAt(position_);
        auto wait = duration_cast<milliseconds>(due - steady_clock::now());
        if (wait.count() > 0) {
            lock.unlock();
            if (!jobs_.waitWhileProcessing(jobId_, wait))
                return Error;
            lock.lock();
        }
    }
    size_t n = copyOut(buf, length);
    // Done as the last bytes go out, not when the HTTP layer lets go of the
    // response: the client may ask for the next image at once.
    if (position_ >= total())
        finishLocked(true);
    return static_cast<long>(n);
}

void ImageTransfer::closed()
{
    std::lock_guard<std::mutex> lock(mutex_);
    finishLocked(position_ >= total());
}

void ImageTransfer::finishLocked(bool delivered)
{
    if (finished_)
        return;
    finished_ = true;
    jobs_.finishImage(jobId_, delivered, seconds(knobs_.jobTimeoutSeconds));
    log_.add("ImageTransfer", jobId_, delivered ? "delivered" : "incomplete", client_);
}

}  // namespace wsdsim
