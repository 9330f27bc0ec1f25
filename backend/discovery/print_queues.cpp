#include "wsd/print_queues.h"

#include "wsd/log.h"
#include "wsd/shared_library.h"
#include "wsd/strings.h"

#include <cups/cups.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace wsd::discovery {

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
std::optional<UriParts> separate(const std::string &uri)
{
    char scheme[32], user[256], host[1024], resource[1024];
    int port = 0;
    if (httpSeparateURI(HTTP_URI_CODING_ALL, uri.c_str(), scheme, sizeof scheme, user, sizeof user, host,
                        sizeof host, &port, resource, sizeof resource) < HTTP_URI_STATUS_OK ||
        !*host || std::strlen(host) > MaxHostLength)
        return std::nullopt;
    // Schemes are case-insensitive (RFC 3986 section 3.1).
    return UriParts{lower(scheme), host};
}

struct HttpClose {
    void operator()(http_t *http) const { httpClose(http); }
};
struct IppDelete {
    void operator()(ipp_t *ipp) const { ippDelete(ipp); }
};

// Never prompt: a SANE backend has no terminal to ask on.
const char *noPassword(const char *, http_t *, const char *, const char *, void *) { return nullptr; }
// Called when a read or write has waited the whole timeout: give up.
int giveUp(http_t *, void *) { return 0; }

}  // namespace

std::optional<std::string> printerHostOf(const std::string &deviceUri)
{
    static const char *const networkSchemes[] = {"ipp", "ipps", "http", "https", "socket", "lpd"};
    auto parts = separate(deviceUri);
    if (!parts)
        return std::nullopt;
    for (const char *scheme : networkSchemes)
        if (parts->scheme == scheme)
            return parts->host;
    return std::nullopt;
}

std::optional<DnsSdService> dnsSdServiceOf(const std::string &deviceUri)
{
    auto parts = separate(deviceUri);
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

std::optional<std::vector<PrintQueue>> listPrintQueues(int timeoutMs, std::string *error)
{
    // libcups keeps per-thread state behind a pthread key whose destructor
    // is libcups' own code: a thread of the frontend that asked CUPS and
    // ends after sane_exit unloaded libcups would call into unmapped code.
    // So libcups stays loaded once used (the sanitizer build's LeakSanitizer
    // found that state orphaned at every exit).
    static std::once_flag pinned;
    std::call_once(pinned, [] {
        if (!keepLoadedForProcess(reinterpret_cast<const void *>(&cupsServer)))
            WSD_WARN("libcups could not be kept loaded after sane_exit");
    });
    // libcups keeps these per thread: they affect only this lookup.
    cupsSetPasswordCB2(noPassword, nullptr);
    const char *server = cupsServer();
    int cancel = 0;
    std::unique_ptr<http_t, HttpClose> http(
        httpConnect2(server, ippPort(), nullptr, AF_UNSPEC, cupsEncryption(), 1, timeoutMs, &cancel));
    if (!http) {
        // httpConnect2 leaves neither errno nor cupsLastError() meaningful.
        *error = std::string("no CUPS scheduler answers at ") + server;
        return std::nullopt;
    }
    httpSetTimeout(http.get(), timeoutMs / 1000.0, giveUp, nullptr);
    // CUPS-Get-Printers (CUPS Implementation of IPP): every local queue with
    // only what we need.
    ipp_t *request = ippNewRequest(IPP_OP_CUPS_GET_PRINTERS);
    static const char *const attributes[] = {"printer-name", "device-uri"};
    ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 2, nullptr, attributes);
    std::unique_ptr<ipp_t, IppDelete> response(cupsDoRequest(http.get(), request, "/"));
    if (!response || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
        *error = std::string("CUPS-Get-Printers at ") + server + ": " + cupsLastErrorString();
        return std::nullopt;
    }
    std::vector<PrintQueue> queues;
    PrintQueue current;
    auto finish = [&] {
        if (!current.name.empty() && !current.deviceUri.empty() && queues.size() < MaxQueues)
            queues.push_back(current);
        current = PrintQueue();
    };
    for (ipp_attribute_t *a = ippFirstAttribute(response.get()); a; a = ippNextAttribute(response.get())) {
        const char *name = ippGetName(a);
        if (!name || ippGetGroupTag(a) != IPP_TAG_PRINTER) {
            finish();  // a group separator: the next printer begins
            continue;
        }
        const char *value = ippGetCount(a) == 1 ? ippGetString(a, 0, nullptr) : nullptr;
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
