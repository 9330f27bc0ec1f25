// An HTTP/1.1 server on libmicrohttpd: one daemon per listen address (IPv4
// and IPv6 separately, all on one port), a thread per connection, keep-alive
// and chunked request bodies as MHD provides them. Request bodies are capped;
// image transfers stream through MHD's content-reader callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http_reply.h"

struct MHD_Daemon;

namespace wsdsim {

// A certificate and its private key, PEM text: the server speaks HTTPS.
struct TlsPem {
    std::string certificate;
    std::string key;
};

class HttpServer {
public:
    using Handler = std::function<HttpReply(const HttpRequest &)>;
    // Larger bodies are answered with 413 and the given reply body.
    static constexpr size_t DefaultMaxBody = 256 * 1024;

    // Binds every address on `port` (0: the first bind picks a free port and
    // the others share it). Throws std::runtime_error when a bind fails.
    // With tls (non-empty PEM texts) every daemon speaks HTTPS.
    HttpServer(const std::vector<std::string> &addresses, uint16_t port, Handler handler,
               size_t maxBody = DefaultMaxBody, Handler oversize = nullptr, const TlsPem &tls = {});
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    uint16_t port() const { return port_; }
    const std::vector<std::string> &addresses() const { return addresses_; }

    // Public for the C callbacks only.
    struct Callbacks;

private:
    struct DaemonStop {
        void operator()(MHD_Daemon *d) const;
    };

    Handler handler_;
    Handler oversize_;
    size_t maxBody_;
    uint16_t port_ = 0;
    std::vector<std::string> addresses_;
    std::vector<std::unique_ptr<MHD_Daemon, DaemonStop>> daemons_;
    TlsPem tls_;  // MHD keeps pointers to these texts
};

// "http://127.0.0.1:8080/path", "http://[::1]:8080/path" (scheme "https": "https://...").
std::string httpUrl(const std::string &address, uint16_t port, const std::string &path,
                    const char *scheme = "http");

}  // namespace wsdsim
