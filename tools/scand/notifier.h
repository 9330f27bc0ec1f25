// Desktop notifications (libnotify) when a session bus exists; without one,
// or when built without libnotify, a no-op: the journal has the same line.
#pragma once

#include <string>

namespace scand {

class Notifier {
public:
    Notifier();
    ~Notifier();
    Notifier(const Notifier &) = delete;
    Notifier &operator=(const Notifier &) = delete;
    void show(const std::string &summary, const std::string &body);

private:
    bool ready_ = false;
};

}  // namespace scand
