// The HTTP server that receives a device's event notifications (WS-Eventing
// delivery by HTTP POST, DPWS). libmicrohttpd runs it on a thread of its
// own. It listens only on the local address that routes to the device (not
// on every interface), takes connections only from the device's address,
// reads only POSTs with a body of at most events::MaxEventSize, and hands
// each body to the owner's handler, whose answer is the HTTP status.
#pragma once

#include <functional>
#include <memory>
#include <string>

struct MHD_Daemon;

namespace wsd::events {

class EventListener {
public:
    // Called on the listener's thread: the request path and the body; the
    // result is the HTTP status to answer (202 for an accepted event).
    using Handler = std::function<unsigned(const std::string &path, const std::string &body)>;

    // Starts listening on an ephemeral port of the local address that routes
    // to deviceUrl's host. nullptr, with *error set, when there is no route or
    // the server does not start.
    static std::unique_ptr<EventListener> start(const std::string &deviceUrl, Handler handler, std::string *error);
    ~EventListener();  // stops the server; no handler call runs after it returns
    EventListener(const EventListener &) = delete;
    EventListener &operator=(const EventListener &) = delete;

    // "http://198.18.0.1:40123" or "http://[fd00:5ca::1]:40123": the base of
    // the NotifyTo addresses the device is given.
    const std::string &baseUrl() const { return baseUrl_; }

private:
    struct State;  // what the server's callbacks read: the handler, the device's address
    explicit EventListener(std::unique_ptr<State> state);

    std::unique_ptr<State> state_;
    std::string baseUrl_;
    MHD_Daemon *daemon_ = nullptr;
};

}  // namespace wsd::events
