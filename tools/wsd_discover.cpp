// wsd-discover: lists the WSD scanners discovery finds, the way the backend
// finds them, and prints wsd.conf lines for them (wsd-discover(1)).
#include "device_capture.h"
#include "wsd/config.h"
#include "wsd/device_locator.h"
#include "wsd/directed_probe.h"
#include "wsd/discovery.h"
#include "wsd/log.h"
#include "wsd/url.h"
#include "wsd/wsscan_client.h"

#include <getopt.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace {

void usage(FILE *to)
{
    std::fputs("usage: wsd-discover [-v] [-t MS] [-i IFACE]... [-x IFACE]... [--no-multicast] [--no-cups] [-w MS]\n"
               "       wsd-discover [-v] [-t MS] HOST|HOST:PORT|URL\n"
               "       wsd-discover [-v] [-t MS] --capture DIR HOST|HOST:PORT|URL\n"
               "  -v, --verbose          protocol trace on stderr (twice: whole messages)\n"
               "  -t, --timeout MS       how long to wait for answers (default 2000)\n"
               "  -i, --interface IFACE  probe on this interface only (repeatable)\n"
               "  -x, --exclude IFACE    never probe on this interface (repeatable)\n"
               "      --no-multicast     no WS-Discovery multicast; Avahi- and CUPS-directed probes only\n"
               "      --no-cups          no directed probes to the hosts of CUPS's print queues\n"
               "  -w, --watch MS         then keep listening this long, printing devices that\n"
               "                         appear (Hello), move or go (Bye)\n"
               "  -h, --help             this text\n"
               "      --capture DIR      save this device's metadata, scanner elements and\n"
               "                         the tickets it accepts in DIR (new or empty), with\n"
               "                         addresses and serial numbers masked, for a bug report\n"
               "  HOST, HOST:PORT, URL   no discovery: directed probes to this device only\n",
               to);
}

// wsd.conf quotes the name with double quotes; a device name cannot carry one.
std::string confName(std::string name)
{
    for (char &c : name)
        if (c == '"' || c == '\n' || c == '\r')
            c = '\'';
    return name.empty() ? "WSD scanner" : name;
}

bool parseMs(const char *text, int &ms)
{
    char *end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (*end || value < 0 || value > 24L * 3600 * 1000)
        return false;
    ms = static_cast<int>(value);
    return true;
}

std::string displayName(const wsd::DiscoveredDevice &d)
{
    return confName(d.friendlyName.empty() ? d.model : d.friendlyName);
}

std::string firstUrl(const wsd::DiscoveredDevice &d)
{
    return d.deviceUrls.empty() ? d.scanServiceUrls.front() : d.deviceUrls.front();
}

// One device named by host or URL, found the way the backend finds a
// `device NAME HOST|URL` line's device: directed probes. Nullopt and
// *exitStatus set when the target is malformed or nothing answers.
std::optional<wsd::DeviceRecord> locateTarget(const wsd::Config &config, const std::string &target, int *exitStatus)
{
    wsd::DeviceRecord record;
    if (wsd::url::isHostForm(target))
        record.host = target;
    else if (wsd::discovery::isHttpUrl(target))
        record.deviceUrls = {target};
    else {
        std::fprintf(stderr, "wsd-discover: '%s' is neither a host nor an http(s) URL\n", target.c_str());
        *exitStatus = 2;
        return std::nullopt;
    }
    wsd::http::Options options = wsd::httpOptions(config);
    options.connectTimeoutMs = options.timeoutMs = config.discoveryTimeoutMs;
    wsd::locateDevice(record, options);
    if (record.deviceUrls.empty()) {
        std::fprintf(stderr, "wsd-discover: no WSD scanner answers on %s\n", target.c_str());
        *exitStatus = 1;
        return std::nullopt;
    }
    return record;
}

// The located device's metadata, printed with its wsd.conf line.
int describeOne(const wsd::Config &config, const wsd::DeviceRecord &record)
{
    wsd::http::Options options = wsd::httpOptions(config);
    options.connectTimeoutMs = options.timeoutMs = config.discoveryTimeoutMs;
    const std::string &url = record.deviceUrls.front();
    auto metadata = wsd::wsscan::Client(options).call(wsd::wsscan::getMetadata(wsd::metadataTo(record, url), url));
    if (!metadata) {
        std::fprintf(stderr, "wsd-discover: %s: no device metadata: %s\n", url.c_str(), metadata.error.c_str());
        return 1;
    }
    std::string name = confName(metadata->friendlyName.empty() ? metadata->model : metadata->friendlyName);
    std::printf("%s\n", name.c_str());
    std::printf("  model:        %s %s\n", metadata->manufacturer.c_str(), metadata->model.c_str());
    std::printf("  UUID:         %s\n", record.endpointUuid.c_str());
    for (const std::string &u : record.deviceUrls)
        std::printf("  device URL:   %s\n", u.c_str());
    for (const std::string &u : metadata->scanServiceUrls())
        std::printf("  scan service: %s\n", u.c_str());
    std::printf("\n# wsd.conf line (see sane-wsd(5)):\ndevice \"%s\" %s\n", name.c_str(), url.c_str());
    return 0;
}

