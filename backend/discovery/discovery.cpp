#include "wsd/discovery.h"

#include "wsd/discovery_avahi.h"
#include "wsd/discovery_channel.h"
#include "wsd/discovery_message.h"
#include "wsd/discovery_table.h"
#include "wsd/event_fd.h"
#include "wsd/http.h"
#include "wsd/log.h"
#include "wsd/metadata.h"
#include "wsd/soap.h"
#include "wsd/url.h"

#include <net/if.h>
#include <netdb.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

namespace wsd {

namespace d = discovery;
using d::Clock;
using std::chrono::milliseconds;

namespace {

// The first devices() call returns once nothing new happened for this long.
// WS-Discovery devices answer within a random delay (simulated ones within
// 250 ms); later answers still reach the cache for the next call.
constexpr milliseconds QuietTime{400};
// A flood of datagrams must not keep the loop from its timers and stop event.
constexpr int MaxDatagramsPerWake = 64;
constexpr int HttpWorkers = 3;
constexpr std::size_t MaxHttpBatch = 32;
constexpr std::chrono::seconds LinksRefresh{30};
constexpr std::size_t MaxLookupAddresses = 16;
constexpr const char *DirectedProbePath = "/StableWSDiscoveryEndpoint/schemas-xmlsoap-org_ws_2005_04_discovery";

std::string interfaceName(unsigned index)
{
    char name[IF_NAMESIZE];
    return index && if_indextoname(index, name) ? name : "";
}

// Multicast-DNS names (printer.local) are Avahi's to look up.
bool isMdnsHost(const std::string &u)
{
    auto parts = url::parse(u);
    if (!parts || parts->host.size() <= 6)
        return false;
    std::string tail = parts->host.substr(parts->host.size() - 6);
    std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return std::tolower(c); });
    return tail == ".local";
}

// The system resolver's addresses for a host name, IPv6 link-local ones with
// their zone ("fe80::2%lab0").
std::vector<std::string> lookUpHost(const std::string &name)
{
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *list = nullptr;
    std::vector<std::string> out;
    if (getaddrinfo(name.c_str(), nullptr, &hints, &list) != 0)
        return out;
    for (addrinfo *a = list; a && out.size() < MaxLookupAddresses; a = a->ai_next) {
        char text[NI_MAXHOST];
        if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0 &&
            std::find(out.begin(), out.end(), text) == out.end())
            out.push_back(text);
    }
    freeaddrinfo(list);
    return out;
}

// A datagram's source: the address without its zone, the interface apart.
d::Source sourceOf(const d::Datagram &datagram)
{
    std::string address = datagram.from.host();
    address = address.substr(0, address.find('%'));
    return {address, interfaceName(datagram.ifindex)};
}

// The host a directed probe went to, as the answer's source.
d::Source sourceOf(const std::string &probedUrl)
{
    auto parts = url::parse(probedUrl);
    return parts ? d::Source{parts->host, parts->zone} : d::Source{};
}

}  // namespace

// The threads around the endpoint table: the network thread (sockets,
// timers, Avahi requests) and HTTP workers (metadata Gets, directed probes).
// Every field below `mutex` is guarded by it unless marked otherwise.
struct Discovery::Impl {
    struct HttpJob {
        enum class Kind { Metadata, DirectedProbe, HostLookup } kind;
        std::string key;  // endpoint address, or the probe's MessageID
        http::Request request;  // for a lookup, only the URL whose host is looked up
    };

    explicit Impl(const Config &c) : config(c) {}

    const Config config;
    std::mutex mutex;
    std::condition_variable changed;    // devices() waits on it
    std::condition_variable workReady;  // HTTP workers wait on it
    d::EndpointTable table;
    std::deque<HttpJob> httpJobs;
    int httpInFlight = 0;
    std::vector<d::AvahiService> avahiQueue;
    std::vector<d::Work> hostQueue;  // XAddrs whose .local host Avahi has to look up
    bool stopping = false;
    bool firstCallDone = false;
    unsigned long generationReturned = 0;  // table generation devices() last saw

    // Network thread only (after start).
    d::Channel channel;
    std::vector<Clock::time_point> probeRounds;
    Clock::time_point linksRead;
    std::mt19937 random{std::random_device{}()};

    EventFd wake;  // thread-safe
    std::thread network;
    std::vector<std::thread> workers;
    std::unique_ptr<d::AvahiBrowser> avahi;  // set before the threads start, reset after they end

