#include "wsd/url.h"

#include "wsd/strings.h"

#include <curl/curl.h>

#include <algorithm>

#include <memory>

namespace wsd::url {

namespace {

struct CurlUrlFree {
    void operator()(CURLU *h) const { curl_url_cleanup(h); }
};
using Handle = std::unique_ptr<CURLU, CurlUrlFree>;

struct CurlStringFree {
    void operator()(char *p) const { curl_free(p); }
};

Handle open(const std::string &url)
{
    Handle h(curl_url());
    if (!h || curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        return nullptr;
    return h;
}

std::optional<std::string> get(CURLU *h, CURLUPart part, unsigned flags = 0)
{
    char *raw = nullptr;
    if (curl_url_get(h, part, &raw, flags) != CURLUE_OK)
        return std::nullopt;
    std::unique_ptr<char, CurlStringFree> owned(raw);
    return std::string(raw);
}

std::string toUrl(CURLU *h, const std::string &fallback)
{
    return get(h, CURLUPART_URL).value_or(fallback);
}

}  // namespace

std::optional<Parts> parse(const std::string &url)
{
    Handle h = open(url);
    if (!h)
        return std::nullopt;
    auto scheme = get(h.get(), CURLUPART_SCHEME);
    auto host = get(h.get(), CURLUPART_HOST);
    auto port = get(h.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
    if (!scheme || !host || host->empty() || !port || (*scheme != "http" && *scheme != "https"))
        return std::nullopt;
    // libcurl forgives "http:/h" and "http:///h"; an absolute URL has "//"
    // and then an authority (RFC 3986, 3).
    const std::size_t colon = url.find(':');
    if (url.compare(colon, 3, "://") != 0 || colon + 3 >= url.size() || url[colon + 3] == '/')
        return std::nullopt;
    Parts p;
    p.scheme = *scheme;
    p.ipv6 = host->front() == '[';
    p.host = p.ipv6 ? host->substr(1, host->size() - 2) : *host;
    p.zone = get(h.get(), CURLUPART_ZONEID).value_or("");
    p.port = std::stoi(*port);
    return p;
}

std::string hostForUrl(const std::string &address, const std::string &zone)
{
    if (address.find(':') == std::string::npos)
        return address;
    std::string host = address, z = zone;
    const std::size_t pct = host.find('%');
    if (pct != std::string::npos) {
        z = host.substr(pct + 1);
        host.erase(pct);
    }
    return "[" + host + (z.empty() ? "" : "%25" + z) + "]";
}

std::string withHost(const std::string &url, const std::string &address)
{
    Handle h = open(url);
    if (!h)
        return url;
    const std::size_t pct = address.find('%');
    const std::string bare = address.substr(0, pct);
    const std::string zone = pct == std::string::npos ? "" : address.substr(pct + 1);
    if (curl_url_set(h.get(), CURLUPART_HOST, hostForUrl(bare).c_str(), 0) != CURLUE_OK ||
        curl_url_set(h.get(), CURLUPART_ZONEID, zone.empty() ? nullptr : zone.c_str(), 0) != CURLUE_OK)
        return url;
    return toUrl(h.get(), url);
}

std::string withZone(const std::string &url, const std::string &zone)
{
    auto parts = parse(url);
    if (!parts || !parts->ipv6 || parts->zone == zone)
        return url;
    Handle h = open(url);
    if (curl_url_set(h.get(), CURLUPART_ZONEID, zone.empty() ? nullptr : zone.c_str(), 0) != CURLUE_OK)
        return url;
    return toUrl(h.get(), url);
}

std::string withoutZone(const std::string &url)
{
    auto parts = parse(url);
    if (!parts || !parts->ipv6 || parts->zone.empty())
        return url;
    // Textual, not through libcurl, so that nothing else of the URL changes.
    const std::size_t open = url.find('[');
    const std::size_t close = url.find(']', open);
    const std::size_t pct = url.find('%', open);
    if (open == std::string::npos || close == std::string::npos || pct == std::string::npos || pct > close)
        return url;
    return url.substr(0, pct) + url.substr(close);
}

std::optional<std::string> path(const std::string &url)
{
    Handle h = open(url);
    return h ? get(h.get(), CURLUPART_PATH) : std::nullopt;
}

std::string withPath(const std::string &url, const std::string &path)
{
    Handle h = open(url);
    if (!h || curl_url_set(h.get(), CURLUPART_PATH, path.c_str(), 0) != CURLUE_OK)
        return url;
    return toUrl(h.get(), url);
}

bool sameOrigin(const std::string &a, const std::string &b)
{
    auto pa = parse(a), pb = parse(b);
    if (!pa || !pb)
        return false;
    return pa->scheme == pb->scheme && equalsIgnoreCase(pa->host, pb->host) && pa->zone == pb->zone &&
           pa->port == pb->port;
}

bool isHostForm(const std::string &text)
{
    if (text.empty() || text.find_first_of("/?#@ \t") != std::string::npos || text.find("://") != std::string::npos)
        return false;
    return parse("http://" + bracketedHostForm(text) + "/").has_value();
}

std::string bracketedHostForm(const std::string &hostForm)
{
    if (std::count(hostForm.begin(), hostForm.end(), ':') >= 2 && hostForm.front() != '[')
        return "[" + hostForm + "]";
    return hostForm;
}

std::string hostOfHostForm(const std::string &text)
{
    if (!isHostForm(text))
        return std::string();
    auto parts = parse("http://" + bracketedHostForm(text) + "/");
    return parts->zone.empty() ? parts->host : parts->host + "%" + parts->zone;
}

}  // namespace wsd::url
