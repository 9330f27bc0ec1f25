// A Linux eventfd behind RAII. signal() is async-signal-safe (one write), so
// sane_cancel may call it from a signal handler; waiting is poll() on fd().
#pragma once

namespace wsd {

class EventFd {
public:
    EventFd();  // throws std::system_error when no descriptor is left
    ~EventFd();
    EventFd(const EventFd &) = delete;
    EventFd &operator=(const EventFd &) = delete;

    int fd() const { return fd_; }
    void signal() const;  // async-signal-safe
    void clear() const;   // drains the counter: fd() no longer readable
    bool isSignalled() const;

private:
    int fd_;
};

// Waits until one of the descriptors is readable or timeoutMs passes (-1:
// no limit); returns the index of a readable one, or -1 on timeout.
int waitReadable(const int *fds, int count, int timeoutMs);

}  // namespace wsd