    http::Options httpOptions() const
    {
        http::Options o = wsd::httpOptions(config);
        o.connectTimeoutMs = std::min(config.connectTimeoutMs, 2000);
        o.timeoutMs = std::min(config.requestTimeoutMs, 3000);
        o.maxBodyBytes = d::MaxMessageSize * 4;
        return o;
    }

    // Hands the table's new work to the threads that do it. Caller holds the mutex.
    void dispatch()
    {
        for (d::Work &w : table.takeWork()) {
            if (w.kind == d::Work::Kind::MetadataGet)
                httpJobs.push_back(
                    {HttpJob::Kind::Metadata, w.endpoint, {w.url, buildGetMetadataRequest(w.endpoint, w.url)}});
            else if (avahi && isMdnsHost(w.url))
                hostQueue.push_back(std::move(w));
            else
                httpJobs.push_back({HttpJob::Kind::HostLookup, w.endpoint, {w.url, std::string()}});
            workReady.notify_all();
        }
        // The network thread recomputes Resolves and asks Avahi.
        wake.signal();
        changed.notify_all();
    }

    // --- network thread -------------------------------------------------------

    void sendProbeRound()
    {
        struct ProbeKind {
            d::Version version;
            xml::QName type;
        };
        // 2005/04 is what the WS-Scan spec and Windows use; some newer devices
        // speak only 2009/01. wsdp:Device catches devices that answer only the
        // generic DPWS type.
        const ProbeKind kinds[] = {{d::Version::V2005, d::scanDeviceType()},
                                   {d::Version::V2005, d::dpwsDeviceType()},
                                   {d::Version::V2009, d::scanDeviceType()}};
        for (const ProbeKind &k : kinds) {
            std::string id = soap::newMessageId();
            {
                std::lock_guard<std::mutex> lock(mutex);
                table.probeSent(id, "multicast");
            }
            channel.multicast(d::buildProbe(k.version, {k.type}, id),
                              k.version == d::Version::V2005 ? "Probe 2005/04" : "Probe 2009/01");
        }
    }

    // Due Resolves go out; returns how long until the next one.
    int sendDueResolves()
    {
        std::vector<d::ResolveDue> due;
        int timeout;
        {
            std::lock_guard<std::mutex> lock(mutex);
            due = table.dueResolves(Clock::now(), channel.canMulticast(), &timeout);
            changed.notify_all();
        }
        for (const d::ResolveDue &r : due) {
            std::string id = soap::newMessageId();
            {
                std::lock_guard<std::mutex> lock(mutex);
                table.resolveSent(id, r.endpoint);
            }
            channel.multicast(d::buildResolve(r.version, r.endpoint, id), "Resolve");
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
        table.probeSent(id, "avahi");
        if (auto to = d::SocketAddress::parse(service.address.host(), d::Port))
            if (channel.sendTo(probe, *to))
                WSD_PROTO("discovery: -> directed Probe to %s (UDP)", to->text().c_str());
        const std::string host = url::hostForUrl(service.address.host());
        std::vector<std::string> urls = {"http://" + host + DirectedProbePath};
        if (service.address.port() != 80)
            urls.push_back("http://" + host + ":" + std::to_string(service.address.port()) + DirectedProbePath);
        for (const std::string &u : urls) {
            WSD_PROTO("discovery: -> directed Probe to %s", u.c_str());
            httpJobs.push_back({HttpJob::Kind::DirectedProbe, id, {u, probe}});
        }
        workReady.notify_all();
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
        std::lock_guard<std::mutex> lock(mutex);
        table.onMessage(*m, sourceOf(datagram), "", Clock::now());
        dispatch();
    }

    // Avahi's results and lookups queued by other threads; false when stopping.
    bool serveQueues()
    {
        std::vector<d::AvahiService> found;
        std::vector<d::Work> hosts;
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (stopping)
                return false;
            found.swap(avahiQueue);
            hosts.swap(hostQueue);
        }
        for (const d::AvahiService &s : found)
            directedProbe(s);
        for (const d::Work &h : hosts) {
            auto parts = url::parse(h.url);
            avahi->resolveHostName(parts ? parts->host : std::string(), [this, h](const std::string &address) {
                std::lock_guard<std::mutex> lock(mutex);
                if (stopping)
                    return;
                table.onHostResolved(h.endpoint, h.url,
                                     address.empty() ? std::vector<std::string>() : std::vector<std::string>{address},
                                     Clock::now());
                dispatch();
            });
        }
        return true;
    }

