#include "wsd/discovery_table.h"

#include "wsd/device_restarts.h"
#include "wsd/log.h"
#include "wsd/url.h"

#include <algorithm>

namespace wsd::discovery {

namespace {

using std::chrono::milliseconds;

// Hostile LAN: bounds on what announcements can make us keep or do.
constexpr std::size_t MaxEndpoints = 512;
constexpr int NewHellosPerSecond = 64;
constexpr std::size_t MaxAvahiHosts = 256;
constexpr std::size_t MaxPrintQueueHosts = 256;
constexpr int ResolveAttempts = 3;

constexpr std::size_t MaxKnownHosts = 2 * MaxXAddrsPerEndpoint + 1;

// Scanners say ScanDeviceType. A device whose Types hold nothing but the
// generic DPWS Device type (answering the wsdp:Device probe, WS-Scan's
// "Device discovery") may still host a scanner: its metadata decides.
// Anything else (printers, computers announced by wsdd, vendor types only)
// is not looked at.
bool worthAsking(const std::vector<xml::QName> &types)
{
    if (hasType(types, scanDeviceType()))
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

void EndpointTable::onMessage(const Message &m, const Source &from, const std::string &directedBy,
                              Clock::time_point now)
{
    std::string foundBy = directedBy;
    switch (m.kind) {
    case Kind::Probe:
    case Kind::Resolve:
        return;  // other clients' questions (or our own, looped back)
    case Kind::ProbeMatches:
        if (foundBy.empty()) {
            auto probe = probes_.find(m.relatesTo);
            if (probe == probes_.end()) {
                WSD_DETAIL("discovery: ProbeMatches from %s answers no probe of ours", from.address.c_str());
                return;
            }
            foundBy = probe->second;
        }
        break;
    case Kind::ResolveMatches:
        if (!resolves_.count(m.relatesTo)) {
            WSD_DETAIL("discovery: ResolveMatches from %s answers no Resolve of ours", from.address.c_str());
            return;
        }
        foundBy = "multicast";
        break;
    case Kind::Hello:
        foundBy = "multicast";
        break;
    case Kind::Bye:
        onBye(m, from, now);
        return;
    }
    for (const discovery::Endpoint &e : m.endpoints) {
        WSD_PROTO("discovery: <- %s from %s: %s [%s] %zu XAddrs", kindName(m.kind), from.address.c_str(),
                  e.address.c_str(), typesText(e.types).c_str(), e.xaddrs.size());
        upsert(e, m, from, foundBy, now);
    }
}

void EndpointTable::onBye(const Message &m, const Source &from, Clock::time_point now)
{
    auto it = endpoints_.find(m.endpoints.front().address);
    if (it == endpoints_.end())
        return;
    Endpoint &e = it->second;
    const AppSequence &known = e.sequence;
    if (m.appSequence.present && known.present && m.appSequence.instanceId < known.instanceId)
        return;  // a Bye older than the device's current run
    if (!knownHost(e, from.address) && !e.xaddrs.empty() &&
        (e.state == State::Listed || e.state == State::NotScanner || e.state == State::Fetching)) {
        WSD_INFO("discovery: Bye for %s from %s, not one of its hosts: checking the device", e.address.c_str(),
                 from.address.empty() ? "?" : from.address.c_str());
        e.held.bye = true;
        startCheck(e);
        lastActivity_ = now;
        return;
    }
    WSD_INFO("discovery: %s said Bye", it->first.c_str());
    if (e.state == State::Listed)
        ++generation_;
    endpoints_.erase(it);
    lastActivity_ = now;
}

bool EndpointTable::knownHost(const Endpoint &e, const std::string &address) const
{
    return std::any_of(e.hosts.begin(), e.hosts.end(), [&](const std::string &h) { return sameAddress(h, address); });
}

// The IP-literal hosts of `urls` become known hosts of the endpoint.
void EndpointTable::learnHosts(Endpoint &e, const std::vector<std::string> &urls)
{
    for (const std::string &u : urls) {
        const auto parts = url::parse(u);
        if (parts && isIpLiteral(parts->host) && !knownHost(e, parts->host) && e.hosts.size() < MaxKnownHosts)
            e.hosts.push_back(parts->host);
    }
}

// A Get to the known XAddrs decides about what is held (unless a fetch is
// under way already: its outcome decides).
void EndpointTable::startCheck(Endpoint &e)
{
    if (e.verifying || e.state == State::Fetching)
        return;
    e.verifying = true;
    e.xaddrTried = 0;
    fetchMetadata(e);
}

// Whether a new endpoint may be kept. Unsolicited Hellos are rate-limited
// (answers to our probes are bounded by our probing); at the cap an endpoint
// that turned out useless (failed, or no scanner) makes room.
bool EndpointTable::admitNewEndpoint(bool unsolicited, Clock::time_point now)
{
    if (unsolicited) {
        if (now - rateWindow_ >= std::chrono::seconds(1)) {
            rateWindow_ = now;
            newInWindow_ = 0;
        }
        if (newInWindow_ >= NewHellosPerSecond)
            return false;
        ++newInWindow_;
    }
    if (endpoints_.size() < MaxEndpoints)
        return true;
    auto useless = std::find_if(endpoints_.begin(), endpoints_.end(), [](const auto &e) {
        return e.second.state == State::Failed || e.second.state == State::NotScanner;
    });
    if (useless == endpoints_.end())
        return false;
    endpoints_.erase(useless);
    return true;
}

void EndpointTable::upsert(const discovery::Endpoint &incoming, const Message &m, const Source &from,
                           const std::string &foundBy, Clock::time_point now)
{
    const std::vector<std::string> xaddrs = usableUrls(links_, incoming.xaddrs, from, "XAddr");
    if (xaddrs.empty() && !incoming.xaddrs.empty()) {
        WSD_INFO("discovery: %s from %s has no usable XAddr", incoming.address.c_str(), from.address.c_str());
        return;
    }
    const AppSequence &sequence = m.appSequence;
    auto it = endpoints_.find(incoming.address);
    if (it == endpoints_.end()) {
        if (!worthAsking(incoming.types)) {
            WSD_DETAIL("discovery: %s is not a scanner (%s)", incoming.address.c_str(),
                       typesText(incoming.types).c_str());
            return;
        }
        if (!admitNewEndpoint(m.kind == Kind::Hello, now)) {
            WSD_DETAIL("discovery: endpoint cap or Hello rate reached, dropping %s", incoming.address.c_str());
            return;
        }
        Endpoint e;
        e.address = incoming.address;
        e.version = m.version;
        e.types = incoming.types;
        e.xaddrs = xaddrs;
        e.metadataVersion = incoming.metadataVersion;
        e.sequence = sequence;
        e.foundBy = foundBy;
        e.source = from;
        if (!from.address.empty())
            e.hosts.push_back(from.address);
        learnHosts(e, xaddrs);
        Endpoint &added = endpoints_.emplace(e.address, e).first->second;
        lastActivity_ = now;
        if (added.xaddrs.empty())
            added.nextResolve = now;  // state Resolving
        else
            fetchMetadata(added);
        return;
    }
    Endpoint &e = it->second;
    if (!e.xaddrs.empty() && !knownHost(e, from.address)) {
        std::vector<std::string> fresh;
        for (const std::string &x : xaddrs)
            if (std::find(e.xaddrs.begin(), e.xaddrs.end(), x) == e.xaddrs.end())
                fresh.push_back(x);
        if (!fresh.empty()) {
            WSD_INFO("discovery: %s: new XAddrs from %s, not one of its hosts: checking the device",
                     e.address.c_str(), from.address.empty() ? "?" : from.address.c_str());
            e.held.xaddrs = fresh;
            e.held.source = from;
            e.held.sequence = sequence;
            e.held.types = incoming.types;
            startCheck(e);
            lastActivity_ = now;
        }
        // Nothing else from a stranger counts: an AppSequence from it could
        // make the device's own Bye look stale.
        return;
    }
    bool rebooted = false;
    if (sequence.present && e.sequence.present) {
        if (sequence.instanceId < e.sequence.instanceId)
            return;  // stale: from before the device's last restart
        rebooted = sequence.instanceId > e.sequence.instanceId;
    }
    if (sequence.present)
        e.sequence = sequence;
    bool newAddress = false;
    for (const std::string &x : xaddrs)
        if (std::find(e.xaddrs.begin(), e.xaddrs.end(), x) == e.xaddrs.end() &&
            e.xaddrs.size() < MaxXAddrsPerEndpoint) {
            e.xaddrs.push_back(x);
            newAddress = true;
        }
    learnHosts(e, e.xaddrs);
    if (!incoming.types.empty())
        e.types = incoming.types;
    const bool newMetadata = incoming.metadataVersion > e.metadataVersion;
    e.metadataVersion = std::max(e.metadataVersion, incoming.metadataVersion);
    const bool settled = e.state == State::Listed || e.state == State::NotScanner;
    if ((e.state == State::Resolving && !e.xaddrs.empty()) || e.state == State::Failed ||
        (settled && (rebooted || newMetadata || (newAddress && e.scanServiceUrls.empty())))) {
        e.xaddrTried = 0;
        if (e.xaddrs.empty()) {
            e.state = State::Resolving;
            e.resolveAttempts = 0;
            e.nextResolve = now;
        } else {
            fetchMetadata(e);
        }
        lastActivity_ = now;
    }
}

// The next untried XAddr gets a metadata Get (or a host-name lookup first);
// none left: fetchFailed().
void EndpointTable::fetchMetadata(Endpoint &e)
{
    std::vector<std::string> urls = e.xaddrs;
    preferUrls(urls, e.source.address);
    if (e.xaddrTried >= urls.size()) {
        fetchFailed(e);
        return;
    }
    const std::string &u = urls[e.xaddrTried];
    if (!e.verifying)
        e.state = State::Fetching;
    const auto parts = url::parse(u);
    if (parts && !isIpLiteral(parts->host)) {
        work_.push_back({Work::Kind::ResolveHost, e.address, u});
        return;
    }
    WSD_PROTO("discovery: -> metadata Get %s (%s)", u.c_str(), e.address.c_str());
    work_.push_back({Work::Kind::MetadataGet, e.address, u});
}

// No known XAddr answered: what was held takes effect, or the endpoint failed.
void EndpointTable::fetchFailed(Endpoint &e)
{
    e.verifying = false;
    Held held = std::move(e.held);
    e.held = Held();
    if (held.bye) {
        WSD_INFO("discovery: %s does not answer after a Bye: gone", e.address.c_str());
        if (e.state == State::Listed)
            ++generation_;
        const std::string address = e.address;  // e goes with the erase
        endpoints_.erase(address);
        return;
    }
    if (!held.xaddrs.empty()) {
        WSD_INFO("discovery: %s does not answer at its XAddrs: moving to those from %s", e.address.c_str(),
                 held.source.address.c_str());
        if (e.state == State::Listed)
            ++generation_;
        e.xaddrs = held.xaddrs;
        e.source = held.source;
        e.hosts.clear();
        if (!held.source.address.empty())
            e.hosts.push_back(held.source.address);
        learnHosts(e, e.xaddrs);
        if (held.sequence.present)
            e.sequence = held.sequence;
        if (!held.types.empty())
            e.types = held.types;
        e.xaddrTried = 0;
        e.scanServiceUrls.clear();
        e.state = State::Fetching;
        fetchMetadata(e);
        return;
    }
    e.state = State::Failed;
}

void EndpointTable::onMetadata(const std::string &endpoint, const std::string &u,
                               const std::optional<DeviceMetadata> &metadata, Clock::time_point now)
{
    lastActivity_ = now;
    auto it = endpoints_.find(endpoint);
    if (it == endpoints_.end())
        return;  // said Bye meanwhile
    Endpoint &e = it->second;
    if (!metadata) {
        ++e.xaddrTried;
        fetchMetadata(e);  // the next XAddr, or the end
        return;
    }
    if (e.verifying || e.held.bye || !e.held.xaddrs.empty())
        WSD_INFO("discovery: %s still answers at %s: the other host's announcement is ignored", e.address.c_str(),
                 u.c_str());
    e.verifying = false;
    e.held = Held();
    e.friendlyName = metadata->friendlyName;
    e.manufacturer = metadata->manufacturer;
    e.model = metadata->model;
    e.scanServiceUrls.clear();
    // The hosted services' addresses pass the same checks, the device (the
    // host that answered) standing in for the sender.
    const auto parts = url::parse(u);
    const Source device = parts ? Source{parts->host, parts->zone.empty() ? e.source.ifname : parts->zone} : Source{};
    e.scanServiceUrls = usableUrls(links_, metadata->scanServiceUrls(), device, "scan service");
    preferUrls(e.scanServiceUrls, device.address);
    e.state = e.scanServiceUrls.empty() ? State::NotScanner : State::Listed;
    ++generation_;
    if (e.state == State::Listed) {
        WSD_INFO("discovery: %s \"%s\" (%s %s), scan service %s, found by %s", e.address.c_str(),
                 e.friendlyName.c_str(), e.manufacturer.c_str(), e.model.c_str(), e.scanServiceUrls.front().c_str(),
                 e.foundBy.c_str());
        // Listed anew: a Hello after a Bye, a new InstanceId or
        // MetadataVersion. The device may have lost its subscriptions: open
        // handles on it check theirs (a Renew the device refuses brings a
        // new Subscribe). It answers again, so now is when that can work.
        restarts::announce(e.address);
    } else
        WSD_DETAIL("discovery: %s hosts no scan service", e.address.c_str());
}

void EndpointTable::onHostResolved(const std::string &endpoint, const std::string &u,
                                   const std::vector<std::string> &addresses, Clock::time_point now)
{
    lastActivity_ = now;
    auto it = endpoints_.find(endpoint);
    if (it == endpoints_.end())
        return;
    Endpoint &e = it->second;
    std::string usable;
    for (const std::string &a : addresses) {
        const std::size_t pct = a.find('%');
        const std::string bare = a.substr(0, pct), zone = pct == std::string::npos ? e.source.ifname : a.substr(pct + 1);
        const AddressVerdict verdict = links_.check(bare, e.source.address, zone);
        if (verdict != AddressVerdict::Usable) {
            WSD_INFO("discovery: ignoring %s for the host of %s: %s", a.c_str(), u.c_str(), verdictText(verdict));
            continue;
        }
        usable = isLinkLocal(bare) && bare.find(':') != std::string::npos ? bare + "%" + zone : bare;
        if (e.hosts.size() < MaxKnownHosts && !knownHost(e, bare))
            e.hosts.push_back(bare);
        break;
    }
    if (usable.empty()) {
        WSD_INFO("discovery: no usable address for the host of %s", u.c_str());
        ++e.xaddrTried;
        fetchMetadata(e);
        return;
    }
    const std::string resolved = url::withHost(u, usable);
    WSD_PROTO("discovery: -> metadata Get %s (%s, for %s)", resolved.c_str(), e.address.c_str(), u.c_str());
    work_.push_back({Work::Kind::MetadataGet, e.address, resolved});
}

bool EndpointTable::admitAvahiHost(const std::string &address, const std::string &zone, Clock::time_point now)
{
    if (avahiHosts_.count(address) || avahiHosts_.size() >= MaxAvahiHosts)
        return false;
    const AddressVerdict verdict = links_.check(address, std::string(), zone);
    if (verdict != AddressVerdict::Usable) {
        WSD_INFO("discovery: not probing %s, found by Avahi: %s", address.c_str(), verdictText(verdict));
        return false;
    }
    avahiHosts_.insert(address);
    lastActivity_ = now;
    return true;
}

bool EndpointTable::admitPrintQueueHost(const std::string &address, const std::string &zone, const std::string &queue,
                                        Clock::time_point now)
{
    for (auto &entry : queuesByHost_)
        if (sameAddress(entry.first, address)) {
            if (std::find(entry.second.begin(), entry.second.end(), queue) == entry.second.end())
                entry.second.push_back(queue);
            return false;
        }
    if (queuesByHost_.size() >= MaxPrintQueueHosts)
        return false;
    const AddressVerdict verdict = links_.check(address, std::string(), zone);
    if (verdict != AddressVerdict::Usable && verdict != AddressVerdict::OffLink) {
        WSD_INFO("discovery: not probing %s, the host of CUPS queue %s: %s", address.c_str(), queue.c_str(),
                 verdictText(verdict));
        return false;
    }
    queuesByHost_[address].push_back(queue);
    lastActivity_ = now;
    return true;
}

std::vector<ResolveDue> EndpointTable::dueResolves(Clock::time_point now, bool canResolve, int *nextMs)
{
    std::vector<ResolveDue> due;
    int next = -1;
    auto sooner = [&next](int ms) { next = next < 0 ? ms : std::min(next, ms); };
    for (auto &entry : endpoints_) {
        Endpoint &e = entry.second;
        if (e.state != State::Resolving)
            continue;
        if (e.nextResolve > now) {
            sooner(static_cast<int>(std::chrono::duration_cast<milliseconds>(e.nextResolve - now).count()) + 1);
            continue;
        }
        if (e.resolveAttempts >= ResolveAttempts || !canResolve) {
            WSD_INFO("discovery: %s did not answer Resolve", e.address.c_str());
            e.state = State::Failed;
            lastActivity_ = now;
            continue;
        }
        ++e.resolveAttempts;
        e.nextResolve = now + milliseconds(300 * e.resolveAttempts);
        due.push_back({e.address, e.version});
        sooner(300);
    }
    *nextMs = next;
    return due;
}

std::vector<Work> EndpointTable::takeWork()
{
    std::vector<Work> out;
    out.swap(work_);
    return out;
}

std::vector<DiscoveredDevice> EndpointTable::listed() const
{
    std::vector<DiscoveredDevice> out;
    for (const auto &entry : endpoints_) {
        const Endpoint &e = entry.second;
        if (e.state != State::Listed)
            continue;
        DiscoveredDevice dev;
        dev.endpointUuid = e.address;
        dev.friendlyName = e.friendlyName;
        dev.manufacturer = e.manufacturer;
        dev.model = e.model;
        dev.deviceUrls = e.xaddrs;
        preferUrls(dev.deviceUrls, e.source.address);
        dev.scanServiceUrls = e.scanServiceUrls;
        dev.foundBy = e.foundBy;
        for (const auto &host : queuesByHost_)
            if (knownHost(e, host.first))
                dev.printQueues.insert(dev.printQueues.end(), host.second.begin(), host.second.end());
        out.push_back(std::move(dev));
    }
    return out;
}

bool EndpointTable::busy() const
{
    return std::any_of(endpoints_.begin(), endpoints_.end(), [](const auto &e) {
        return e.second.state == State::Resolving || e.second.state == State::Fetching || e.second.verifying;
    });
}

}  // namespace wsd::discovery
