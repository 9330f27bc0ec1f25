// wsd-discover: lists the WSD scanners discovery finds, the way the backend
// finds them, and prints wsd.conf lines for them (wsd-discover(1)).
#include "wsd/config.h"
#include "wsd/discovery.h"
#include "wsd/log.h"

#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

void usage(FILE *to)
{
    std::fputs("usage: wsd-discover [-v] [-t MS] [-i IFACE]... [-x IFACE]... [--no-multicast]\n"
               "  -v, --verbose          protocol trace on stderr (twice: whole messages)\n"
               "  -t, --timeout MS       how long to wait for answers (default 2000)\n"
               "  -i, --interface IFACE  probe on this interface only (repeatable)\n"
               "  -x, --exclude IFACE    never probe on this interface (repeatable)\n"
               "      --no-multicast     no WS-Discovery multicast; Avahi-directed probes only\n"
               "  -h, --help             this text\n",
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

}  // namespace

int main(int argc, char **argv)
{
    wsd::log::init();
    wsd::Config config = wsd::loadConfig();
    // Running the discovery tool asks for discovery, whatever wsd.conf or
    // SANE_WSD_DISCOVERY say for the backend.
    config.discovery = true;
    config.discoveryTimeoutMs = 2000;
    int verbosity = 0;

    enum { NoMulticast = 1000 };
    static const option longOptions[] = {
        {"verbose", no_argument, nullptr, 'v'},        {"timeout", required_argument, nullptr, 't'},
        {"interface", required_argument, nullptr, 'i'}, {"exclude", required_argument, nullptr, 'x'},
        {"no-multicast", no_argument, nullptr, NoMulticast}, {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    bool interfacesGiven = false;
    for (int c; (c = getopt_long(argc, argv, "vt:i:x:h", longOptions, nullptr)) != -1;) {
        switch (c) {
        case 'v':
            ++verbosity;
            break;
        case 't': {
            char *end = nullptr;
            long ms = std::strtol(optarg, &end, 10);
            if (*end || ms < 0 || ms > 600000) {
                std::fprintf(stderr, "wsd-discover: bad timeout '%s'\n", optarg);
                return 2;
            }
            config.discoveryTimeoutMs = static_cast<int>(ms);
            break;
        }
        case 'i':
            if (!interfacesGiven)
                config.interfaces.clear();
            interfacesGiven = true;
            config.interfaces.emplace_back(optarg);
            break;
        case 'x':
            config.excludedInterfaces.emplace_back(optarg);
            break;
        case NoMulticast:
            config.multicast = false;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    if (verbosity > 0)
        wsd::log::setLevel(verbosity == 1 ? wsd::log::Protocol : wsd::log::Detail);

    wsd::Discovery discovery(config);
    discovery.start();
    const std::vector<wsd::DiscoveredDevice> devices = discovery.devices();
    if (devices.empty()) {
        std::fputs("wsd-discover: no WSD scanner found\n", stderr);
        return 1;
    }
    for (const wsd::DiscoveredDevice &d : devices) {
        std::printf("%s\n", confName(d.friendlyName.empty() ? d.model : d.friendlyName).c_str());
        std::printf("  model:        %s %s\n", d.manufacturer.c_str(), d.model.c_str());
        std::printf("  UUID:         %s\n", d.endpointUuid.c_str());
        for (const std::string &u : d.deviceUrls)
            std::printf("  device URL:   %s\n", u.c_str());
        for (const std::string &u : d.scanServiceUrls)
            std::printf("  scan service: %s\n", u.c_str());
        std::printf("  found by:     %s\n\n", d.foundBy.c_str());
    }
    std::printf("# wsd.conf lines (see sane-wsd(5)):\n");
    for (const wsd::DiscoveredDevice &d : devices) {
        const std::string &url = d.deviceUrls.empty() ? d.scanServiceUrls.front() : d.deviceUrls.front();
        std::printf("device \"%s\" %s\n", confName(d.friendlyName.empty() ? d.model : d.friendlyName).c_str(),
                    url.c_str());
    }
    return 0;
}