// Follows the list as Hello and Bye change it, one line per change.
void watch(wsd::Discovery &discovery, std::vector<wsd::DiscoveredDevice> known, int watchMs)
{
    std::printf("watching for %d ms\n", watchMs);
    std::fflush(stdout);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(watchMs);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !discovery.waitForChange(static_cast<int>(left.count())))
            break;
        std::vector<wsd::DiscoveredDevice> now = discovery.devices();
        auto has = [](const std::vector<wsd::DiscoveredDevice> &list, const std::string &uuid) {
            return std::any_of(list.begin(), list.end(),
                               [&](const wsd::DiscoveredDevice &d) { return d.endpointUuid == uuid; });
        };
        for (const wsd::DiscoveredDevice &d : now) {
            auto before = std::find_if(known.begin(), known.end(),
                                       [&](const wsd::DiscoveredDevice &k) { return k.endpointUuid == d.endpointUuid; });
            if (before == known.end())
                std::printf("appeared %s \"%s\" %s (%s)\n", d.endpointUuid.c_str(), displayName(d).c_str(),
                            firstUrl(d).c_str(), d.foundBy.c_str());
            else if (firstUrl(*before) != firstUrl(d))
                std::printf("moved %s \"%s\" %s\n", d.endpointUuid.c_str(), displayName(d).c_str(),
                            firstUrl(d).c_str());
        }
        for (const wsd::DiscoveredDevice &d : known)
            if (!has(now, d.endpointUuid))
                std::printf("gone %s \"%s\"\n", d.endpointUuid.c_str(), displayName(d).c_str());
        std::fflush(stdout);
        known = std::move(now);
    }
}

}  // namespace

int main(int argc, char **argv)
{
    wsd::log::init();
    wsd::Config config = wsd::loadConfig();
    // Running the discovery tool asks for discovery, whatever wsd.conf or
    // SANE_WSD_DISCOVERY say for the backend.
    config.discovery = true;
    // It shows what is on the network now, not what was there before.
    config.discoveryCache = false;
    config.discoveryTimeoutMs = 2000;
    int verbosity = 0;

    enum { NoMulticast = 1000, NoCups, Capture };
    static const option longOptions[] = {
        {"verbose", no_argument, nullptr, 'v'},        {"timeout", required_argument, nullptr, 't'},
        {"interface", required_argument, nullptr, 'i'}, {"exclude", required_argument, nullptr, 'x'},
        {"no-multicast", no_argument, nullptr, NoMulticast}, {"no-cups", no_argument, nullptr, NoCups},
        {"watch", required_argument, nullptr, 'w'},
        {"capture", required_argument, nullptr, Capture}, {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    bool interfacesGiven = false;
    int watchMs = -1;
    const char *captureDir = nullptr;
    for (int c; (c = getopt_long(argc, argv, "vt:i:x:w:h", longOptions, nullptr)) != -1;) {
        switch (c) {
        case 'v':
            ++verbosity;
            break;
        case 't':
        case 'w':
            if (!parseMs(optarg, c == 't' ? config.discoveryTimeoutMs : watchMs)) {
                std::fprintf(stderr, "wsd-discover: bad time '%s'\n", optarg);
                return 2;
            }
            break;
        case 'i':
            if (!interfacesGiven)
                config.interfaces.clear();
            interfacesGiven = true;
            config.interfaces.emplace_back(optarg);
            break;
        case 'x':
            config.excludedInterfaces.emplace_back(optarg);
            break;
        case Capture:
            captureDir = optarg;
            break;
        case NoMulticast:
            config.multicast = false;
            break;
        case NoCups:
            config.cups = false;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind + 1 < argc || (optind < argc && watchMs >= 0) || (captureDir && (optind == argc || watchMs >= 0))) {
        usage(stderr);
        return 2;
    }
    if (verbosity > 0)
        wsd::log::setLevel(verbosity == 1 ? wsd::log::Protocol : wsd::log::Detail);
    if (optind < argc) {
        // A capture never mixes with other files: DIR is checked first.
        if (captureDir && !prepareCaptureDirectory(captureDir))
            return 2;
        int status = 0;
        std::optional<wsd::DeviceRecord> record = locateTarget(config, argv[optind], &status);
        if (!record)
            return status;
        return captureDir ? captureDevice(config, *record, argv[optind], captureDir) : describeOne(config, *record);
    }

    wsd::Discovery discovery(config);
    discovery.start();
    const std::vector<wsd::DiscoveredDevice> devices = discovery.devices();
    if (devices.empty() && watchMs < 0) {
        std::fputs("wsd-discover: no WSD scanner found\n", stderr);
        return 1;
    }
    for (const wsd::DiscoveredDevice &d : devices) {
        std::printf("%s\n", displayName(d).c_str());
        std::printf("  model:        %s %s\n", d.manufacturer.c_str(), d.model.c_str());
        std::printf("  UUID:         %s\n", d.endpointUuid.c_str());
        for (const std::string &u : d.deviceUrls)
            std::printf("  device URL:   %s\n", u.c_str());
        for (const std::string &u : d.scanServiceUrls)
            std::printf("  scan service: %s\n", u.c_str());
        for (const std::string &q : d.printQueues)
            std::printf("  CUPS queue:   %s\n", q.c_str());
        std::printf("  found by:     %s\n\n", d.foundBy.c_str());
    }
    if (!devices.empty())
        std::printf("# wsd.conf lines (see sane-wsd(5)):\n");
    for (const wsd::DiscoveredDevice &d : devices)
        std::printf("device \"%s\" %s\n", displayName(d).c_str(), firstUrl(d).c_str());
    if (watchMs >= 0)
        watch(discovery, devices, watchMs);
    return 0;
}
