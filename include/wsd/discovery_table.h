// The backend's knowledge of WS-Discovery endpoints, without sockets,
// threads or a clock of its own: messages (Hello, Bye, ProbeMatches,
// ResolveMatches, each with where it came from), metadata answers and the
// time go in; decisions come out: which endpoints are listed, which need a
// Resolve, a metadata Get or a host-name lookup. Discovery (discovery.cpp)
// owns the sockets and threads and feeds it under its lock.
//
// Trust (WS-Discovery has no authentication, so anyone on the LAN can
// announce anything): XAddrs pass LocalLinks' checks; once an endpoint is
// known, a Bye or new XAddrs count only from one of its known hosts (its
// XAddrs' addresses and the sender that introduced it). From any other host
// they are held while a metadata Get to the known XAddrs checks the device:
// if it answers there, they are dropped; if not, they take effect.
//
// EndpointTable's implementation is over 250 lines because every such rule
// lives here, one state machine per endpoint, where unit tests reach it.
#pragma once

#include "wsd/discovery.h"
#include "wsd/discovery_links.h"
#include "wsd/discovery_message.h"
#include "wsd/metadata.h"

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wsd::discovery {

using Clock = std::chrono::steady_clock;

// What the loop has to do for the table.
struct Work {
    enum class Kind { MetadataGet, ResolveHost } kind;
    std::string endpoint;  // endpoint address
    std::string url;       // the Get's URL, or the XAddr whose host is looked up
};

struct ResolveDue {
    std::string endpoint;
    Version version;
};

class EndpointTable {
public:
    explicit EndpointTable(LocalLinks links = LocalLinks()) : links_(std::move(links)) {}

    // Our interfaces' networks, which XAddrs are checked against.
    void setLocalLinks(LocalLinks links) { links_ = std::move(links); }

    // Discovery started, or something happened outside the table (a
    // directed probe answered or failed): the quiet time counts from now.
    void noteActivity(Clock::time_point now) { lastActivity_ = now; }

    // Our own multicast probes and resolves, so that answers can be matched.
    void probeSent(const std::string &messageId, const std::string &foundBy) { probes_[messageId] = foundBy; }
    void resolveSent(const std::string &messageId, const std::string &endpoint) { resolves_[messageId] = endpoint; }

    // A parsed message. directedBy: "avahi" for the answer to a directed
    // probe (no MessageID of ours to match), "" otherwise.
    void onMessage(const Message &m, const Source &from, const std::string &directedBy, Clock::time_point now);
    // A metadata Get's outcome (nullopt: failed).
    void onMetadata(const std::string &endpoint, const std::string &url, const std::optional<DeviceMetadata> &metadata,
                    Clock::time_point now);
    // A host-name lookup for an XAddr (empty: not found). Addresses may
    // carry a zone ("fe80::2%lab0").
    void onHostResolved(const std::string &endpoint, const std::string &url, const std::vector<std::string> &addresses,
                        Clock::time_point now);
    // Whether a host Avahi found gets a directed probe: each once, bounded,
    // and only an address on one of our links (mDNS answers are as
    // unauthenticated as WS-Discovery). `zone`: the interface Avahi saw it on.
    bool admitAvahiHost(const std::string &address, const std::string &zone, Clock::time_point now);
    // Whether the host of CUPS queue `queue` gets a directed probe: each
    // host once, bounded. Unlike Avahi's, it may be off our links (a queue
    // is set up by the administrator, like a wsd.conf line, often by address
    // on another subnet), but never loopback or this machine. Either way the
    // queue's name goes with every endpoint at that host in listed().
    bool admitPrintQueueHost(const std::string &address, const std::string &zone, const std::string &queue,
                             Clock::time_point now);

    // Resolves to send now; canResolve false (no interface to multicast on)
    // gives those endpoints up. *nextMs: when to ask again (-1: never).
    std::vector<ResolveDue> dueResolves(Clock::time_point now, bool canResolve, int *nextMs);
    std::vector<Work> takeWork();

    std::vector<DiscoveredDevice> listed() const;
    // Something is still being resolved or fetched.
    bool busy() const;
    // Bumped whenever the listed set changes.
    unsigned long generation() const { return generation_; }
    Clock::time_point lastActivity() const { return lastActivity_; }

private:
    enum class State { Resolving, Fetching, Listed, NotScanner, Failed };
    // An announcement from a host the endpoint does not know, waiting for
    // the check of its known XAddrs.
    struct Held {
        bool bye = false;
        std::vector<std::string> xaddrs;  // replacement XAddrs (empty: none)
        Source source;
        AppSequence sequence;
        std::vector<xml::QName> types;
    };
    struct Endpoint {
        std::string address;
        Version version = Version::V2005;
        std::vector<xml::QName> types;
        std::vector<std::string> xaddrs;
        unsigned long metadataVersion = 0;
        AppSequence sequence;
        std::string foundBy;
        Source source;                   // of the message that gave the XAddrs
        std::vector<std::string> hosts;  // known hosts: that source, the XAddrs' addresses
        Held held;
        bool verifying = false;  // a Get checks the known XAddrs; the state is unchanged meanwhile
        State state = State::Resolving;
        int resolveAttempts = 0;
        Clock::time_point nextResolve;
        std::size_t xaddrTried = 0;
        std::string friendlyName, manufacturer, model;
        std::vector<std::string> scanServiceUrls;
    };

    bool admitNewEndpoint(bool unsolicited, Clock::time_point now);
    void upsert(const discovery::Endpoint &incoming, const Message &m, const Source &from, const std::string &foundBy,
                Clock::time_point now);
    void fetchMetadata(Endpoint &e);
    void fetchFailed(Endpoint &e);
    void startCheck(Endpoint &e);
    void learnHosts(Endpoint &e, const std::vector<std::string> &urls);
    bool knownHost(const Endpoint &e, const std::string &address) const;
    void onBye(const Message &m, const Source &from, Clock::time_point now);

    std::map<std::string, Endpoint> endpoints_;
    std::map<std::string, std::string> probes_;    // MessageID -> how the answer counts as found
    std::map<std::string, std::string> resolves_;  // MessageID -> endpoint address
    std::set<std::string> avahiHosts_;
    std::map<std::string, std::vector<std::string>> queuesByHost_;  // CUPS queues by host address
    std::vector<Work> work_;
    LocalLinks links_;
    unsigned long generation_ = 0;
    Clock::time_point lastActivity_;
    Clock::time_point rateWindow_;
    int newInWindow_ = 0;
};

}  // namespace wsd::discovery
