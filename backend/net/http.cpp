#include "wsd/http.h"

#include "config.h"

#include "wsd/log.h"
#include "wsd/protocol_trace.h"
#include "wsd/shared_library.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <mutex>

namespace wsd::http {

namespace {

struct EasyFree {
    void operator()(CURL *c) const { curl_easy_cleanup(c); }
};
struct MultiFree {
    void operator()(CURLM *m) const { curl_multi_cleanup(m); }
};
struct SlistFree {
    void operator()(curl_slist *l) const { curl_slist_free_all(l); }
};
struct ShareFree {
    void operator()(CURLSH *s) const { curl_share_cleanup(s); }
};
using Easy = std::unique_ptr<CURL, EasyFree>;
using Multi = std::unique_ptr<CURLM, MultiFree>;
using Slist = std::unique_ptr<curl_slist, SlistFree>;
using Share = std::unique_ptr<CURLSH, ShareFree>;

using Clock = std::chrono::steady_clock;

// Debian's libcurl links libssh2, whose initialisation (called by
// curl_global_init) sets up OpenSSL's libcrypto for SCP and SFTP: 1.4 MB of
// resident memory in every frontend, for protocols we never allow (see
// configure()). libssh2_init counts its callers and sets up the crypto
// library on the first call only, unless told LIBSSH2_INIT_NO_CRYPTO; we make
// that first call when libssh2 is loaded at all.
void skipSshCrypto()
{
    constexpr int noCrypto = 0x0001;  // LIBSSH2_INIT_NO_CRYPTO, libssh2.h
    struct DlClose {
        void operator()(void *handle) const { dlclose(handle); }
    };
    std::unique_ptr<void, DlClose> libssh2(dlopen("libssh2.so.1", RTLD_NOW | RTLD_NOLOAD));
    if (!libssh2)
        return;
    if (auto init = reinterpret_cast<int (*)(int)>(dlsym(libssh2.get(), "libssh2_init")))
        init(noCrypto);
}

// libcurl, and the TLS library under it, stay loaded until the process ends:
// GnuTLS's constructor allocates ~110 kB that unloading does not free, so
// each sane_exit and sane_init again lost that much (measured: 116 kB a
// cycle; scanbd, for one, re-initialises SANE around every scan). libcurl's
// global init is meant to run once in a process anyway.
void keepLibcurlLoaded()
{
    if (!keepLoadedForProcess(reinterpret_cast<const void *>(&curl_global_init)))
        WSD_WARN("libcurl could not be kept loaded: each sane_exit leaks its TLS library's start-up memory");
}

void globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] {
        keepLibcurlLoaded();
        skipSshCrypto();
        curl_global_init(CURL_GLOBAL_DEFAULT);
    });
}

void lockShare(CURL *, curl_lock_data data, curl_lock_access, void *mutexes)
{
    static_cast<std::mutex *>(mutexes)[data % CURL_LOCK_DATA_LAST].lock();
}

void unlockShare(CURL *, curl_lock_data data, void *mutexes)
{
    static_cast<std::mutex *>(mutexes)[data % CURL_LOCK_DATA_LAST].unlock();
}

// Where the body of one transfer goes, and what is known of its headers.
struct Transfer {
    const Request *request = nullptr;
    Easy easy;
    Slist headers;
    std::size_t maxBody = 0;
    std::string *body = nullptr;  // buffered mode
    StreamHandler *stream = nullptr;  // streaming mode
    bool headersDelivered = false;
    bool aborted = false;        // a handler said stop, or the body grew too large
    std::string abortReason;
    Clock::time_point started;
    Clock::time_point lastProgress;
    std::unique_ptr<trace::Exchange> trace;
    // A long body: the socket wakes us once per BatchBytes received, not
    // for every packet (see batchReceive()). Only where the end of the body
    // wakes us anyway: the device closes after it (Connection: close), or
    // the body's length says when to stop batching (lengthKnownOnly).
    bool batched = false;
    bool lengthKnownOnly = false;
    enum class Batch { Off, On, Done } batch = Batch::Off;
    curl_off_t received = 0;