    void runNetwork()
    {
        auto nextProbe = probeRounds.begin();
        for (;;) {
            // Addresses come and go (DHCP, a laptop changing networks).
            if (Clock::now() - linksRead >= LinksRefresh)
                readLocalLinks();
            if (nextProbe != probeRounds.end() && *nextProbe <= Clock::now()) {
                sendProbeRound();
                ++nextProbe;
            }
            int timeout = sendDueResolves();
            if (nextProbe != probeRounds.end()) {
                int ms = std::max(0, static_cast<int>(std::chrono::duration_cast<milliseconds>(
                                                         *nextProbe - Clock::now()).count()) + 1);
                timeout = timeout < 0 ? ms : std::min(timeout, ms);
            }
            std::vector<pollfd> fds;
            fds.push_back({wake.fd(), POLLIN, 0});
            const std::vector<d::UdpSocket *> sockets = channel.sockets();
            for (d::UdpSocket *s : sockets)
                fds.push_back({s->fd(), POLLIN, 0});
            if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR)
                return;
            if (fds[0].revents & POLLIN) {
                wake.clear();
                if (!serveQueues())
                    return;
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

    void readLocalLinks()
    {
        d::LocalLinks links = d::LocalLinks::ofThisHost();
        linksRead = Clock::now();
        std::lock_guard<std::mutex> lock(mutex);
        table.setLocalLinks(std::move(links));
    }

    // --- HTTP workers ---------------------------------------------------------

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
                if (job.kind != HttpJob::Kind::HostLookup)
                    requests.push_back(job.request);
            std::vector<http::Response> responses = http::postAll(requests, httpOptions());
            std::size_t answered = 0;
            for (const HttpJob &job : batch) {
                if (job.kind == HttpJob::Kind::HostLookup)
                    onHostLookup(job);
                else if (job.kind == HttpJob::Kind::Metadata)
                    onMetadata(job, responses[answered++]);
                else
                    onDirectedProbeAnswer(job, responses[answered++]);
            }
            std::lock_guard<std::mutex> lock(mutex);
            httpInFlight -= static_cast<int>(batch.size());
            table.noteActivity(Clock::now());
            changed.notify_all();
        }
    }

    void onMetadata(const HttpJob &job, const http::Response &response)
    {
        std::string error;
        const std::optional<DeviceMetadata> metadata = metadataFromResponse(response, &error);
        if (!metadata)
            WSD_INFO("discovery: metadata of %s from %s: %s", job.key.c_str(), job.request.url.c_str(), error.c_str());
        std::lock_guard<std::mutex> lock(mutex);
        table.onMetadata(job.key, job.request.url, metadata, Clock::now());
        dispatch();
    }

    // A host name in an XAddr is looked up here, not by libcurl, so that the
    // table checks the addresses before anything connects to them.
    void onHostLookup(const HttpJob &job)
    {
        auto parts = url::parse(job.request.url);
        std::vector<std::string> addresses = parts ? lookUpHost(parts->host) : std::vector<std::string>();
        std::lock_guard<std::mutex> lock(mutex);
        table.onHostResolved(job.key, job.request.url, addresses, Clock::now());
        dispatch();
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
        std::lock_guard<std::mutex> lock(mutex);
        table.onMessage(*m, sourceOf(job.request.url), "avahi", Clock::now());
        dispatch();
    }

    // Runs on Avahi's thread.
    void onAvahiService(const d::AvahiService &service)
    {
        std::lock_guard<std::mutex> lock(mutex);
        const std::string host = service.address.host();
        const std::size_t pct = host.find('%');
        const std::string zone = pct == std::string::npos ? std::string() : host.substr(pct + 1);
        if (stopping || !table.admitAvahiHost(host.substr(0, pct), zone, Clock::now()))
            return;
        avahiQueue.push_back(service);
        wake.signal();
    }

    bool busy() const { return httpInFlight > 0 || !httpJobs.empty() || !avahiQueue.empty() || table.busy(); }
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
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.table.noteActivity(Clock::now());
    }
    s.readLocalLinks();
    s.channel.open(s.config);
    if (s.channel.canMulticast()) {
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
            const auto quietSince = s.table.lastActivity();
            if (!busy && now - quietSince >= QuietTime)
                break;
            s.changed.wait_until(lock, busy ? deadline : std::min(deadline, quietSince + QuietTime));
        }
    }
    s.generationReturned = s.table.generation();
    return s.table.listed();
}

bool Discovery::waitForChange(int timeoutMs)
{
    Impl &s = *impl_;
    std::unique_lock<std::mutex> lock(s.mutex);
    return s.changed.wait_for(lock, milliseconds(std::max(0, timeoutMs)),
                              [&] { return s.table.generation() != s.generationReturned; });
}

}  // namespace wsd
