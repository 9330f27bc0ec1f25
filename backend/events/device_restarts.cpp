#include "wsd/device_restarts.h"

#include <map>
#include <mutex>

namespace wsd::restarts {

namespace {

struct Listener {
    std::string endpoint;
    std::function<void()> call;
};

// Held while a listener runs: a Watch going away waits for it.
std::mutex mutex;
std::map<unsigned long, Listener> listeners;
unsigned long nextId = 1;

}  // namespace

Watch::~Watch()
{
    std::lock_guard<std::mutex> lock(mutex);
    listeners.erase(id_);
}

std::unique_ptr<Watch> watch(const std::string &endpoint, std::function<void()> listener)
{
    if (endpoint.empty())
        return nullptr;
    std::lock_guard<std::mutex> lock(mutex);
    const unsigned long id = nextId++;
    listeners[id] = Listener{endpoint, std::move(listener)};
    return std::unique_ptr<Watch>(new Watch(id));
}

void announce(const std::string &endpoint)
{
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto &[id, listener] : listeners)
        if (listener.endpoint == endpoint)
            listener.call();
}

}  // namespace wsd::restarts