    // Each wake-up from idle costs (on a 2-vCPU VM, tens of microseconds
    // and a colder cache); a device sending 4 MB/s woke the worker some 800
    // times per page. The first bytes still come at once; the last ones
    // too, once the body's length says they are the last.
    static constexpr int BatchBytes = 64 * 1024;
    void batchReceive(std::size_t length)
    {
        received += static_cast<curl_off_t>(length);
        if (!batched || batch == Batch::Done)
            return;
        curl_off_t total = -1;
        curl_easy_getinfo(easy.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total);
        const bool nearEnd = total >= 0 && total - received < BatchBytes;
        if (lengthKnownOnly && total < 0)
            return;
        if (batch == Batch::Off && received >= BatchBytes && !nearEnd)
            setLowWater(BatchBytes, Batch::On);
        else if (batch == Batch::On && nearEnd)
            setLowWater(1, Batch::Done);
    }
    // Nothing delivered for a while, yet bytes wait: a slow device, for
    // which batching would only hold lines back (and look like a stall).
    void checkSlowDevice()
    {
        int waiting = 0;
        if (batch == Batch::On && Clock::now() - lastProgress >= std::chrono::milliseconds(150) &&
            ioctl(*socket, FIONREAD, &waiting) == 0 && waiting > 0)
            setLowWater(1, Batch::Done);
    }
    void setLowWater(int bytes, Batch next)
    {
        if (*socket != CURL_SOCKET_BAD)
            setsockopt(*socket, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes);
        batch = next;
    }
    // The connection's socket, from CURLOPT_SOCKOPTFUNCTION (curl tells
    // the active socket only once the transfer is over). A Session's kept
    // connection: the session's slot, set when it was made.
    curl_socket_t ownSocket = CURL_SOCKET_BAD;
    curl_socket_t *socket = &ownSocket;

    long status() const
    {
        long code = 0;
        curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &code);
        return code;
    }
    bool requestSent() const
    {
        curl_off_t sent = 0;
        curl_easy_getinfo(easy.get(), CURLINFO_SIZE_UPLOAD_T, &sent);
        return sent > 0;
    }
    std::string contentType() const
    {
        char *ct = nullptr;
        curl_easy_getinfo(easy.get(), CURLINFO_CONTENT_TYPE, &ct);
        return ct ? ct : "";
    }
    // A redirect is an answer we refuse: SOAP and image requests stay with
    // the origin the device was found at, so a device cannot send us (with
    // a JobToken) to another host or to a local port. Empty when not one.
    std::string refusedRedirect() const
    {
        const long code = status();
        if (code < 300 || code > 399)
            return "";
        char *target = nullptr;
        curl_easy_getinfo(easy.get(), CURLINFO_REDIRECT_URL, &target);
        std::string why = "HTTP " + std::to_string(code) + " redirect to " + (target ? target : "(no Location)") +
                          " refused";
        WSD_WARN("%s: %s", request->url.c_str(), why.c_str());
        return why;
    }
    bool deliverHeaders()
    {
        if (headersDelivered)
            return true;
        headersDelivered = true;
        if (trace)
            trace->responseHeaders(status(), contentType());
        if (std::string why = refusedRedirect(); !why.empty()) {
            aborted = true;
            abortReason = why;
            return false;
        }
        if (stream && !stream->onHeaders(status(), contentType())) {
            aborted = true;
            abortReason = "response refused";
            return false;
        }
        return true;
    }
};

