// Discovery telling open handles that their device restarted: a Hello with
// a new AppSequence InstanceId, or a new MetadataVersion, from one of the
// device's known hosts (WS-Discovery 1.1: a device that loses its state
// takes a new InstanceId; DPWS: changed metadata bumps MetadataVersion).
// A handle watches its endpoint address while it is open; its panel
// subscription then checks at once whether the device still knows it.
// Thread-safe; a listener runs on discovery's thread and must not block.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace wsd::restarts {

class Watch {
public:
    ~Watch();  // no call of the listener runs or starts after it returns
    Watch(const Watch &) = delete;
    Watch &operator=(const Watch &) = delete;

private:
    friend std::unique_ptr<Watch> watch(const std::string &, std::function<void()>);
    explicit Watch(unsigned long id) : id_(id) {}
    unsigned long id_;
};

// Calls `listener` at each restart of the endpoint until the Watch goes;
// nullptr for an empty endpoint address (a device known only by its URL).
std::unique_ptr<Watch> watch(const std::string &endpoint, std::function<void()> listener);

// Discovery: the endpoint restarted.
void announce(const std::string &endpoint);

}  // namespace wsd::restarts
