// wsd-sim's WS-Discovery side: answers Probe and Resolve (UDP multicast,
// UDP unicast, and the directed Probe over HTTP), announces Hello at start
// and Bye at stop, and can publish DNS-SD records through Avahi. Every
// Probe and Resolve it receives over UDP, and every Hello and Bye it sends,
// becomes an entry of the device's event log (/log), which is what tests
// assert on.
//
// Safe by default: the UDP responder runs only on interfaces it is given by
// name; with none it opens no socket and sends nothing.
//
// Command-line options wsd-sim passes through (sim_main.cpp):
//   --interface IFACE           (repeatable) enables UDP discovery on IFACE
//   --discovery-2009            speak WS-Discovery 2009/01 instead of 2005/04
//   --ignore-multicast-probe    answer only unicast/directed probes
//   --no-xaddrs                 ProbeMatches and Hello without XAddrs (clients must Resolve)
//   --printer-only              announce wprt:PrintDeviceType, not wscn:ScanDeviceType
//   --dnssd TYPE                (repeatable) publish TYPE (e.g. _uscan._tcp) through Avahi
//   --dnssd-name NAME           DNS-SD instance name (default "wsd-sim <uuid>")
#pragma once

#include "wsd/discovery_message.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace wsdsim {

class KnobBoard;

struct DiscoveryIdentity {
    std::string endpointUuid;  // urn:uuid:...
    std::vector<std::string> xaddrs;  // device (metadata) URLs
    bool ns2009 = false;
    bool printerOnly = false;  // Types say printer, not scanner
    // The device's knobs, read at each answer (printer-match-first), or none.
    const KnobBoard *knobs = nullptr;
};

// Answers a WS-Discovery Probe received over HTTP POST (directed probe);
// returns the ProbeMatches envelope, or empty if the message is not a Probe
// that matches.
std::string answerHttpProbe(const DiscoveryIdentity &id, std::string_view requestBody);

struct DiscoveryOptions {
    bool ignoreMulticastProbe = false;
    bool omitXAddrs = false;
    std::vector<std::string> dnssdTypes;
    std::string dnssdName;
    std::uint16_t dnssdPort = 0;  // the HTTP port the DNS-SD records advertise
    int maxReplyDelayMs = 250;    // answers wait a random 0..this (WS-Discovery APP_MAX_DELAY, shortened)
};

// What the responder does with a Probe or Resolve that reached it over UDP:
// the reply to send (empty: none) and the /log outcome: "ok" (answered),
// "no-match" (another type or endpoint), "ignored:version" (the other
// WS-Discovery version), "ignored:multicast-probe" (--ignore-multicast-probe).
struct UdpAnswer {
    std::string outcome;
    std::string reply;
};
UdpAnswer answerDatagram(const DiscoveryIdentity &id, const DiscoveryOptions &options,
                         const wsd::discovery::Message &m, bool toMulticast, wsd::discovery::AppSequence sequence);

// The /log operation of a Probe or Resolve by the way it came:
// "Probe (UDP multicast)", "Resolve (UDP unicast)", "Probe (HTTP)".
std::string discoveryOperation(wsd::discovery::Kind kind, const char *transport);

class AvahiPublisher;
class EventLog;

class DiscoveryResponder {
public:
    explicit DiscoveryResponder(EventLog &log);
    ~DiscoveryResponder();  // stop()
    DiscoveryResponder(const DiscoveryResponder &) = delete;
    DiscoveryResponder &operator=(const DiscoveryResponder &) = delete;

    // Opens port 3702 (shared) on the named interfaces, sends Hello, starts
    // answering. Throws std::runtime_error when a named interface is missing
    // or no socket could be opened. No interfaces: does nothing at all.
    void start(const DiscoveryIdentity &identity, const std::vector<std::string> &interfaces,
               const DiscoveryOptions &options);
    // Sends Bye, stops the thread, withdraws DNS-SD records. Idempotent.
    void stop();

private:
    struct State;
    void run();

    EventLog &log_;
    std::unique_ptr<State> state_;
    std::unique_ptr<AvahiPublisher> publisher_;
    std::thread thread_;
    // WS-Discovery AppSequence: every start (a reboot) announces a higher InstanceId.
    unsigned long lastInstanceId_ = 0;
};

}  // namespace wsdsim