size_t writeBody(char *data, size_t size, size_t count, void *userdata)
{
    auto *t = static_cast<Transfer *>(userdata);
    const size_t length = size * count;
    t->lastProgress = Clock::now();
    if (!t->deliverHeaders())
        return 0;
    if (t->trace)
        t->trace->responseBody(data, length);
    if (t->stream) {
        t->batchReceive(length);
        if (!t->stream->onData(data, length)) {
            t->aborted = true;
            t->abortReason = "response refused";
            return 0;
        }
        // The handler may have waited for its reader (an image fetched
        // ahead waits for the frontend's sane_start): not a stalled device.
        t->lastProgress = Clock::now();
        return length;
    }
    if (t->body->size() + length > t->maxBody) {
        t->aborted = true;
        t->abortReason = "response body exceeds " + std::to_string(t->maxBody) + " bytes";
        return 0;
    }
    t->body->append(data, length);
    return length;
}

int rememberSocket(void *slot, curl_socket_t socket, curlsocktype)
{
    *static_cast<curl_socket_t *>(slot) = socket;
    return CURL_SOCKOPT_OK;
}

// Only http and https, and no redirect followed. sessionSocket: the slot of
// the Session's kept connection (Connection::Session only).
void configure(Transfer &t, const Options &options, bool wholeTimeout, curl_socket_t *sessionSocket = nullptr)
{
    CURL *c = t.easy.get();
    curl_easy_setopt(c, CURLOPT_URL, t.request->url.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, t.request->body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(t.request->body.size()));
    t.headers.reset(curl_slist_append(nullptr, ("Content-Type: " + t.request->contentType).c_str()));
    // Devices answer 100-continue badly or not at all; send the body at once.
    t.headers.reset(curl_slist_append(t.headers.release(), "Expect:"));
    using Connection = Request::Connection;
    // post() and postAll() have no connection cache of their own.
    Connection connection = t.request->connection;
    if (connection == Connection::Session && !sessionSocket)
        connection = Connection::Own;
    if (connection == Connection::Own) {
        // The device closes after the body: its end wakes us at once even
        // when the body's length is not known.
        t.headers.reset(curl_slist_append(t.headers.release(), "Connection: close"));
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    } else if (connection == Connection::Session) {
        // Kept alive, so only a known length ends the batching in time.
        t.socket = sessionSocket;
        t.lengthKnownOnly = true;
    }
    if (connection != Connection::Pooled) {
        t.batched = t.stream != nullptr;
        curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, rememberSocket);
        curl_easy_setopt(c, CURLOPT_SOCKOPTDATA, t.socket);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, t.headers.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "sane-wsd/" PACKAGE_VERSION);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    int connectMs = options.connectTimeoutMs, wholeMs = options.timeoutMs;
    if (t.request->timeoutMs > 0) {
        connectMs = std::min(connectMs, t.request->timeoutMs);
        wholeMs = std::min(wholeMs, t.request->timeoutMs);
    }
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connectMs));
    if (wholeTimeout)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(wholeMs));
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // see refusedRedirect()
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options.tlsVerify ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options.tlsVerify ? 2L : 0L);
    // Larger receive buffer: fewer callbacks for a multi-megabyte image;
    // SOAP answers are small, and curl's default buffer keeps them off the heap's top.
    if (t.stream)
        curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, writeBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_PRIVATE, &t);
    // A Session's connection lives in its multi handle's own cache, where
    // requests on the pool never find it busy.
    if (options.pool && connection == Connection::Session)
        options.pool->attachSessionsOnly(c);
    else if (options.pool)
        options.pool->attach(c);
    t.started = t.lastProgress = Clock::now();
    if (!options.traceDir.empty()) {
        t.trace = std::make_unique<trace::Exchange>(options.traceDir, t.request->url);
        t.trace->request(t.request->contentType, t.request->body);
    }
}

std::string describe(CURLcode code, const Transfer &t)
{
    if (t.aborted)
        return t.abortReason;
    return curl_easy_strerror(code);
}

}  // namespace

struct ConnectionPool::Impl {
    std::mutex mutexes[CURL_LOCK_DATA_LAST];  // declared first: the share handles go before them
    Share share;
    Share sessionsOnly;  // DNS and TLS sessions, locked with the same mutexes
};

