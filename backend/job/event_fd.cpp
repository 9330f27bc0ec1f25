#include "wsd/event_fd.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <system_error>

namespace wsd {

EventFd::EventFd() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(), "eventfd");
}

EventFd::~EventFd() { close(fd_); }

void EventFd::signal() const
{
    const std::uint64_t one = 1;
    // Only fails when the counter would overflow, i.e. it is readable anyway.
    ssize_t ignored = write(fd_, &one, sizeof one);
    (void)ignored;
}

void EventFd::clear() const
{
    std::uint64_t value;
    ssize_t ignored = read(fd_, &value, sizeof value);
    (void)ignored;
}

bool EventFd::isSignalled() const
{
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 0) == 1;
}

int waitReadable(const int *fds, int count, int timeoutMs)
{
    pollfd p[4];
    for (int i = 0; i < count; ++i)
        p[i] = pollfd{fds[i], POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
        int left = timeoutMs;
        if (timeoutMs >= 0) {
            auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            left = remaining.count() > 0 ? static_cast<int>(remaining.count()) : 0;
        }
        int n = poll(p, static_cast<nfds_t>(count), left);
        if (n > 0) {
            for (int i = 0; i < count; ++i)
                if (p[i].revents)
                    return i;
        }
        if (n == 0)
            return -1;
        if (errno != EINTR)
            return -1;
        // A signal (scanimage's SIGINT handler calls sane_cancel) interrupted
        // the wait: poll again, the cancel fd is readable by now.
    }
}

}  // namespace wsd
