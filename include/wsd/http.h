// HTTP over libcurl for SOAP exchanges: buffered requests (any thread, many at
// once through one multi handle) and the cancel-aware streaming session a
// scan worker uses, whose transfers stop the moment a cancel fd wakes.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wsd::http {

class ConnectionPool;

using Deadline = std::chrono::steady_clock::time_point;
// What is left of deadline in ms, for Request::timeoutMs; 0 once it has passed.
int millisecondsLeft(Deadline deadline);

struct Options {
    int connectTimeoutMs = 5000;
    int timeoutMs = 30000;             // whole exchange, buffered requests
    bool tlsVerify = false;            // devices use self-signed certificates
    std::size_t maxBodyBytes = 1 << 20;  // buffered responses larger than this fail
    std::string traceDir;              // protocol trace directory, empty = off
    // Keep-alive connections, DNS and TLS sessions shared by every request
    // made with these options; null: each request on its own. Shared
    // ownership: the pool lives as long as the last request that uses it.
    std::shared_ptr<ConnectionPool> pool;
};

struct Request {
    std::string url;
    std::string body;
    std::string contentType = "application/soap+xml; charset=utf-8";
    // A new connection, closed after this exchange: a long image transfer
    // leaves the pooled keep-alive connection idle, ready for CancelJob.
    bool ownConnection = false;
    // > 0: what is left of a deadline, in ms. A buffered exchange ends
    // within it, connecting included; a streamed one fails when its body
    // has not begun by then (the stall timeout governs it afterwards).
    int timeoutMs = 0;
};

struct Response {
    long status = 0;          // HTTP status, 0 when no response came
    std::string contentType;
    std::string body;
    std::string error;        // transport failure; empty when a response came
    // Some of the request body left us: the device may have acted on the
    // request even when no answer came (a CreateScanJob whose job exists).
    bool requestSent = false;
    bool transportOk() const { return error.empty(); }
};

// Keep-alive connections, DNS cache and TLS sessions that every request
// made with Options::pool shares (opening a device, each job request,
// CancelJob). The SANE edge makes one at sane_init; it ends with the last
// request that holds it, so no socket outlives the backend.
class ConnectionPool {
public:
    ConnectionPool();
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool &) = delete;
    ConnectionPool &operator=(const ConnectionPool &) = delete;

    // Makes a curl easy handle (CURL *) use this pool.
    void attach(void *easyHandle) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// One POST, blocking; safe from any thread.
Response post(const Request &request, const Options &options);

// Several POSTs at once over one curl multi handle; returns when all are done
// or failed, in the order given. Each request gets options.timeoutMs.
// `onDone`, when given, runs on the calling thread as each request ends (with
// its index), so that a quick answer is acted on while slow ones still wait.
using DoneCallback = std::function<void(std::size_t index, const Response &response)>;
std::vector<Response> postAll(const std::vector<Request> &requests, const Options &options,
                              const DoneCallback &onDone = DoneCallback());

// Receives a streamed response body as it arrives.
class StreamHandler {
public:
    virtual ~StreamHandler() = default;
    // Called once the status line and headers are in. Return false to abort.
    virtual bool onHeaders(long status, const std::string &contentType) = 0;
    // Called for each piece of the body. Return false to abort.
    virtual bool onData(const char *data, std::size_t length) = 0;
};

enum class Outcome { Done, Cancelled, Failed };

// A worker's connection to one device: one easy handle reused so keep-alive
// connections carry every request of a job; every wait also watches cancelFd.
class Session {
public:
    explicit Session(const Options &options);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // When cancelFd becomes readable, the transfer in flight is dropped at
    // once and the call returns Outcome::Cancelled. -1: no cancel fd.
    void setCancelFd(int fd);
    int cancelFd() const;
    // Runs on the session's thread when cancelFd wakes a transfer, before
    // the transfer and its connection are dropped: a scan worker sends
    // CancelJob from here, so the device hears of the cancel before it sees
    // the image connection close (and perhaps aborts the job for that).
    void setCancelHook(std::function<void()> hook);

    // Streams the response to handler. stallTimeoutMs bounds the time with no
    // data moving; 0 = use options.timeoutMs for the whole exchange.
    Outcome post(const Request &request, StreamHandler &handler, int stallTimeoutMs, std::string *error);
    // Buffers the response (bounded by options.maxBodyBytes).
    Outcome post(const Request &request, Response &response);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace wsd::http
