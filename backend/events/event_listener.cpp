#include "wsd/event_listener.h"

#include "wsd/events.h"
#include "wsd/log.h"
#include "wsd/shared_library.h"
#include "wsd/url.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <utility>

namespace wsd::events {

namespace {

// Connections at once: a device delivers one event at a time; a few more
// cover a retry overlapping a slow answer, and no peer can hold more.
constexpr unsigned MaxConnections = 4;
constexpr unsigned ConnectionTimeoutSeconds = 10;

// libmicrohttpd is opened when the first listener starts (a handle open on a
// device that takes the subscription), not when the backend is loaded:
// listing devices never maps it.
struct MhdLibrary {
    SharedLibrary library{WSD_MHD_SONAME};
    decltype(&MHD_create_response_from_buffer) create_response_from_buffer = nullptr;
    decltype(&MHD_destroy_response) destroy_response = nullptr;
    decltype(&MHD_lookup_connection_value) lookup_connection_value = nullptr;
    decltype(&MHD_queue_response) queue_response = nullptr;
    decltype(&MHD_start_daemon) start_daemon = nullptr;
    decltype(&MHD_stop_daemon) stop_daemon = nullptr;
    bool complete = false;

    MhdLibrary()
    {
        complete = library.bind(create_response_from_buffer, "MHD_create_response_from_buffer") &&
                   library.bind(destroy_response, "MHD_destroy_response") &&
                   library.bind(lookup_connection_value, "MHD_lookup_connection_value") &&
                   library.bind(queue_response, "MHD_queue_response") &&
                   library.bind(start_daemon, "MHD_start_daemon") && library.bind(stop_daemon, "MHD_stop_daemon");
    }
};

// One table for every listener alive, closed with the last of them (after
// MHD_stop_daemon has joined its thread): a device that refuses the
// subscription, or a closed handle, leaves nothing mapped.
std::shared_ptr<const MhdLibrary> openLibmicrohttpd()
{
    static std::mutex mutex;
    static std::weak_ptr<const MhdLibrary> shared;
    std::lock_guard<std::mutex> lock(mutex);
    std::shared_ptr<const MhdLibrary> library = shared.lock();
    if (!library) {
        library = std::make_shared<const MhdLibrary>();
        shared = library;
    }
    return library;
}

class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket()
    {
        if (fd_ >= 0)
            close(fd_);
    }
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    int fd() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

struct AddrInfoFree {
    void operator()(addrinfo *a) const { freeaddrinfo(a); }
};

std::string addressText(const sockaddr_storage &address)
{
    char text[INET6_ADDRSTRLEN] = "";
    if (address.ss_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in &>(address).sin_addr, text, sizeof text);
    else if (address.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 &>(address).sin6_addr, text, sizeof text);
    return text;
}

bool sameHost(const sockaddr *a, const sockaddr_storage &b)
{
    if (a->sa_family != b.ss_family)
        return false;
    if (a->sa_family == AF_INET)
        return std::memcmp(&reinterpret_cast<const sockaddr_in *>(a)->sin_addr,
                           &reinterpret_cast<const sockaddr_in &>(b).sin_addr, sizeof(in_addr)) == 0;
    if (a->sa_family == AF_INET6)
        return std::memcmp(&reinterpret_cast<const sockaddr_in6 *>(a)->sin6_addr,
                           &reinterpret_cast<const sockaddr_in6 &>(b).sin6_addr, sizeof(in6_addr)) == 0;
    return false;
}

// The device's address and the local one the kernel routes to it from: a
// connected UDP socket sends nothing, but getsockname tells the source
// address the routing table picks.
bool routeTo(const std::string &deviceUrl, sockaddr_storage &device, sockaddr_storage &local, std::string *error)
{
    std::optional<url::Parts> parts = url::parse(deviceUrl);
    if (!parts) {
        *error = "not an http(s) URL: " + deviceUrl;
        return false;
    }
    const std::string host = parts->zone.empty() ? parts->host : parts->host + "%" + parts->zone;
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *found = nullptr;
    if (int rc = getaddrinfo(host.c_str(), std::to_string(parts->port).c_str(), &hints, &found); rc != 0) {
        *error = "cannot resolve " + host + ": " + gai_strerror(rc);
        return false;
    }
    std::unique_ptr<addrinfo, AddrInfoFree> list(found);
    for (const addrinfo *a = list.get(); a; a = a->ai_next) {
        Socket probe(socket(a->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        if (probe.fd() < 0 || connect(probe.fd(), a->ai_addr, a->ai_addrlen) != 0)
            continue;
        socklen_t length = sizeof local;
        if (getsockname(probe.fd(), reinterpret_cast<sockaddr *>(&local), &length) != 0)
            continue;
        std::memcpy(&device, a->ai_addr, a->ai_addrlen);
        return true;
    }
    *error = "no route to " + host;
    return false;
}

// A listening TCP socket on the local address, on a port the kernel picks.
int listenOn(sockaddr_storage &local, std::string *error)
{
    const socklen_t length = local.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    if (local.ss_family == AF_INET6)
        reinterpret_cast<sockaddr_in6 &>(local).sin6_port = 0;
    else
        reinterpret_cast<sockaddr_in &>(local).sin_port = 0;
    Socket s(socket(local.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    socklen_t bound = sizeof local;
    if (s.fd() < 0 || bind(s.fd(), reinterpret_cast<sockaddr *>(&local), length) != 0 ||
        listen(s.fd(), static_cast<int>(MaxConnections)) != 0 ||
        getsockname(s.fd(), reinterpret_cast<sockaddr *>(&local), &bound) != 0) {
        *error = std::string("cannot listen on ") + addressText(local) + ": " + std::strerror(errno);
        return -1;
    }
    return s.release();
}

int portOf(const sockaddr_storage &address)
{
    return ntohs(address.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6 &>(address).sin6_port
                                               : reinterpret_cast<const sockaddr_in &>(address).sin_port);
}

// One request's body as it arrives.
struct Upload {
    std::string body;
    bool tooLarge = false;
};

MHD_Result reply(const MhdLibrary &mhd, MHD_Connection *connection, unsigned status)
{
    MHD_Response *response = mhd.create_response_from_buffer(0, nullptr, MHD_RESPMEM_PERSISTENT);
    if (!response)
        return MHD_NO;
    MHD_Result queued = mhd.queue_response(connection, status, response);
    mhd.destroy_response(response);
    return queued;
}

}  // namespace

struct EventListener::State {
    std::shared_ptr<const MhdLibrary> mhd;  // released after the daemon has stopped
    Handler handler;
    sockaddr_storage device{};

    static MHD_Result acceptFrom(void *self, const sockaddr *address, socklen_t)
    {
        const State &state = *static_cast<State *>(self);
        if (sameHost(address, state.device))
            return MHD_YES;
        sockaddr_storage peer{};
        std::memcpy(&peer, address, address->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
        WSD_WARN("event listener: refused a connection from %s, which is not the device (%s)",
                 addressText(peer).c_str(), addressText(state.device).c_str());
        return MHD_NO;
    }

    static MHD_Result answer(void *self, MHD_Connection *connection, const char *url, const char *method,
                             const char *, const char *uploadData, size_t *uploadSize, void **requestState)
    {
        State &state = *static_cast<State *>(self);
        if (!*requestState) {
            if (std::strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
                WSD_WARN("event listener: refused %s %s (only POST carries events)", method, url);
                return reply(*state.mhd, connection, MHD_HTTP_METHOD_NOT_ALLOWED);
            }
            const char *declared =
                state.mhd->lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (declared && std::strtoull(declared, nullptr, 10) > MaxEventSize) {
                WSD_WARN("event listener: refused an event of %s bytes (at most %zu)", declared, MaxEventSize);
                return reply(*state.mhd, connection, MHD_HTTP_CONTENT_TOO_LARGE);
            }
            *requestState = new Upload;
            return MHD_YES;
        }
        Upload &upload = *static_cast<Upload *>(*requestState);
        if (*uploadSize > 0) {
            // Chunked bodies declare no length: count as they come.
            if (upload.body.size() + *uploadSize > MaxEventSize)
                upload.tooLarge = true;
            else
                upload.body.append(uploadData, *uploadSize);
            *uploadSize = 0;
            return MHD_YES;
        }
        if (upload.tooLarge) {
            WSD_WARN("event listener: refused an event of more than %zu bytes", MaxEventSize);
            return reply(*state.mhd, connection, MHD_HTTP_CONTENT_TOO_LARGE);
        }
        unsigned status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        try {
            status = state.handler(url, upload.body);
        } catch (const std::exception &e) {
            WSD_ERROR("event listener: %s", e.what());
        }
        return reply(*state.mhd, connection, status);
    }

    static void completed(void *, MHD_Connection *, void **requestState, MHD_RequestTerminationCode)
    {
        delete static_cast<Upload *>(*requestState);
        *requestState = nullptr;
    }
};

EventListener::EventListener(std::unique_ptr<State> state) : state_(std::move(state)) {}

EventListener::~EventListener()
{
    if (daemon_)
        state_->mhd->stop_daemon(daemon_);  // joins its thread; closes the listening socket
}

std::unique_ptr<EventListener> EventListener::start(const std::string &deviceUrl, Handler handler, std::string *error)
{
    auto state = std::make_unique<State>();
    state->mhd = openLibmicrohttpd();
    const MhdLibrary &mhd = *state->mhd;
    if (!mhd.complete) {
        *error = mhd.library.error();
        return nullptr;
    }
    state->handler = std::move(handler);
    sockaddr_storage local{};
    if (!routeTo(deviceUrl, state->device, local, error))
        return nullptr;
    Socket listening(listenOn(local, error));
    if (listening.fd() < 0)
        return nullptr;
    std::unique_ptr<EventListener> listener(new EventListener(std::move(state)));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    if (local.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    State *callbacks = listener->state_.get();
    listener->daemon_ = mhd.start_daemon(
        flags, 0, &State::acceptFrom, callbacks, &State::answer, callbacks, MHD_OPTION_LISTEN_SOCKET, listening.fd(),
        MHD_OPTION_NOTIFY_COMPLETED, &State::completed, nullptr, MHD_OPTION_CONNECTION_LIMIT, MaxConnections,
        MHD_OPTION_CONNECTION_TIMEOUT, ConnectionTimeoutSeconds, MHD_OPTION_END);
    if (!listener->daemon_) {
        *error = "libmicrohttpd did not start";
        return nullptr;
    }
    listening.release();  // the daemon closes it
    // A link-local address's zone means nothing to the device: it reaches us
    // over the link it shares with us.
    listener->baseUrl_ = "http://" + url::hostForUrl(addressText(local)) + ":" + std::to_string(portOf(local));
    return listener;
}

}  // namespace wsd::events