namespace {

Share makeShare(std::mutex *mutexes, bool connections)
{
    Share share(curl_share_init());
    if (!share)
        throw std::bad_alloc();
    CURLSH *s = share.get();
    curl_share_setopt(s, CURLSHOPT_LOCKFUNC, lockShare);
    curl_share_setopt(s, CURLSHOPT_UNLOCKFUNC, unlockShare);
    curl_share_setopt(s, CURLSHOPT_USERDATA, mutexes);
    if (connections)
        curl_share_setopt(s, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(s, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    // An https device: each image connection resumes the TLS session.
    curl_share_setopt(s, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    return share;
}

}  // namespace

ConnectionPool::ConnectionPool() : impl_(std::make_unique<Impl>())
{
    globalInit();
    impl_->share = makeShare(impl_->mutexes, true);
    impl_->sessionsOnly = makeShare(impl_->mutexes, false);
}

ConnectionPool::~ConnectionPool() = default;

int millisecondsLeft(Deadline deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, std::numeric_limits<int>::max()));
}

void ConnectionPool::attach(void *easyHandle) const
{
    curl_easy_setopt(static_cast<CURL *>(easyHandle), CURLOPT_SHARE, impl_->share.get());
}

void ConnectionPool::attachSessionsOnly(void *easyHandle) const
{
    curl_easy_setopt(static_cast<CURL *>(easyHandle), CURLOPT_SHARE, impl_->sessionsOnly.get());
}

Response post(const Request &request, const Options &options)
{
    return postAll({request}, options).front();
}

std::vector<Response> postAll(const std::vector<Request> &requests, const Options &options, const DoneCallback &onDone)
{
    globalInit();
    std::vector<Response> responses(requests.size());
    std::vector<std::unique_ptr<Transfer>> transfers;
    Multi multi(curl_multi_init());
    if (!multi)
        throw std::bad_alloc();
    for (std::size_t i = 0; i < requests.size(); ++i) {
        auto t = std::make_unique<Transfer>();
        t->request = &requests[i];
        t->easy.reset(curl_easy_init());
        if (!t->easy)
            throw std::bad_alloc();
        t->body = &responses[i].body;
        t->maxBody = options.maxBodyBytes;
        configure(*t, options, true);
        curl_multi_add_handle(multi.get(), t->easy.get());
        transfers.push_back(std::move(t));
    }
    int running = 0;
    do {
        curl_multi_perform(multi.get(), &running);
        int queued = 0;
        while (CURLMsg *msg = curl_multi_info_read(multi.get(), &queued)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            Transfer *t = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char **>(&t));
            const std::size_t index = static_cast<std::size_t>(t->request - requests.data());
            Response &r = responses[index];
            r.requestSent = t->requestSent();
            if (msg->data.result == CURLE_OK && t->deliverHeaders()) {
                r.status = t->status();
                r.contentType = t->contentType();
            } else {
                r.error = describe(msg->data.result, *t);
                r.body.clear();
            }
            if (t->trace)
                t->trace->finish(r.error);
            curl_multi_remove_handle(multi.get(), msg->easy_handle);
            if (onDone)
                onDone(index, r);
        }
        if (running)
            curl_multi_poll(multi.get(), nullptr, 0, 1000, nullptr);
    } while (running);
    return responses;
}

struct Session::Impl {
    Options options;
    // The socket of the kept connection (Connection::Session); declared
    // before multi, which closes the connection when it goes.
    curl_socket_t keptSocket = CURL_SOCKET_BAD;
    Multi multi;
    int cancelFd = -1;
    std::function<void()> cancelHook;
};

Session::Session(const Options &options) : impl_(std::make_unique<Impl>())
{
    globalInit();
    impl_->options = options;
    impl_->multi.reset(curl_multi_init());
    if (!impl_->multi)
        throw std::bad_alloc();
}

Session::~Session() = default;

void Session::setCancelFd(int fd) { impl_->cancelFd = fd; }

int Session::cancelFd() const { return impl_->cancelFd; }

