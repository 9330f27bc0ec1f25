#include "wsd/discovery.h"

#include "wsd/discovery_avahi.h"
#include "wsd/discovery_message.h"
#include "wsd/discovery_socket.h"
#include "wsd/event_fd.h"
#include "wsd/http.h"
#include "wsd/log.h"
#include "wsd/metadata.h"
#include "wsd/soap.h"

#include <net/if.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace wsd {

namespace d = discovery;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// The first devices() call returns once nothing new happened for this long.
// WS-Discovery devices answer within a random delay (simulated ones within
// 250 ms); later answers still reach the cache for the next call.
constexpr milliseconds QuietTime{400};
// Hostile LAN: bounds on what announcements can make us keep or do.
constexpr std::size_t MaxEndpoints = 512;
constexpr int NewHellosPerSecond = 64;
constexpr std::size_t MaxAvahiHosts = 256;
constexpr int MaxDatagramsPerWake = 64;
constexpr int ResolveAttempts = 3;
constexpr int HttpWorkers = 3;
constexpr std::size_t MaxHttpBatch = 32;
constexpr const char *DirectedProbePath = "/StableWSDiscoveryEndpoint/schemas-xmlsoap-org_ws_2005_04_discovery";

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// Host part of an http(s) URL, brackets removed: "198.18.0.2", "fe80::1%25lab0".
std::string urlHost(const std::string &url)
{
    std::size_t start = url.find("//");
    if (start == std::string::npos)
        return std::string();
    start += 2;
    if (start < url.size() && url[start] == '[') {
        std::size_t end = url.find(']', start);
        return end == std::string::npos ? std::string() : url.substr(start + 1, end - start - 1);
    }
    std::size_t end = url.find_first_of(":/?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool isLinkLocalUrl(const std::string &url)
{
    std::string host = lower(urlHost(url));
    return host.rfind("fe80:", 0) == 0 || host.rfind("169.254.", 0) == 0;
}

// Routable addresses first (Windows' XAddr rules prefer them too); the
// order among equals is the device's.
void preferRoutable(std::vector<std::string> &urls)
{
    std::stable_partition(urls.begin(), urls.end(), [](const std::string &u) { return !isLinkLocalUrl(u); });
}

// An IPv6 link-local URL without a zone is usable only through the interface
// it was heard on: add it ("%25" is "%" in a URL).
std::string withZone(const std::string &url, const std::string &ifname)
{
    if (ifname.empty() || !isLinkLocalUrl(url) || url.find('[') == std::string::npos)
        return url;
    std::size_t close = url.find(']');
    std::string host = urlHost(url);
    if (close == std::string::npos || host.find('%') != std::string::npos)
        return url;
    return url.substr(0, close) + "%25" + ifname + url.substr(close);
}

// Multicast-DNS names (printer.local) need Avahi: libcurl's resolver may
// not know them.
bool hasMdnsHost(const std::string &url)
{
    std::string host = lower(urlHost(url));
    return host.size() > 6 && host.compare(host.size() - 6, 6, ".local") == 0;
}

// The URL with its host replaced by an address from a name lookup.
std::string withAddress(const std::string &url, std::string address)
{
    std::size_t start = url.find("//") + 2;
    std::size_t end = url.find_first_of(":/?#", start);
    if (address.find(':') != std::string::npos) {
        std::size_t pct = address.find('%');
        if (pct != std::string::npos)
            address.replace(pct, 1, "%25");
        address = "[" + address + "]";
    }
    return url.substr(0, start) + address + (end == std::string::npos ? "" : url.substr(end));
}

std::string zoneOf(const std::string &url)
{
    std::string host = urlHost(url);
    std::size_t pct = host.find("%25");
    return pct == std::string::npos ? std::string() : host.substr(pct + 3);
}

std::string interfaceName(unsigned index)
{
    char name[IF_NAMESIZE];
    return index && if_indextoname(index, name) ? name : "";
}

// Scanners say ScanDeviceType. A device whose Types hold nothing but the
// generic DPWS Device type (answering the wsdp:Device probe, INDEX A20) may
// still host a scanner: its metadata decides. Anything else (printers,
// computers announced by wsdd, vendor types only) is not looked at.
bool worthAsking(const std::vector<xml::QName> &types)
{
    if (d::hasType(types, d::scanDeviceType()))
        return true;
    return std::all_of(types.begin(), types.end(), [](const xml::QName &t) { return t.local == "Device"; });
}

std::string typesText(const std::vector<xml::QName> &types)
{
    std::string out;
    for (const xml::QName &t : types)
        out += (out.empty() ? "" : " ") + t.local;
    return out;
}

}  // namespace

struct Discovery::Impl {
    struct Endpoint {
        enum class State { Resolving, Fetching, Listed, NotScanner, Failed };
        std::string address;
        d::Version version = d::Version::V2005;
        std::vector<xml::QName> types;
        std::vector<std::string> xaddrs;
        unsigned long metadataVersion = 0;
        d::AppSequence sequence;
        std::string foundBy;
        State state = State::Resolving;
        int resolveAttempts = 0;
        Clock::time_point nextResolve;
        std::size_t xaddrTried = 0;
        std::string friendlyName, manufacturer, model;
        std::vector<std::string> scanServiceUrls;
    };

    struct HttpJob {
        enum class Kind { Metadata, DirectedProbe } kind;
        std::string key;  // endpoint address, or the probe's MessageID
        http::Request request;
    };

    explicit Impl(const Config &c) : config(c) {}

    Config config;
    std::mutex mutex;
    std::condition_variable changed;   // devices() waits on it
    std::condition_variable workReady;  // HTTP workers wait on it
    std::map<std::string, Endpoint> endpoints;
    std::map<std::string, std::string> ourProbes;    // MessageID -> how the answer counts as found
    std::map<std::string, std::string> ourResolves;  // MessageID -> endpoint address
    std::deque<HttpJob> httpJobs;
    int httpInFlight = 0;
    std::vector<d::AvahiService> avahiQueue;
    // (endpoint address, XAddr) whose .local host Avahi has to look up.
    std::vector<std::pair<std::string, std::string>> hostQueue;
    std::set<std::string> avahiHosts;
    bool stopping = false;
    bool firstCallDone = false;
    // Bumped whenever the listed set changes; devices() records what it saw.
    unsigned long listGeneration = 0;
    unsigned long generationReturned = 0;
    Clock::time_point lastActivity;
    Clock::time_point rateWindow;
    int newInWindow = 0;

    // Network thread only (after start).
    std::vector<d::NetInterface> interfaces;
    std::vector<d::UdpSocket> senders;    // ephemeral port, one per family: probes out, answers in
    std::vector<d::UdpSocket> listeners;  // port 3702 shared: Hello and Bye
    std::vector<Clock::time_point> probeRounds;
    std::mt19937 random{std::random_device{}()};

    EventFd wake;
    std::thread network;
    std::vector<std::thread> workers;
    std::unique_ptr<d::AvahiBrowser> avahi;

    http::Options httpOptions() const
    {
        http::Options o = wsd::httpOptions(config);
        o.connectTimeoutMs = std::min(config.connectTimeoutMs, 2000);
        o.timeoutMs = std::min(config.requestTimeoutMs, 3000);
        o.maxBodyBytes = d::MaxMessageSize * 4;
        return o;
    }

    d::UdpSocket *sender(int family)
    {
        for (d::UdpSocket &s : senders)
            if (s.family() == family)
                return &s;
        return nullptr;
    }

    // --- setup ---------------------------------------------------------------

    void openSockets()
    {
        for (int family : {AF_INET, AF_INET6}) {
            std::string error;
            if (auto s = d::UdpSocket::open(family, 0, false, &error))
                senders.push_back(std::move(*s));
            else
                WSD_INFO("discovery: no %s socket: %s", family == AF_INET ? "IPv4" : "IPv6", error.c_str());
        }
        if (!config.multicast)
            return;
        interfaces = d::multicastInterfaces(config.interfaces, config.excludedInterfaces);
        if (interfaces.empty())
            WSD_INFO("discovery: no up, multicast-capable interface to probe on");
        for (int family : {AF_INET, AF_INET6}) {
            std::string error;
            // Shared: another WS-Discovery program (wsdd) may hold 3702 too;
            // without the port we still probe, we only miss Hello/Bye.
            auto s = d::UdpSocket::open(family, d::Port, true, &error);
            if (!s) {
                WSD_INFO("discovery: cannot listen for Hello/Bye on %s port 3702: %s",
                         family == AF_INET ? "IPv4" : "IPv6", error.c_str());
                continue;
            }
            for (const d::NetInterface &iface : interfaces)
                if ((family == AF_INET ? !iface.ipv4.empty() : iface.ipv6) && !s->joinGroup(iface, &error))
                    WSD_INFO("discovery: %s: %s", iface.name.c_str(), error.c_str());
            listeners.push_back(std::move(*s));
        }
    }

    // --- sending -------------------------------------------------------------

    void multicast(const std::string &text, const char *what)
    {
        for (const d::NetInterface &iface : interfaces)
            for (d::UdpSocket &s : senders) {
                if (s.family() == AF_INET ? iface.ipv4.empty() : !iface.ipv6)
                    continue;
                bool ok = s.sendMulticast(text, iface);
                WSD_PROTO("discovery: -> %s on %s %s%s", what, iface.name.c_str(),
                          s.family() == AF_INET ? "IPv4" : "IPv6", ok ? "" : " (send failed)");
                WSD_DETAIL("%s", text.c_str());
            }
    }

    void sendProbeRound()
    {
        struct ProbeKind {
            d::Version version;
            xml::QName type;
        };
        // 2005/04 is what the WS-Scan spec and Windows use; some newer devices
        // speak only 2009/01 (INDEX A19). wsdp:Device catches devices that
        // answer only the generic type (A20).
        const ProbeKind kinds[] = {{d::Version::V2005, d::scanDeviceType()},
                                   {d::Version::V2005, d::dpwsDeviceType()},
                                   {d::Version::V2009, d::scanDeviceType()}};
        for (const ProbeKind &k : kinds) {
            std::string id = soap::newMessageId();
            {
                std::lock_guard<std::mutex> lock(mutex);
                ourProbes[id] = "multicast";
            }
            multicast(d::buildProbe(k.version, {k.type}, id),
                      k.version == d::Version::V2005 ? "Probe 2005/04" : "Probe 2009/01");
        }
    }

    // Due Resolves go out; returns how long until the next one.
    int sendDueResolves()
    {
        std::vector<std::pair<std::string, d::Version>> due;
        int timeout = -1;
        {
            std::lock_guard<std::mutex> lock(mutex);
            const auto now = Clock::now();
            for (auto &entry : endpoints) {
                Endpoint &e = entry.second;
                if (e.state != Endpoint::State::Resolving)
                    continue;
                if (e.nextResolve > now) {
                    int ms = static_cast<int>(std::chrono::duration_cast<milliseconds>(e.nextResolve - now).count()) + 1;
                    timeout = timeout < 0 ? ms : std::min(timeout, ms);
                    continue;
                }
                if (e.resolveAttempts >= ResolveAttempts || interfaces.empty()) {
                    WSD_INFO("discovery: %s did not answer Resolve", e.address.c_str());
                    e.state = Endpoint::State::Failed;
                    changed.notify_all();
                    continue;
                }
                ++e.resolveAttempts;
                e.nextResolve = now + milliseconds(300 * e.resolveAttempts);
                due.emplace_back(e.address, e.version);
                timeout = timeout < 0 ? 300 : std::min(timeout, 300);
            }
        }
        for (const auto &r : due) {
            std::string id = soap::newMessageId();
            {
                std::lock_guard<std::mutex> lock(mutex);
                ourResolves[id] = r.first;
            }
            multicast(d::buildResolve(r.second, r.first, id), "Resolve");
        }
        return timeout;
    }

    // Directed probes to a host Avahi found: UDP to its port 3702 and HTTP to
    // the stable discovery URL on port 80 and on the advertised port.
    void directedProbe(const d::AvahiService &service)
    {
        std::string id = soap::newMessageId();
        std::string probe = d::buildProbe(d::Version::V2005, {d::scanDeviceType()}, id);
        std::lock_guard<std::mutex> lock(mutex);
        ourProbes[id] = "avahi";
        if (d::UdpSocket *s = sender(service.address.family())) {
            auto to = d::SocketAddress::parse(service.address.host(), d::Port);
            if (to && s->sendTo(probe, *to))
                WSD_PROTO("discovery: -> directed Probe to %s (UDP)", to->text().c_str());
        }
        std::string host = service.address.host();
        if (service.address.family() == AF_INET6) {
            std::size_t pct = host.find('%');
            if (pct != std::string::npos)
                host.replace(pct, 1, "%25");
            host = "[" + host + "]";
        }
        const auto port = ntohs(service.address.family() == AF_INET
                                    ? reinterpret_cast<const sockaddr_in *>(&service.address.storage)->sin_port
                                    : reinterpret_cast<const sockaddr_in6 *>(&service.address.storage)->sin6_port);
        std::vector<std::string> urls = {"http://" + host + DirectedProbePath};
        if (port != 80)
            urls.push_back("http://" + host + ":" + std::to_string(port) + DirectedProbePath);
        for (const std::string &url : urls) {
            WSD_PROTO("discovery: -> directed Probe to %s", url.c_str());
            httpJobs.push_back({HttpJob::Kind::DirectedProbe, id, {url, probe}});
        }
        workReady.notify_all();
    }

    // --- receiving -----------------------------------------------------------

    // Caller holds the mutex.
    void enqueueMetadata(Endpoint &e)
    {
        std::vector<std::string> urls = e.xaddrs;
        preferRoutable(urls);
        if (e.xaddrTried >= urls.size()) {
            e.state = Endpoint::State::Failed;
            return;
        }
        const std::string &url = urls[e.xaddrTried];
        e.state = Endpoint::State::Fetching;
        if (avahi && hasMdnsHost(url)) {
            hostQueue.emplace_back(e.address, url);
            wake.signal();  // the network thread asks Avahi, outside this lock
            return;
        }
        WSD_PROTO("discovery: -> metadata Get %s (%s)", url.c_str(), e.address.c_str());
        httpJobs.push_back({HttpJob::Kind::Metadata, e.address, {url, buildGetMetadataRequest(e.address, url)}});
        workReady.notify_all();
    }

    // Whether a new endpoint may be kept. Unsolicited Hellos are rate-limited
    // (answers to our probes are bounded by our probing); at the cap an
    // endpoint that turned out useless (failed, or no scanner) makes room.
    // Caller holds the mutex.
    bool admitNewEndpoint(bool unsolicited)
    {
        if (unsolicited) {
            const auto now = Clock::now();
            if (now - rateWindow >= std::chrono::seconds(1)) {
                rateWindow = now;
                newInWindow = 0;
            }
            if (newInWindow >= NewHellosPerSecond)
                return false;
            ++newInWindow;
        }
        if (endpoints.size() < MaxEndpoints)
            return true;
        auto useless = std::find_if(endpoints.begin(), endpoints.end(), [](const auto &e) {
            return e.second.state == Endpoint::State::Failed || e.second.state == Endpoint::State::NotScanner;
        });
        if (useless == endpoints.end())
            return false;
        endpoints.erase(useless);
        return true;
    }

    // Caller holds the mutex.
    void upsert(d::Endpoint incoming, d::Version version, const d::AppSequence &sequence, const std::string &foundBy,
                const std::string &ifname, bool unsolicited)
    {
        for (std::string &x : incoming.xaddrs)
            x = withZone(x, ifname);
        auto it = endpoints.find(incoming.address);
        if (it == endpoints.end()) {
            if (!worthAsking(incoming.types)) {
                WSD_DETAIL("discovery: %s is not a scanner (%s)", incoming.address.c_str(),
                           typesText(incoming.types).c_str());
                return;
            }
            if (!admitNewEndpoint(unsolicited)) {
                WSD_DETAIL("discovery: endpoint cap or Hello rate reached, dropping %s", incoming.address.c_str());
                return;
            }
            Endpoint e;
            e.address = incoming.address;
            e.version = version;
            e.types = incoming.types;
            e.xaddrs = incoming.xaddrs;
            e.metadataVersion = incoming.metadataVersion;
            e.sequence = sequence;
            e.foundBy = foundBy;
            it = endpoints.emplace(e.address, e).first;
            lastActivity = Clock::now();
            if (it->second.xaddrs.empty()) {
                it->second.state = Endpoint::State::Resolving;
                it->second.nextResolve = Clock::now();
                wake.signal();
            } else {
                enqueueMetadata(it->second);
            }
            return;
        }
        Endpoint &e = it->second;
        bool rebooted = false;
        if (sequence.present && e.sequence.present) {
            if (sequence.instanceId < e.sequence.instanceId)
                return;  // stale: from before the device's last restart
            rebooted = sequence.instanceId > e.sequence.instanceId;
        }
        if (sequence.present)
            e.sequence = sequence;
        bool newAddress = false;
        for (const std::string &x : incoming.xaddrs)
            if (std::find(e.xaddrs.begin(), e.xaddrs.end(), x) == e.xaddrs.end() &&
                e.xaddrs.size() < d::MaxXAddrsPerEndpoint) {
                e.xaddrs.push_back(x);
                newAddress = true;
            }
        if (!incoming.types.empty())
            e.types = incoming.types;
        const bool newMetadata = incoming.metadataVersion > e.metadataVersion;
        e.metadataVersion = std::max(e.metadataVersion, incoming.metadataVersion);
        const bool settled = e.state == Endpoint::State::Listed || e.state == Endpoint::State::NotScanner;
        if ((e.state == Endpoint::State::Resolving && !e.xaddrs.empty()) || e.state == Endpoint::State::Failed ||
            (settled && (rebooted || newMetadata || (newAddress && e.scanServiceUrls.empty())))) {
            e.xaddrTried = 0;
            if (e.xaddrs.empty()) {
                e.state = Endpoint::State::Resolving;
                e.resolveAttempts = 0;
                e.nextResolve = Clock::now();
                wake.signal();
            } else {
                enqueueMetadata(e);
            }
            lastActivity = Clock::now();
        }
    }

    void handleMessage(const d::Message &m, const std::string &from, const std::string &ifname,
                       const std::string &directedBy)
    {
        std::lock_guard<std::mutex> lock(mutex);
        std::string foundBy = directedBy;
        switch (m.kind) {
        case d::Kind::Probe:
        case d::Kind::Resolve:
            return;  // other clients' questions (or our own, looped back)
        case d::Kind::ProbeMatches:
            if (foundBy.empty()) {
                auto probe = ourProbes.find(m.relatesTo);
                if (probe == ourProbes.end()) {
                    WSD_DETAIL("discovery: ProbeMatches from %s answers no probe of ours", from.c_str());
                    return;
                }
                foundBy = probe->second;
            }
            break;
        case d::Kind::ResolveMatches:
            if (!ourResolves.count(m.relatesTo)) {
                WSD_DETAIL("discovery: ResolveMatches from %s answers no Resolve of ours", from.c_str());
                return;
            }
            foundBy = "multicast";
            break;
        case d::Kind::Hello:
            foundBy = "multicast";
            break;
        case d::Kind::Bye: {
            auto it = endpoints.find(m.endpoints.front().address);
            if (it == endpoints.end())
                return;
            const d::AppSequence &known = it->second.sequence;
            if (m.appSequence.present && known.present && m.appSequence.instanceId < known.instanceId)
                return;  // a Bye older than the device's current run
            WSD_INFO("discovery: %s said Bye", it->first.c_str());
            if (it->second.state == Endpoint::State::Listed)
                ++listGeneration;
            endpoints.erase(it);
            lastActivity = Clock::now();
            changed.notify_all();
            return;
        }
        }
        for (const d::Endpoint &e : m.endpoints) {
            WSD_PROTO("discovery: <- %s from %s: %s [%s] %zu XAddrs", d::kindName(m.kind), from.c_str(),
                      e.address.c_str(), typesText(e.types).c_str(), e.xaddrs.size());
            upsert(e, m.version, m.appSequence, foundBy, ifname, m.kind == d::Kind::Hello);
        }
        changed.notify_all();
    }

    void handleDatagram(const d::Datagram &datagram)
    {
        std::string error;
        auto m = d::parse(datagram.data, &error);
        if (!m) {
            WSD_DETAIL("discovery: dropped datagram from %s: %s", datagram.from.text().c_str(), error.c_str());
            return;
        }
        WSD_DETAIL("discovery: <- %s from %s:\n%s", d::kindName(m->kind), datagram.from.text().c_str(),
                   datagram.data.c_str());
        handleMessage(*m, datagram.from.text(), interfaceName(datagram.ifindex), "");
    }

    // --- threads -------------------------------------------------------------

    void runNetwork()
    {
        auto nextProbe = probeRounds.begin();
        for (;;) {
            if (nextProbe != probeRounds.end() && *nextProbe <= Clock::now()) {
                sendProbeRound();
                ++nextProbe;
            }
            int timeout = sendDueResolves();
            if (nextProbe != probeRounds.end()) {
                int ms = static_cast<int>(
                             std::chrono::duration_cast<milliseconds>(*nextProbe - Clock::now()).count()) + 1;
                timeout = timeout < 0 ? std::max(ms, 0) : std::min(timeout, std::max(ms, 0));
            }
            std::vector<pollfd> fds;
            fds.push_back({wake.fd(), POLLIN, 0});
            std::vector<d::UdpSocket *> sockets;
            for (d::UdpSocket &s : senders)
                sockets.push_back(&s);
            for (d::UdpSocket &s : listeners)
                sockets.push_back(&s);
            for (d::UdpSocket *s : sockets)
                fds.push_back({s->fd(), POLLIN, 0});
            if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR)
                return;
            if (fds[0].revents & POLLIN) {
                wake.clear();
                std::vector<d::AvahiService> found;
                std::vector<std::pair<std::string, std::string>> hosts;
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    if (stopping)
                        return;
                    found.swap(avahiQueue);
                    hosts.swap(hostQueue);
                }
                for (const d::AvahiService &s : found)
                    directedProbe(s);
                for (const auto &h : hosts)
                    avahi->resolveHostName(urlHost(h.second), [this, h](const std::string &address) {
                        onHostResolved(h.first, h.second, address);
                    });
            }
            // A bounded batch per socket, so that a flood cannot keep the
            // loop from seeing the stop event and the timers.
            for (std::size_t i = 1; i < fds.size(); ++i)
                for (int n = 0; n < MaxDatagramsPerWake && (fds[i].revents & POLLIN); ++n) {
                    auto datagram = sockets[i - 1]->receive();
                    if (!datagram)
                        break;
                    handleDatagram(*datagram);
                }
        }
    }

    void runHttpWorker()
    {
        for (;;) {
            std::vector<HttpJob> batch;
            {
                std::unique_lock<std::mutex> lock(mutex);
                workReady.wait(lock, [&] { return stopping || !httpJobs.empty(); });
                if (stopping)
                    return;
                while (!httpJobs.empty() && batch.size() < MaxHttpBatch) {
                    batch.push_back(std::move(httpJobs.front()));
                    httpJobs.pop_front();
                }
                httpInFlight += static_cast<int>(batch.size());
            }
            std::vector<http::Request> requests;
            for (const HttpJob &job : batch)
                requests.push_back(job.request);
            std::vector<http::Response> responses = http::postAll(requests, httpOptions());
            for (std::size_t i = 0; i < batch.size(); ++i) {
                if (batch[i].kind == HttpJob::Kind::Metadata)
                    onMetadata(batch[i], responses[i]);
                else
                    onDirectedProbeAnswer(batch[i], responses[i]);
            }
            std::lock_guard<std::mutex> lock(mutex);
            httpInFlight -= static_cast<int>(batch.size());
            lastActivity = Clock::now();
            changed.notify_all();
        }
    }

    void onMetadata(const HttpJob &job, const http::Response &response)
    {
        std::string error;
        const std::optional<DeviceMetadata> metadata = metadataFromResponse(response, &error);
        std::lock_guard<std::mutex> lock(mutex);
        auto it = endpoints.find(job.key);
        if (it == endpoints.end())
            return;  // said Bye meanwhile
        Endpoint &e = it->second;
        if (!metadata) {
            WSD_INFO("discovery: metadata of %s from %s: %s", e.address.c_str(), job.request.url.c_str(),
                     error.c_str());
            ++e.xaddrTried;
            enqueueMetadata(e);  // the next XAddr, or Failed
            return;
        }
        e.friendlyName = metadata->friendlyName;
        e.manufacturer = metadata->manufacturer;
        e.model = metadata->model;
        e.scanServiceUrls.clear();
        const std::string zone = zoneOf(job.request.url);
        for (const std::string &url : metadata->scanServiceUrls())
            e.scanServiceUrls.push_back(withZone(url, zone));
        preferRoutable(e.scanServiceUrls);
        e.state = e.scanServiceUrls.empty() ? Endpoint::State::NotScanner : Endpoint::State::Listed;
        ++listGeneration;
        if (e.state == Endpoint::State::Listed)
            WSD_INFO("discovery: %s \"%s\" (%s %s), scan service %s, found by %s", e.address.c_str(),
                     e.friendlyName.c_str(), e.manufacturer.c_str(), e.model.c_str(),
                     e.scanServiceUrls.front().c_str(), e.foundBy.c_str());
        else
            WSD_DETAIL("discovery: %s hosts no scan service", e.address.c_str());
    }

    void onDirectedProbeAnswer(const HttpJob &job, const http::Response &response)
    {
        if (!response.transportOk() || response.status != 200) {
            WSD_DETAIL("discovery: directed Probe %s: %s", job.request.url.c_str(),
                       response.transportOk() ? ("HTTP " + std::to_string(response.status)).c_str()
                                              : response.error.c_str());
            return;
        }
        std::string error;
        auto m = d::parse(response.body, &error);
        if (!m || m->kind != d::Kind::ProbeMatches) {
            WSD_DETAIL("discovery: directed Probe %s: %s", job.request.url.c_str(),
                       m ? "not a ProbeMatches" : error.c_str());
            return;
        }
        handleMessage(*m, job.request.url, zoneOf(job.request.url), "avahi");
    }

    // Runs on Avahi's thread.
    void onHostResolved(const std::string &endpoint, const std::string &url, const std::string &address)
    {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = endpoints.find(endpoint);
        if (it == endpoints.end() || stopping)
            return;
        Endpoint &e = it->second;
        if (address.empty()) {
            WSD_INFO("discovery: cannot resolve the host of %s", url.c_str());
            ++e.xaddrTried;
            enqueueMetadata(e);
            return;
        }
        const std::string resolved = withAddress(url, address);
        WSD_PROTO("discovery: -> metadata Get %s (%s, for %s)", resolved.c_str(), e.address.c_str(), url.c_str());
        httpJobs.push_back({HttpJob::Kind::Metadata, e.address, {resolved, buildGetMetadataRequest(e.address, resolved)}});
        workReady.notify_all();
    }

    void onAvahiService(const d::AvahiService &service)
    {
        std::lock_guard<std::mutex> lock(mutex);
        const std::string host = service.address.host();
        if (stopping || avahiHosts.count(host) || avahiHosts.size() >= MaxAvahiHosts)
            return;
        avahiHosts.insert(host);
        avahiQueue.push_back(service);
        lastActivity = Clock::now();
        wake.signal();
    }

    bool busy() const
    {
        if (httpInFlight > 0 || !httpJobs.empty() || !avahiQueue.empty())
            return true;
        return std::any_of(endpoints.begin(), endpoints.end(), [](const auto &e) {
            return e.second.state == Endpoint::State::Resolving || e.second.state == Endpoint::State::Fetching;
        });
    }
};

