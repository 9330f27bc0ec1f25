#include "http_server.h"

#include <microhttpd.h>

#include <net/if.h>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace wsdsim {

namespace {

// One request's upload as MHD delivers it in pieces.
struct RequestState {
    std::chrono::system_clock::time_point arrived = std::chrono::system_clock::now();
    std::string body;
    bool oversize = false;
};

unsigned peerPort(MHD_Connection *connection)
{
    const MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr)
        return 0;
    const sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(sa)->sin_port);
    if (sa->sa_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(sa)->sin6_port);
    return 0;
}

std::string peerAddress(MHD_Connection *connection)
{
    const MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr)
        return "";
    char text[INET6_ADDRSTRLEN] = "";
    const sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in *>(sa)->sin_addr, text, sizeof text);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 *>(sa)->sin6_addr, text, sizeof text);
    return text;
}

// A listening socket we own until MHD takes it over.
class ListenSocket {
public:
    ListenSocket(const std::string &address, uint16_t port)
    {
        sockaddr_storage storage{};
        socklen_t length = 0;
        int family = address.find(':') != std::string::npos ? AF_INET6 : AF_INET;
        if (family == AF_INET6) {
            auto *sa = reinterpret_cast<sockaddr_in6 *>(&storage);
            sa->sin6_family = AF_INET6;
            sa->sin6_port = htons(port);
            // A link-local address names its interface: "fe80::2%lab0".
            const std::size_t pct = address.find('%');
            if (inet_pton(AF_INET6, address.substr(0, pct).c_str(), &sa->sin6_addr) != 1)
                throw std::runtime_error("not an IPv6 address: " + address);
            if (pct != std::string::npos && (sa->sin6_scope_id = if_nametoindex(address.c_str() + pct + 1)) == 0)
                throw std::runtime_error("no interface " + address.substr(pct + 1) + " for " + address);
            length = sizeof *sa;
        } else {
            auto *sa = reinterpret_cast<sockaddr_in *>(&storage);
            sa->sin_family = AF_INET;
            sa->sin_port = htons(port);
            if (inet_pton(AF_INET, address.c_str(), &sa->sin_addr) != 1)
                throw std::runtime_error("not an IPv4 address: " + address);
            length = sizeof *sa;
        }
        fd_ = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0)
            throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        int on = 1;
        setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        // IPv4 has its own socket on the same port.
        if (family == AF_INET6)
            setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        if (bind(fd_, reinterpret_cast<sockaddr *>(&storage), length) != 0 || listen(fd_, 64) != 0) {
            int e = errno;
            close(fd_);
            throw std::runtime_error("cannot listen on " + address + " port " + std::to_string(port) + ": " +
                                     std::strerror(e));
        }
        sockaddr_storage bound{};
        socklen_t boundLength = sizeof bound;
        getsockname(fd_, reinterpret_cast<sockaddr *>(&bound), &boundLength);
        port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port
                                         : reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
    }
    ~ListenSocket()
    {
        if (fd_ >= 0)
            close(fd_);
    }
    ListenSocket(const ListenSocket &) = delete;
    ListenSocket &operator=(const ListenSocket &) = delete;

    int fd() const { return fd_; }
    uint16_t port() const { return port_; }
    int release()
    {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

struct ResponseFree {
    void operator()(MHD_Response *r) const { MHD_destroy_response(r); }
};

}  // namespace

struct HttpServer::Callbacks {
    static MHD_Result access(void *cls, MHD_Connection *connection, const char *url, const char *method,
                             const char *, const char *uploadData, size_t *uploadSize, void **context)
    {
        auto *server = static_cast<HttpServer *>(cls);
        if (*context == nullptr) {
            *context = new RequestState;
            return MHD_YES;
        }
        auto *state = static_cast<RequestState *>(*context);
        if (*uploadSize > 0) {
            // Keep reading an oversize body (so the answer can be sent) but store none of it.
            if (!state->oversize && state->body.size() + *uploadSize <= server->maxBody_)
                state->body.append(uploadData, *uploadSize);
            else
                state->oversize = true;
            *uploadSize = 0;
            return MHD_YES;
        }
        HttpRequest request;
        request.method = method;
        request.path = url;
        request.client = peerAddress(connection);
        request.clientPort = peerPort(connection);
        request.arrived = state->arrived;
        HttpReply reply;
        if (state->oversize) {
            reply = server->oversize_ ? server->oversize_(request) : HttpReply{};
            reply.status = 413;
        } else {
            request.body = std::move(state->body);
            try {
                reply = server->handler_(request);
            } catch (const std::exception &) {
                reply = HttpReply{};
                reply.status = 500;
            }
        }
        return queue(connection, reply);
    }

