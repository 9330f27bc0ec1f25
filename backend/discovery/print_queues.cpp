#include "wsd/print_queues.h"

#include "wsd/log.h"
#include "wsd/shared_library.h"
#include "wsd/strings.h"

#include <cups/cups.h>

#include <cstring>
#include <memory>

namespace wsd::discovery {

struct CupsLibrary::Functions {
    SharedLibrary library{WSD_CUPS_SONAME};
    decltype(&cupsDoRequest) do_request = nullptr;
    decltype(&cupsEncryption) encryption = nullptr;
    decltype(&cupsLastError) last_error = nullptr;
    decltype(&cupsLastErrorString) last_error_string = nullptr;
    decltype(&cupsServer) server = nullptr;
    decltype(&cupsSetPasswordCB2) set_password_cb2 = nullptr;
    decltype(&httpClose) http_close = nullptr;
    decltype(&httpConnect2) http_connect2 = nullptr;
    decltype(&httpSeparateURI) http_separate_uri = nullptr;
    decltype(&httpSetTimeout) http_set_timeout = nullptr;
    decltype(&ippAddStrings) ipp_add_strings = nullptr;
    decltype(&ippDelete) ipp_delete = nullptr;
    decltype(&ippFirstAttribute) ipp_first_attribute = nullptr;
    decltype(&ippGetCount) ipp_get_count = nullptr;
    decltype(&ippGetGroupTag) ipp_get_group_tag = nullptr;
    decltype(&ippGetName) ipp_get_name = nullptr;
    decltype(&ippGetString) ipp_get_string = nullptr;
    decltype(&ippNewRequest) ipp_new_request = nullptr;
    decltype(&ippNextAttribute) ipp_next_attribute = nullptr;
    decltype(&ippPort) ipp_port = nullptr;
    bool complete = false;

