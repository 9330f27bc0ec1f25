#include "wsd/discovery.h"

#include "config.h"
#include "discovery_shared.h"
#include "wsd/device_cache.h"
#include "wsd/discovery_channel.h"
#include "wsd/directed_probe.h"
#include "wsd/discovery_message.h"
#include "wsd/log.h"
#include "wsd/soap.h"
#include "wsd/url.h"

#include <net/if.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
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
constexpr int HttpWorkerCount = 3;
constexpr std::chrono::seconds LinksRefresh{30};
// A cached device on the local network answers a metadata Get in
// milliseconds; one that takes longer is checked by discovery instead.
constexpr int CacheCheckMs = 500;

std::string interfaceName(unsigned index)
{
    char name[IF_NAMESIZE];
    return index && if_indextoname(index, name) ? name : "";
}

// A datagram's source: the address without its zone, the interface apart.
d::Source sourceOf(const d::Datagram &datagram)
{
    std::string address = datagram.from.host();
    address = address.substr(0, address.find('%'));
    return {address, interfaceName(datagram.ifindex)};
}

}  // namespace

// Discovery's network thread around the shared endpoint table: sockets,
// probe timers, Resolves, Avahi's results and lookups, CUPS's queue hosts.
struct Discovery::Impl : d::Shared {
    explicit Impl(const Config &c) : d::Shared(c), workers(*this) {}

    bool firstCallDone = false;            // guarded by mutex
    unsigned long generationReturned = 0;  // guarded by mutex: table generation devices() last saw

    // Network thread only (after start).
    d::Channel channel;
    std::vector<Clock::time_point> probeRounds;
    Clock::time_point linksRead;
    std::mt19937 random{std::random_device{}()};

    std::thread network;
    std::thread cups;  // asks CUPS for its queues, then ends
#ifdef HAVE_CUPS
    // Opened by the CUPS thread, closed once that thread is joined: libcups's
    // per-thread data is freed by libcups's code when the thread exits.
    std::unique_ptr<d::CupsLibrary> cupsLibrary;
#endif
    std::thread cacheCheck;  // checks the devices of the cache, then ends
    std::vector<DiscoveredDevice> confirmedFromCache;  // guarded by mutex
    bool everyCachedDeviceAnswered = false;  // guarded by mutex: the first list need not wait
    d::HttpWorkers workers;
    std::unique_ptr<d::AvahiBrowser> avahi;  // set before the threads start, reset after they end

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

    // Directed probes to one host: UDP to its port 3702 and HTTP to `urls`.
    // An answer counts as found by `foundBy`.
    void directedProbe(const std::string &address, const std::vector<std::string> &urls, const std::string &foundBy)
    {
        std::string id = soap::newMessageId();
        std::string probe = d::buildProbe(d::Version::V2005, {d::scanDeviceType()}, id);
        std::lock_guard<std::mutex> lock(mutex);
        table.probeSent(id, foundBy);
        if (auto to = d::SocketAddress::parse(address, d::Port))
            if (channel.sendTo(probe, *to))
                WSD_PROTO("discovery: -> directed Probe to %s (UDP)", to->text().c_str());
        for (const std::string &u : urls) {
            WSD_PROTO("discovery: -> directed Probe to %s", u.c_str());
            httpJobs.push_back({d::HttpJob::Kind::DirectedProbe, foundBy, {u, probe}});
        }
        workReady.notify_all();
    }

    // A host Avahi found: HTTP to the stable discovery URL on port 80 and on
    // the advertised port.
    void probeAvahiHost(const d::AvahiService &service)
    {
        const std::string host = url::hostForUrl(service.address.host());
        std::vector<std::string> urls = {"http://" + host + d::StableProbePath};
        if (service.address.port() != 80)
            urls.push_back("http://" + host + ":" + std::to_string(service.address.port()) + d::StableProbePath);
        directedProbe(service.address.host(), urls, "avahi");
    }

    // The host of a CUPS queue: probed as a host named in wsd.conf is, on the
    // ports WSD devices are known to serve.
    void probePrintQueueHost(const d::PrintQueueHost &host)
    {
        const std::size_t pct = host.address.find('%');
        const std::string zone = pct == std::string::npos ? std::string() : host.address.substr(pct + 1);
        bool admitted;
        {
            std::lock_guard<std::mutex> lock(mutex);
            admitted = table.admitPrintQueueHost(host.address.substr(0, pct), zone, host.queue, Clock::now());
        }
        if (admitted)
            directedProbe(host.address, d::hostProbeUrls(url::hostForUrl(host.address)), "cups");
    }