Discovery::Discovery(const Config &config) : impl_(std::make_unique<Impl>(config)) {}

Discovery::~Discovery()
{
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->stopping = true;  // Avahi callbacks from now on do nothing
    }
    impl_->wake.signal();
    impl_->workReady.notify_all();
    if (impl_->network.joinable())
        impl_->network.join();
    for (std::thread &t : impl_->workers)
        t.join();
    impl_->avahi.reset();  // after the network thread, its only user; without our lock
}

void Discovery::start()
{
    Impl &s = *impl_;
    if (!s.config.discovery || s.network.joinable())
        return;
    s.lastActivity = Clock::now();
    s.openSockets();
    if (!s.interfaces.empty()) {
        // WS-Discovery's SOAP-over-UDP repeats a multicast message after a
        // random 50-250 ms, then after twice that.
        std::uniform_int_distribution<int> firstDelay(50, 250);
        const auto now = Clock::now();
        const int delay = firstDelay(s.random);
        s.probeRounds = {now, now + milliseconds(delay), now + milliseconds(3 * delay)};
    }
    // Avahi first: the threads read `avahi` without a lock. Its callbacks
    // only queue work for them.
    s.avahi = d::AvahiBrowser::start(s.config.interfaces, s.config.excludedInterfaces,
                                     [&s](const d::AvahiService &service) { s.onAvahiService(service); });
    s.network = std::thread([&s] { s.runNetwork(); });
    for (int i = 0; i < HttpWorkers; ++i)
        s.workers.emplace_back([&s] { s.runHttpWorker(); });
}