    static MHD_Result queue(MHD_Connection *connection, const HttpReply &reply)
    {
        if (reply.dropConnection)
            return MHD_NO;  // libmicrohttpd closes the connection
        std::unique_ptr<MHD_Response, ResponseFree> response;
        if (reply.transfer) {
            auto *holder = new std::shared_ptr<ImageTransfer>(reply.transfer);
            uint64_t size = reply.transfer->declaredSize().value_or(MHD_SIZE_UNKNOWN);
            response.reset(MHD_create_response_from_callback(size, 32 * 1024, &read, holder, &release));
            if (!response) {
                delete holder;
                return MHD_NO;
            }
        } else {
            response.reset(MHD_create_response_from_buffer(reply.body.size(), const_cast<char *>(reply.body.data()),
                                                            MHD_RESPMEM_MUST_COPY));
            if (!response)
                return MHD_NO;
        }
        if (!reply.contentType.empty())
            MHD_add_response_header(response.get(), MHD_HTTP_HEADER_CONTENT_TYPE, reply.contentType.c_str());
        if (!reply.location.empty())
            MHD_add_response_header(response.get(), MHD_HTTP_HEADER_LOCATION, reply.location.c_str());
        return MHD_queue_response(connection, static_cast<unsigned>(reply.status), response.get());
    }

    static ssize_t read(void *cls, uint64_t, char *buf, size_t max)
    {
        auto &transfer = *static_cast<std::shared_ptr<ImageTransfer> *>(cls);
        long n = transfer->read(buf, max);
        if (n == ImageTransfer::EndOfStream)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (n == ImageTransfer::Error)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        return n;
    }

    static void release(void *cls)
    {
        auto *holder = static_cast<std::shared_ptr<ImageTransfer> *>(cls);
        (*holder)->closed();
        delete holder;
    }

    static void completed(void *, MHD_Connection *, void **context, MHD_RequestTerminationCode)
    {
        delete static_cast<RequestState *>(*context);
        *context = nullptr;
    }
};

void HttpServer::DaemonStop::operator()(MHD_Daemon *d) const { MHD_stop_daemon(d); }

HttpServer::HttpServer(const std::vector<std::string> &addresses, uint16_t port, Handler handler, size_t maxBody,
                       Handler oversize, const TlsPem &tls)
    : handler_(std::move(handler)), oversize_(std::move(oversize)), maxBody_(maxBody), port_(port),
      addresses_(addresses), tls_(tls)
{
    const bool https = !tls_.certificate.empty() && !tls_.key.empty();
    for (const std::string &address : addresses) {
        ListenSocket socket(address, port_);
        port_ = socket.port();
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
        if (address.find(':') != std::string::npos)
            flags |= MHD_USE_IPv6;
        MHD_OptionItem tlsOptions[] = {
            {https ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, const_cast<char *>(tls_.certificate.c_str())},
            {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char *>(tls_.key.c_str())},
            {MHD_OPTION_END, 0, nullptr}};
        if (https)
            flags |= MHD_USE_TLS;
        MHD_Daemon *d = MHD_start_daemon(flags, port_, nullptr, nullptr, &Callbacks::access, this,
                                         MHD_OPTION_ARRAY, tlsOptions,
                                         MHD_OPTION_LISTEN_SOCKET, socket.fd(),
                                         MHD_OPTION_NOTIFY_COMPLETED, &Callbacks::completed, nullptr,
                                         // Idle keep-alive connections end eventually.
                                         MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
        if (!d)
            throw std::runtime_error("libmicrohttpd could not start on " + address);
        socket.release();  // MHD closes it when stopped
        daemons_.emplace_back(d);
    }
}

HttpServer::~HttpServer() = default;

std::string httpUrl(const std::string &address, uint16_t port, const std::string &path, const char *scheme)
{
    // A device advertises its link-local address without a zone: the zone is
    // the name of an interface of its own, meaningless to a client (RFC 6874).
    const std::string bare = address.substr(0, address.find('%'));
    std::string host = bare.find(':') != std::string::npos ? "[" + bare + "]" : bare;
    return std::string(scheme) + "://" + host + ":" + std::to_string(port) + path;
}

}  // namespace wsdsim
