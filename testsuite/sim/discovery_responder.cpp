#include "discovery_responder.h"

#include "knobs.h"
#include "wsd/url.h"

#include "discovery_responder_avahi.h"
#include "event_log.h"

#include "wsd/discovery_message.h"
#include "wsd/discovery_socket.h"
#include "wsd/event_fd.h"
#include "wsd/log.h"
#include "wsd/namespaces.h"
#include "wsd/soap.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <random>
#include <stdexcept>

namespace wsdsim {

namespace d = wsd::discovery;
using Clock = std::chrono::steady_clock;

namespace {

// A flood of probes must not grow the reply queue without bound.
constexpr std::size_t MaxPendingReplies = 256;
constexpr int MaxDatagramsPerWake = 64;

d::Version versionOf(const DiscoveryIdentity &id) { return id.ns2009 ? d::Version::V2009 : d::Version::V2005; }

// The xaddrs-host knob: the XAddrs name the device by a host name instead of
// its address, as Pantum MFPs do (sane-airscan#317).
std::vector<std::string> xaddrsOf(const DiscoveryIdentity &id)
{
    const std::string host = id.knobs ? id.knobs->get().xaddrsHost : std::string();
    if (host.empty())
        return id.xaddrs;
    std::vector<std::string> named;
    for (const std::string &x : id.xaddrs)
        named.push_back(wsd::url::withHost(x, host));
    return named;
}

d::Endpoint endpointOf(const DiscoveryIdentity &id, bool withXAddrs)
{
    d::Endpoint e;
    e.address = id.endpointUuid;
    e.types.push_back({id.ns2009 ? wsd::ns::Dpws2009 : wsd::ns::Dpws, "Device"});
    if (id.printerOnly)
        e.types.push_back({wsd::ns::Print, "PrintDeviceType"});
    else
        e.types.push_back(d::scanDeviceType());
    if (withXAddrs)
        e.xaddrs = xaddrsOf(id);
    e.metadataVersion = 1;
    return e;
}

// The printer-match-first knob: a print endpoint of the same device, with an
// endpoint address of its own (the scanner's with a different first group).
d::Endpoint printEndpointOf(const DiscoveryIdentity &id, bool withXAddrs)
{
    d::Endpoint e;
    const std::size_t group = id.endpointUuid.find(':', 4) + 1;  // after "urn:uuid:"
    e.address = id.endpointUuid.substr(0, group) + "00000000" + id.endpointUuid.substr(group + 8);
    e.types = {{id.ns2009 ? wsd::ns::Dpws2009 : wsd::ns::Dpws, "Device"}, {wsd::ns::Print, "PrintDeviceType"}};
    if (withXAddrs)
        e.xaddrs = xaddrsOf(id);
    e.metadataVersion = 1;
    return e;
}

bool printerMatchFirst(const DiscoveryIdentity &id) { return id.knobs && id.knobs->get().printerMatchFirst; }

// The answer to a Probe or Resolve, or empty when the message asks for
// someone else (or is in the other discovery version).
std::string answer(const DiscoveryIdentity &id, const d::Message &m, bool withXAddrs, d::AppSequence sequence)
{
    if (m.version != versionOf(id))
        return std::string();
    if (m.kind == d::Kind::Probe && d::typesMatch(m.probeTypes, endpointOf(id, false).types)) {
        std::vector<d::Endpoint> records;
        if (printerMatchFirst(id))
            records.push_back(printEndpointOf(id, withXAddrs));
        records.push_back(endpointOf(id, withXAddrs));
        return d::buildProbeMatches(m.version, m.messageId, records, sequence, wsd::soap::newMessageId());
    }
    if (m.kind == d::Kind::Resolve && !m.endpoints.empty() && m.endpoints[0].address == id.endpointUuid)
        return d::buildResolveMatches(m.version, m.messageId, endpointOf(id, true), sequence,
                                      wsd::soap::newMessageId());
    return std::string();
}

// The peer's address as /log names clients: without port and, like the HTTP
// side's entries, without an IPv6 zone.
std::string clientOf(const d::SocketAddress &peer)
{
    std::string host = peer.host();
    return host.substr(0, host.find('%'));
}

}  // namespace

UdpAnswer answerDatagram(const DiscoveryIdentity &id, const DiscoveryOptions &options, const d::Message &m,
                         bool toMulticast, d::AppSequence sequence)
{
    if (m.kind == d::Kind::Probe && toMulticast && options.ignoreMulticastProbe)
        return {"ignored:multicast-probe", std::string()};
    if (m.version != versionOf(id))
        return {"ignored:version", std::string()};
    const bool withXAddrs = !(m.kind == d::Kind::Probe && options.omitXAddrs);
    std::string reply = answer(id, m, withXAddrs, sequence);
    return {reply.empty() ? "no-match" : "ok", std::move(reply)};
}

std::string discoveryOperation(d::Kind kind, const char *transport)
{
    return std::string(d::kindName(kind)) + " (" + transport + ")";
}

std::string answerHttpProbe(const DiscoveryIdentity &id, std::string_view requestBody)
{
    auto m = d::parse(requestBody);
    if (!m || m->kind != d::Kind::Probe)
        return std::string();
    d::AppSequence sequence;
    sequence.present = true;
    sequence.instanceId = static_cast<unsigned long>(std::time(nullptr));
    sequence.messageNumber = 1;
    return answer(id, *m, true, sequence);
}

struct DiscoveryResponder::State {
    explicit State(EventLog &eventLog) : log(eventLog) {}

