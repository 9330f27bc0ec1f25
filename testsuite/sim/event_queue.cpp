#include "event_queue.h"

namespace wsdsim {

bool EventQueue::push(OutgoingMessage message)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_ || queue_.size() >= MaxQueued)
            return false;
        queue_.push_back(std::move(message));
    }
    wake_.notify_all();
    return true;
}

void EventQueue::requestStatusCheck()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        statusCheck_ = true;
    }
    wake_.notify_all();
}

EventQueue::Work EventQueue::takeLocked()
{
    Work work;
    work.messages.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
    work.statusCheck = statusCheck_;
    statusCheck_ = false;
    work.stopping = stopping_;
    return work;
}

EventQueue::Work EventQueue::wait(std::chrono::steady_clock::time_point until)
{
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_until(lock, until, [&] { return stopping_ || statusCheck_ || !queue_.empty(); });
    return takeLocked();
}

EventQueue::Work EventQueue::take()
{
    std::lock_guard<std::mutex> lock(mutex_);
    return takeLocked();
}

void EventQueue::stop()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
}

}  // namespace wsdsim