    // A CUPS queue's dnssd:// device URI: Avahi finds the service's host,
    // which is then probed as any queue's host.
    void resolvePrintQueueService(const d::PrintQueueService &p)
    {
        if (!avahi) {
            WSD_INFO("discovery: CUPS queue %s names DNS-SD service \"%s\", which only Avahi could resolve",
                     p.queue.c_str(), p.service.name.c_str());
            return;
        }
        avahi->resolveService(p.service.name, p.service.type, p.service.domain, [this, p](const std::string &address) {
            std::lock_guard<std::mutex> lock(mutex);
            --servicesResolving;
            if (stopping || address.empty())
                return;
            WSD_PROTO("discovery: CUPS queue %s prints to %s (DNS-SD service \"%s\")", p.queue.c_str(),
                      address.c_str(), p.service.name.c_str());
            printQueueHosts.push_back({address, p.queue});
            table.noteActivity(Clock::now());
            wake.signal();
        });
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
        std::vector<d::PrintQueueHost> printers;
        std::vector<d::PrintQueueService> services;
        std::thread cupsDone;
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (stopping)
                return false;
            found.swap(avahiQueue);
            hosts.swap(hostQueue);
            printers.swap(printQueueHosts);
            services.swap(printQueueServices);
            servicesResolving += avahi ? static_cast<int>(services.size()) : 0;
            // The CUPS thread has handed over its hosts and takes the lock
            // no more.
            if (!askingCups && cups.joinable())
                cupsDone = std::move(cups);
        }
#ifdef HAVE_CUPS
        if (cupsDone.joinable()) {
            // Once it has ended (libcups's thread-exit destructor run),
            // libcups is unmapped: a frontend that stays open does not keep it.
            cupsDone.join();
            cupsLibrary.reset();
        }
#endif
        for (const d::AvahiService &s : found)
            probeAvahiHost(s);
        for (const d::PrintQueueHost &p : printers)
            probePrintQueueHost(p);
        for (const d::PrintQueueService &p : services)
            resolvePrintQueueService(p);
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
            // Addresses come and go (DHCP, a laptop changing networks): what
            // arrived is checked against fresh ones.
            if (Clock::now() - linksRead >= LinksRefresh)
                readLocalLinks();
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

    // Runs on its own thread: the devices of the last discovery (device
    // cache) that still answer where they were.
    void checkCachedDevices()
    {
        const std::vector<DiscoveredDevice> cached = DeviceCache().load();
        std::vector<DiscoveredDevice> confirmed;
        if (!cached.empty()) {
            http::Options options = httpOptions(config);
            options.connectTimeoutMs = options.timeoutMs = std::min(config.discoveryTimeoutMs, CacheCheckMs);
            confirmed = d::confirmCachedDevices(cached, d::LocalLinks::ofThisHost(), options);
            WSD_INFO("device cache: %zu of %zu device(s) answer where they were", confirmed.size(), cached.size());
        }
        std::lock_guard<std::mutex> lock(mutex);
        everyCachedDeviceAnswered = !cached.empty() && confirmed.size() == cached.size();
        confirmedFromCache = std::move(confirmed);
        checkingCache = false;
        table.noteActivity(Clock::now());
        changed.notify_all();
    }

    // What discovery lists, then the confirmed cached devices it has not
    // (yet) found. Caller holds the mutex.
    std::vector<DiscoveredDevice> listing() const
    {
        std::vector<DiscoveredDevice> out = table.listed();
        for (const DiscoveredDevice &c : confirmedFromCache)
            if (std::none_of(out.begin(), out.end(),
                             [&c](const DiscoveredDevice &d) { return d.endpointUuid == c.endpointUuid; }))
                out.push_back(c);
        return out;
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

};

Discovery::Discovery(const Config &config) : impl_(std::make_unique<Impl>(config)) {}

Discovery::~Discovery()
{
    // What discovery found while the process ran is there for the next one.
    if (impl_->config.discoveryCache && impl_->network.joinable()) {
        std::unique_lock<std::mutex> lock(impl_->mutex);
        const std::vector<DiscoveredDevice> listed = impl_->listing();
        lock.unlock();
        DeviceCache().store(listed);
    }
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->stopping = true;  // Avahi callbacks from now on do nothing
    }
    impl_->wake.signal();
    impl_->workReady.notify_all();
    if (impl_->network.joinable())
        impl_->network.join();
    if (impl_->cups.joinable())
        impl_->cups.join();
#ifdef HAVE_CUPS
    impl_->cupsLibrary.reset();
#endif
    if (impl_->cacheCheck.joinable())
        impl_->cacheCheck.join();
    impl_->workers.join();
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
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.mdnsLookup = s.avahi != nullptr;
    }
    s.network = std::thread([&s] { s.runNetwork(); });
    s.workers.start(HttpWorkerCount);
    if (s.config.discoveryCache) {
        {
            std::lock_guard<std::mutex> lock(s.mutex);
            s.checkingCache = true;
        }
        s.cacheCheck = std::thread([&s] { s.checkCachedDevices(); });
    }
#ifdef HAVE_CUPS
    if (s.config.cups) {
        // Under the lock: the network thread joins it once it has handed
        // over its hosts (serveQueues).
        std::lock_guard<std::mutex> lock(s.mutex);
        s.askingCups = true;
        s.cups = std::thread([&s] {
            s.cupsLibrary = std::make_unique<d::CupsLibrary>();
            d::askCupsForPrinters(s, *s.cupsLibrary);
        });
    }
#else
    if (s.config.cups)
        WSD_DETAIL("discovery: built without CUPS (configure --without-cups): no print queues to look at");
#endif
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
            // Nothing changed since the last discovery: no need to wait.
            if (now >= deadline || s.everyCachedDeviceAnswered)
                break;
            const bool busy = s.busy();
            const auto quietSince = s.table.lastActivity();
            if (!busy && now - quietSince >= QuietTime)
                break;
            s.changed.wait_until(lock, busy ? deadline : std::min(deadline, quietSince + QuietTime));
        }
    }
    s.generationReturned = s.table.generation();
    std::vector<DiscoveredDevice> listed = s.listing();
    lock.unlock();
    if (s.config.discoveryCache)
        DeviceCache().store(listed);
    return listed;
}

bool Discovery::waitForChange(int timeoutMs)
{
    Impl &s = *impl_;
    std::unique_lock<std::mutex> lock(s.mutex);
    return s.changed.wait_for(lock, milliseconds(std::max(0, timeoutMs)),
                              [&] { return s.table.generation() != s.generationReturned; });
}

}  // namespace wsd