std::vector<DiscoveredDevice> Discovery::devices()
{
    Impl &s = *impl_;
    std::unique_lock<std::mutex> lock(s.mutex);
    if (!s.firstCallDone && s.network.joinable()) {
        s.firstCallDone = true;
        const auto deadline = Clock::now() + milliseconds(std::max(0, s.config.discoveryTimeoutMs));
        for (;;) {
            const auto now = Clock::now();
            if (now >= deadline)
                break;
            const bool busy = s.busy();
            if (!busy && now - s.lastActivity >= QuietTime)
                break;
            s.changed.wait_until(lock, busy ? deadline : std::min(deadline, s.lastActivity + QuietTime));
        }
    }
    s.generationReturned = s.listGeneration;
    std::vector<DiscoveredDevice> out;
    for (const auto &entry : s.endpoints) {
        const Impl::Endpoint &e = entry.second;
        if (e.state != Impl::Endpoint::State::Listed)
            continue;
        DiscoveredDevice dev;
        dev.endpointUuid = e.address;
        dev.friendlyName = e.friendlyName;
        dev.manufacturer = e.manufacturer;
        dev.model = e.model;
        dev.deviceUrls = e.xaddrs;
        preferRoutable(dev.deviceUrls);
        dev.scanServiceUrls = e.scanServiceUrls;
        dev.foundBy = e.foundBy;
        out.push_back(std::move(dev));
    }
    return out;
}

bool Discovery::waitForChange(int timeoutMs)
{
    Impl &s = *impl_;
    std::unique_lock<std::mutex> lock(s.mutex);
    return s.changed.wait_for(lock, milliseconds(std::max(0, timeoutMs)),
                              [&] { return s.listGeneration != s.generationReturned; });
}

}  // namespace wsd