    EventLog &log;
    DiscoveryIdentity identity;
    DiscoveryOptions options;
    std::vector<d::NetInterface> interfaces;
    std::vector<d::UdpSocket> sockets;  // one per address family in use
    wsd::EventFd stopEvent;
    d::AppSequence sequence;
    std::mt19937 random{std::random_device{}()};

    struct Pending {
        Clock::time_point due;
        std::size_t socket;
        d::SocketAddress to;
        std::string text;
    };
    std::vector<Pending> pending;

    d::AppSequence nextSequence()
    {
        ++sequence.messageNumber;
        return sequence;
    }

    // `operation` (Hello, Bye) goes to /log once per group and interface.
    void multicastEverywhere(const char *operation, const std::string &text)
    {
        for (d::UdpSocket &s : sockets)
            for (const d::NetInterface &iface : interfaces)
                if (s.family() == AF_INET ? !iface.ipv4.empty() : iface.ipv6) {
                    const bool sent = s.sendMulticast(text, iface);
                    if (!sent)
                        WSD_WARN("wsd-sim: multicast on %s failed", iface.name.c_str());
                    const char *group = s.family() == AF_INET ? d::GroupV4 : d::GroupV6;
                    log.add(operation, 0, sent ? "sent" : "failed", std::string(group) + "%" + iface.name);
                }
    }

    bool onOurInterface(unsigned ifindex) const
    {
        return std::any_of(interfaces.begin(), interfaces.end(),
                           [&](const d::NetInterface &i) { return i.index == ifindex; });
    }

    void handle(std::size_t socketIndex, const d::Datagram &datagram)
    {
        if (!onOurInterface(datagram.ifindex))
            return;
        std::string error;
        auto m = d::parse(datagram.data, &error);
        if (!m) {
            WSD_DETAIL("wsd-sim: dropped datagram from %s: %s", datagram.from.text().c_str(), error.c_str());
            return;
        }
        if (m->kind != d::Kind::Probe && m->kind != d::Kind::Resolve)
            return;  // announcements and answers are for clients
        UdpAnswer a = answerDatagram(identity, options, *m, datagram.toMulticast, nextSequence());
        if (!a.reply.empty() && pending.size() >= MaxPendingReplies)
            a = {"ignored:queue-full", std::string()};
        const std::string operation =
            discoveryOperation(m->kind, datagram.toMulticast ? "UDP multicast" : "UDP unicast");
        log.add(operation, 0, a.outcome, clientOf(datagram.from));
        WSD_PROTO("wsd-sim: %s from %s: %s", operation.c_str(), datagram.from.text().c_str(), a.outcome.c_str());
        if (a.reply.empty())
            return;
        std::uniform_int_distribution<int> delay(0, std::max(0, options.maxReplyDelayMs));
        pending.push_back({Clock::now() + std::chrono::milliseconds(delay(random)), socketIndex, datagram.from,
                           std::move(a.reply)});
    }