void Session::setCancelHook(std::function<void()> hook) { impl_->cancelHook = std::move(hook); }

namespace {

// Runs one transfer on the session's multi handle (whose connection cache
// keeps the device's connection alive between requests).
Outcome run(CURLM *multi, Transfer &t, int cancelFd, const std::function<void()> &cancelHook, int stallTimeoutMs,
            std::string *error)
{
    curl_multi_add_handle(multi, t.easy.get());
    struct Detach {
        CURLM *m;
        CURL *e;
        ~Detach() { curl_multi_remove_handle(m, e); }
    } detach{multi, t.easy.get()};

    for (;;) {
        int running = 0;
        curl_multi_perform(multi, &running);
        int queued = 0;
        while (CURLMsg *msg = curl_multi_info_read(multi, &queued)) {
            if (msg->msg != CURLMSG_DONE || msg->easy_handle != t.easy.get())
                continue;
            if (msg->data.result == CURLE_OK && t.deliverHeaders()) {
                if (t.trace)
                    t.trace->finish("");
                return Outcome::Done;
            }
            if (error)
                *error = describe(msg->data.result, t);
            if (t.trace)
                t.trace->finish(describe(msg->data.result, t));
            return Outcome::Failed;
        }
        if (t.stream && !t.headersDelivered && t.request->timeoutMs > 0 &&
            Clock::now() - t.started > std::chrono::milliseconds(t.request->timeoutMs)) {
            if (error)
                *error = "no answer within " + std::to_string(t.request->timeoutMs) + " ms";
            if (t.trace)
                t.trace->finish("deadline");
            return Outcome::Failed;
        }
        if (stallTimeoutMs > 0 &&
            Clock::now() - t.lastProgress > std::chrono::milliseconds(stallTimeoutMs)) {
            if (error)
                *error = "no data from the device for " + std::to_string(stallTimeoutMs) + " ms";
            if (t.trace)
                t.trace->finish("stalled");
            return Outcome::Failed;
        }
        curl_waitfd extra{};
        unsigned extraCount = 0;
        if (cancelFd >= 0) {
            extra.fd = cancelFd;
            extra.events = CURL_WAIT_POLLIN;
            extraCount = 1;
        }
        curl_multi_poll(multi, extraCount ? &extra : nullptr, extraCount, 200, nullptr);
        t.checkSlowDevice();
        if (extraCount && (extra.revents & CURL_WAIT_POLLIN)) {
            if (cancelHook)
                cancelHook();
            if (t.trace)
                t.trace->finish("cancelled");
            return Outcome::Cancelled;  // Detach drops the transfer and its connection
        }
    }
}

}  // namespace

Outcome Session::post(const Request &request, StreamHandler &handler, int stallTimeoutMs, std::string *error)
{
    Transfer t;
    t.request = &request;
    t.easy.reset(curl_easy_init());
    if (!t.easy)
        throw std::bad_alloc();
    t.stream = &handler;
    configure(t, impl_->options, stallTimeoutMs <= 0, &impl_->keptSocket);
    return run(impl_->multi.get(), t, impl_->cancelFd, impl_->cancelHook, stallTimeoutMs, error);
}

Outcome Session::post(const Request &request, Response &response)
{
    Transfer t;
    t.request = &request;
    t.easy.reset(curl_easy_init());
    if (!t.easy)
        throw std::bad_alloc();
    response = Response();
    t.body = &response.body;
    t.maxBody = impl_->options.maxBodyBytes;
    configure(t, impl_->options, true, &impl_->keptSocket);
    std::string error;
    Outcome outcome = run(impl_->multi.get(), t, impl_->cancelFd, impl_->cancelHook, 0, &error);
    response.requestSent = t.requestSent();
    if (outcome == Outcome::Done) {
        response.status = t.status();
        response.contentType = t.contentType();
    } else {
        response.body.clear();
        response.error = outcome == Outcome::Cancelled ? "cancelled" : error;
    }
    return outcome;
}

}  // namespace wsd::http
