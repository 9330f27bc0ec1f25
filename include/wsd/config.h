// wsd.conf and the environment variables that override it (sane-wsd(5)).
#pragma once

#include "wsd/http.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wsd {

struct ManualDevice {
    std::string name;  // shown as the SANE model when metadata has none
    std::string url;   // device endpoint (metadata) or scan service URL, or a host
                       // (HOST, HOST:PORT) where the endpoint is to be found
};

// "quirk NAME PAIRS": per-device switches of the quirks table (sane-wsd(5)).
struct QuirkOverride {
    std::string device;  // the SANE device name (wsd.conf name or endpoint UUID)
    std::string pairs;   // e.g. "rotate-back-side=on, scan-path=off"
};

struct Config {
    std::vector<ManualDevice> devices;
    std::vector<QuirkOverride> quirks;
    bool discovery = true;        // any automatic discovery (multicast, Avahi)
    bool multicast = true;        // WS-Discovery multicast probes and Hello/Bye
    bool discoveryCache = true;   // list the devices of the last discovery once they answer a check
    bool cups = true;             // directed probes to CUPS's network print queues' hosts
                                  // (has no effect in a build --without-cups)
    std::vector<std::string> interfaces;          // empty: every suitable one
    std::vector<std::string> excludedInterfaces;
    int discoveryTimeoutMs = 1000;  // first sane_get_devices waits at most this
    int connectTimeoutMs = 5000;
    int requestTimeoutMs = 30000;   // a SOAP exchange that is not an image
    int stallTimeoutMs = 60000;     // an image transfer with no byte for this long fails
    int cancelTimeoutMs = 2000;     // CancelJob gets this long
    // Every request of sane_open (metadata, capabilities, orphan cancels)
    // and of sane_start (status, ticket, CreateScanJob, RetrieveImage until
    // its body begins) ends within these, however many addresses and
    // services the device lists.
    int openDeadlineMs = 30000;
    int startDeadlineMs = 120000;
    // sane_start waits this long for a device that winds a cancelled job
    // down (Terminating) and refuses new jobs meanwhile.
    int busyWaitMs = 10000;
    // sane_start asks a scanner that refuses jobs while it calibrates or
    // warms its lamp again for up to this long (warm-up-wait).
    int warmUpWaitMs = 30000;
    bool tlsVerify = false;         // devices use self-signed certificates
    std::string traceDir;           // protocol trace: one file per message
    // Our name on the scanner's panel for scans started there (WS-Scan
    // ClientDisplayName): empty for the host name, "off" for no panel scans.
    std::string pushDestination;
    // Set by sane_init, not read from wsd.conf: the connections every
    // request of this backend instance shares (httpOptions() hands it on).
    std::shared_ptr<http::ConnectionPool> connections;
    std::vector<std::string> sources;  // files that were read, for the log
};

// Parses wsd.conf text. Bad lines are logged as warnings naming
// fileName:line and skipped.
void parseConfig(Config &config, std::string_view text, const std::string &fileName);

// Applies SANE_WSD_DEVICE, SANE_WSD_DISCOVERY, SANE_WSD_MULTICAST,
// SANE_WSD_CUPS and SANE_WSD_TRACE on top of what the file said.
void applyEnvironment(Config &config);

// Finds wsd.conf through SANE_CONFIG_DIR (SANE's rules: a list separated by
// ':'; a trailing ':' appends the built-in directory) and reads it, then
// applies the environment.
Config loadConfig();

// The HTTP settings for talking to devices: wsd.conf's timeouts, TLS
// verification and protocol trace.
http::Options httpOptions(const Config &config);
// The same for the short requests around a cancel (CancelJob, reading a
// cancelled job's end state, the orphan sweep): cancel-timeout bounds both
// connecting and the whole exchange.
http::Options cancelHttpOptions(const Config &config);

}  // namespace wsd