    // Sends what is due; returns the poll timeout until the next one.
    int flushDue()
    {
        const auto now = Clock::now();
        int timeout = -1;
        for (auto it = pending.begin(); it != pending.end();) {
            if (it->due <= now) {
                sockets[it->socket].sendTo(it->text, it->to);
                it = pending.erase(it);
                continue;
            }
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(it->due - now).count() + 1;
            timeout = timeout < 0 ? static_cast<int>(ms) : std::min(timeout, static_cast<int>(ms));
            ++it;
        }
        return timeout;
    }
};

DiscoveryResponder::DiscoveryResponder(EventLog &log) : log_(log) {}

DiscoveryResponder::~DiscoveryResponder() { stop(); }

void DiscoveryResponder::start(const DiscoveryIdentity &identity, const std::vector<std::string> &interfaces,
                               const DiscoveryOptions &options)
{
    if (interfaces.empty())
        return;
    auto state = std::make_unique<State>(log_);
    state->identity = identity;
    state->options = options;
    state->interfaces = d::multicastInterfaces(interfaces, {});
    for (const std::string &name : interfaces)
        if (std::none_of(state->interfaces.begin(), state->interfaces.end(),
                         [&](const d::NetInterface &i) { return i.name == name; }))
            throw std::runtime_error("interface " + name + " is missing, down or not multicast-capable");
    state->sequence.present = true;
    state->sequence.instanceId = std::max(static_cast<unsigned long>(std::time(nullptr)), lastInstanceId_ + 1);
    lastInstanceId_ = state->sequence.instanceId;

    const bool wantV4 = std::any_of(state->interfaces.begin(), state->interfaces.end(),
                                    [](const d::NetInterface &i) { return !i.ipv4.empty(); });
    const bool wantV6 = std::any_of(state->interfaces.begin(), state->interfaces.end(),
                                    [](const d::NetInterface &i) { return i.ipv6; });
    for (int family : {AF_INET, AF_INET6}) {
        if ((family == AF_INET && !wantV4) || (family == AF_INET6 && !wantV6))
            continue;
        std::string error;
        auto socket = d::UdpSocket::open(family, d::Port, true, &error);
        if (!socket)
            throw std::runtime_error("WS-Discovery port 3702: " + error);
        for (const d::NetInterface &iface : state->interfaces)
            if (family == AF_INET ? !iface.ipv4.empty() : iface.ipv6)
                if (!socket->joinGroup(iface, &error))
                    throw std::runtime_error("WS-Discovery group on " + iface.name + ": " + error);
        state->sockets.push_back(std::move(*socket));
    }
    if (state->sockets.empty())
        throw std::runtime_error("no IPv4 or IPv6 address on the discovery interfaces");

    state->multicastEverywhere("Hello", d::buildHello(versionOf(identity), endpointOf(identity, !options.omitXAddrs),
                                                      state->nextSequence(), wsd::soap::newMessageId()));
    if (!options.dnssdTypes.empty()) {
        std::vector<unsigned> indexes;
        for (const d::NetInterface &iface : state->interfaces)
            indexes.push_back(iface.index);
        std::string name = options.dnssdName.empty() ? "wsd-sim " + identity.endpointUuid : options.dnssdName;
        publisher_ = std::make_unique<AvahiPublisher>(name, options.dnssdTypes, options.dnssdPort, indexes);
    }
    state_ = std::move(state);
    thread_ = std::thread([this] { run(); });
}

void DiscoveryResponder::run()
{
    State &s = *state_;
    for (;;) {
        std::vector<pollfd> fds;
        fds.push_back({s.stopEvent.fd(), POLLIN, 0});
        for (const d::UdpSocket &socket : s.sockets)
            fds.push_back({socket.fd(), POLLIN, 0});
        int timeout = s.flushDue();
        if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR)
            return;
        if (fds[0].revents)
            return;
        // A bounded batch per socket: a flood must not hide the stop event.
        for (std::size_t i = 1; i < fds.size(); ++i)
            for (int n = 0; n < MaxDatagramsPerWake && (fds[i].revents & POLLIN); ++n) {
                auto datagram = s.sockets[i - 1].receive();
                if (!datagram)
                    break;
                s.handle(i - 1, *datagram);
            }
    }
}

void DiscoveryResponder::stop()
{
    if (!state_)
        return;
    state_->stopEvent.signal();
    if (thread_.joinable())
        thread_.join();
    publisher_.reset();
    state_->multicastEverywhere("Bye", d::buildBye(versionOf(state_->identity), state_->identity.endpointUuid,
                                                   state_->nextSequence(), wsd::soap::newMessageId()));
    state_.reset();
}

}  // namespace wsdsim