    Functions()
    {
        complete = library.bind(do_request, "cupsDoRequest") && library.bind(encryption, "cupsEncryption") &&
                   library.bind(last_error, "cupsLastError") &&
                   library.bind(last_error_string, "cupsLastErrorString") && library.bind(server, "cupsServer") &&
                   library.bind(set_password_cb2, "cupsSetPasswordCB2") &&
                   library.bind(http_close, "httpClose") && library.bind(http_connect2, "httpConnect2") &&
                   library.bind(http_separate_uri, "httpSeparateURI") &&
                   library.bind(http_set_timeout, "httpSetTimeout") &&
                   library.bind(ipp_add_strings, "ippAddStrings") && library.bind(ipp_delete, "ippDelete") &&
                   library.bind(ipp_first_attribute, "ippFirstAttribute") &&
                   library.bind(ipp_get_count, "ippGetCount") && library.bind(ipp_get_group_tag, "ippGetGroupTag") &&
                   library.bind(ipp_get_name, "ippGetName") && library.bind(ipp_get_string, "ippGetString") &&
                   library.bind(ipp_new_request, "ippNewRequest") &&
                   library.bind(ipp_next_attribute, "ippNextAttribute") && library.bind(ipp_port, "ippPort");
        // Once opened, libcups stays for the process: unloading it orphaned
        // state that the exit of the thread that used it does not free (the
        // sanitizer build's LeakSanitizer: 344 bytes in every process that
        // had asked CUPS), and SANE's dll backend may load us again.
        if (complete && !keepLoadedForProcess(reinterpret_cast<const void *>(server)))
            WSD_WARN("libcups could not be kept loaded: unloading it loses a few hundred bytes");
    }
};

CupsLibrary::CupsLibrary() : functions_(std::make_unique<Functions>()) {}
CupsLibrary::~CupsLibrary() = default;
bool CupsLibrary::loaded() const { return functions_->complete; }
const std::string &CupsLibrary::error() const { return functions_->library.error(); }

namespace {

// A print server with thousands of queues must not make us probe thousands
// of hosts.
constexpr std::size_t MaxQueues = 256;
// A DNS name has at most 253 characters (RFC 1035); libcups cuts a longer
// host to its buffer without saying so, hence the larger buffer.
constexpr std::size_t MaxHostLength = 253;

struct UriParts {
    std::string scheme, host;
};

// libcups's reading of a URI; %-escapes decoded (an IPv6 zone "%25eth0"
// becomes "%eth0", a DNS-SD name's "%20" a space).
std::optional<UriParts> separate(const CupsLibrary &cups, const std::string &uri)
{
    if (!cups.loaded())
        return std::nullopt;
    char scheme[32], user[256], host[1024], resource[1024];
    int port = 0;
    if (cups.functions().http_separate_uri(HTTP_URI_CODING_ALL, uri.c_str(), scheme, sizeof scheme, user,
                                           sizeof user, host, sizeof host, &port, resource,
                                           sizeof resource) < HTTP_URI_STATUS_OK ||
        !*host || std::strlen(host) > MaxHostLength)
        return std::nullopt;
    // Schemes are case-insensitive (RFC 3986 section 3.1).
    return UriParts{lower(scheme), host};
}

struct HttpClose {
    const CupsLibrary::Functions *cups;
    void operator()(http_t *http) const { cups->http_close(http); }
};
struct IppDelete {
    const CupsLibrary::Functions *cups;
    void operator()(ipp_t *ipp) const { cups->ipp_delete(ipp); }
};

// Never prompt: a SANE backend has no terminal to ask on.
const char *noPassword(const char *, http_t *, const char *, const char *, void *) { return nullptr; }
// Called when a read or write has waited the whole timeout: give up.
int giveUp(http_t *, void *) { return 0; }

}  // namespace

std::optional<std::string> printerHostOf(const CupsLibrary &cups, const std::string &deviceUri)
{
    static const char *const networkSchemes[] = {"ipp", "ipps", "http", "https", "socket", "lpd"};
    auto parts = separate(cups, deviceUri);
    if (!parts)
        return std::nullopt;
    for (const char *scheme : networkSchemes)
        if (parts->scheme == scheme)
            return parts->host;
    return std::nullopt;
}

std::optional<DnsSdService> dnsSdServiceOf(const CupsLibrary &cups, const std::string &deviceUri)
{
    auto parts = separate(cups, deviceUri);
    if (!parts || parts->scheme != "dnssd")
        return std::nullopt;
    // "NAME._TYPE._tcp.DOMAIN." (DNS-SD, RFC 6763 section 4.1): the
    // instance name may hold dots, the service type is the two labels
    // before the domain.
    const std::string &full = parts->host;
    std::size_t protocol = std::string::npos;
    for (const char *p : {"._tcp", "._udp"}) {
        const std::size_t at = full.rfind(p);
        if (at != std::string::npos && (protocol == std::string::npos || at > protocol))
            protocol = at;
    }
    if (protocol == std::string::npos || protocol == 0 || (protocol + 5 < full.size() && full[protocol + 5] != '.'))
        return std::nullopt;
    const std::size_t type = full.rfind("._", protocol - 1);
    if (type == std::string::npos || type == 0)
        return std::nullopt;
    DnsSdService service;
    service.name = full.substr(0, type);
    service.type = full.substr(type + 1, protocol + 5 - type - 1);
    std::string domain = protocol + 5 < full.size() ? full.substr(protocol + 6) : std::string();
    if (!domain.empty() && domain.back() == '.')
        domain.pop_back();
    service.domain = domain.empty() ? "local" : domain;
    return service;
}

std::optional<std::vector<PrintQueue>> listPrintQueues(const CupsLibrary &library, int timeoutMs,
                                                       std::string *error)
{
    if (!library.loaded()) {
        *error = library.error();
        return std::nullopt;
    }
    const CupsLibrary::Functions &cups = library.functions();
    // libcups keeps these per thread: they affect only this lookup.
    cups.set_password_cb2(noPassword, nullptr);
    const char *server = cups.server();
    int cancel = 0;
    std::unique_ptr<http_t, HttpClose> http(
        cups.http_connect2(server, cups.ipp_port(), nullptr, AF_UNSPEC, cups.encryption(), 1, timeoutMs, &cancel),
        HttpClose{&cups});
    if (!http) {
        // httpConnect2 leaves neither errno nor cupsLastError() meaningful.
        *error = std::string("no CUPS scheduler answers at ") + server;
        return std::nullopt;
    }
    cups.http_set_timeout(http.get(), timeoutMs / 1000.0, giveUp, nullptr);
    // CUPS-Get-Printers (CUPS Implementation of IPP): every local queue with
    // only what we need.
    ipp_t *request = cups.ipp_new_request(IPP_OP_CUPS_GET_PRINTERS);
    static const char *const attributes[] = {"printer-name", "device-uri"};
    cups.ipp_add_strings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 2, nullptr,
                         attributes);
    std::unique_ptr<ipp_t, IppDelete> response(cups.do_request(http.get(), request, "/"), IppDelete{&cups});
    if (!response || cups.last_error() > IPP_STATUS_OK_CONFLICTING) {
        *error = std::string("CUPS-Get-Printers at ") + server + ": " + cups.last_error_string();
        return std::nullopt;
    }
    std::vector<PrintQueue> queues;
    PrintQueue current;
    auto finish = [&] {
        if (!current.name.empty() && !current.deviceUri.empty() && queues.size() < MaxQueues)
            queues.push_back(current);
        current = PrintQueue();
    };
    for (ipp_attribute_t *a = cups.ipp_first_attribute(response.get()); a;
         a = cups.ipp_next_attribute(response.get())) {
        const char *name = cups.ipp_get_name(a);
        if (!name || cups.ipp_get_group_tag(a) != IPP_TAG_PRINTER) {
            finish();  // a group separator: the next printer begins
            continue;
        }
        const char *value = cups.ipp_get_count(a) == 1 ? cups.ipp_get_string(a, 0, nullptr) : nullptr;
        if (!value)
            continue;
        if (std::string(name) == "printer-name")
            current.name = value;
        else if (std::string(name) == "device-uri")
            current.deviceUri = value;
    }
    finish();
    return queues;
}

}  // namespace wsd::discovery
