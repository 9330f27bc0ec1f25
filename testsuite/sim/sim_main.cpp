// wsd-sim: a virtual WSD (WS-Scan) scanner for tests, benchmarks and demos.
// Command line, signals and wiring; see wsd-sim(1).
#include "control_api.h"
#include "device_router.h"
#include "discovery_responder.h"
#include "event_sender.h"
#include "http_server.h"
#include "interface_addresses.h"
#include "personality.h"
#include "sim_device.h"
#include "wsd/log.h"
#include "wsd/soap.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <netinet/in.h>
#include <sstream>
#include <pthread.h>
#include <stdexcept>
#include <string>
#include <vector>

using namespace wsdsim;

namespace {

struct Options {
    uint16_t port = 0;
    uint16_t controlPort = 0;
    std::vector<std::string> listen;
    std::vector<std::string> interfaces;
    std::string profile = "office-mfp";
    std::string uuid;
    std::string friendlyName;
    EndpointPaths paths;
    std::vector<std::pair<std::string, std::string>> knobs;
    DiscoveryOptions discovery;
    bool ns2009 = false;
    bool printerOnly = false;
    int verbosity = 0;
    std::string tlsCertFile;  // both set: the device speaks HTTPS
    std::string tlsKeyFile;
};

void usage(std::FILE *out)
{
    std::fprintf(out,
                 "usage: wsd-sim [options] [--KNOB[=VALUE]]...\n"
                 "  --port N              HTTP port of the device (default: any free port)\n"
                 "  --listen ADDR         listen address, repeatable (default: 127.0.0.1 and ::1)\n"
                 "  --interface IFACE     serve on IFACE's addresses and answer WS-Discovery there (multicast)\n"
                 "  --control-port N      control endpoint port on 127.0.0.1 (default: any free port)\n"
                 "  --profile FILE|NAME   capabilities: a profile (flatbed, office-mfp, ...), a device\n"
                 "                        personality (see --list-profiles), or a file\n"
                 "  --list-profiles       print the bundled profiles and personalities, then exit\n"
                 "  --uuid UUID           stable endpoint UUID (default: random)\n"
                 "  --name NAME           FriendlyName\n"
                 "  --device-path P       device endpoint path (default /wsd)\n"
                 "  --service-path P      scan service path (default /wsd/scan)\n"
                 "  --tls-cert FILE --tls-key FILE   serve the device over HTTPS (PEM files)\n"
                 "  --discovery-2009 --ignore-multicast-probe --no-xaddrs --printer-only\n"
                 "  --dnssd TYPE --dnssd-name NAME   discovery variants, see wsd-sim(1)\n"
                 "  -v                    log operations to stderr (-vv: more)\n"
                 "knobs:");
    for (const std::string &k : KnobBoard::names())
        std::fprintf(out, " --%s", k.c_str());
    std::fprintf(out, "\n");
}

void listProfiles()
{
    for (const Personality &p : bundledPersonalities())
        std::printf("%s\tpersonality on %s: %s (%s; %s)\n", p.name.c_str(), p.profile.c_str(), p.behaviour.c_str(),
                    p.devices.c_str(), p.source.c_str());
}

uint16_t parsePort(const std::string &text)
{
    auto v = wsd::xml::parseInt(text, 0, 65535);
    if (!v)
        throw std::runtime_error("not a port number: " + text);
    return static_cast<uint16_t>(*v);
}

bool isKnob(const std::string &name)
{
    for (const std::string &k : KnobBoard::names())
        if (k == name)
            return true;
    return false;
}

Options parseArgs(int argc, char **argv)
{
    Options o;
    KnobBoard probe;  // checks knob names and values while parsing
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            usage(stdout);
            std::exit(0);
        }
        if (arg == "--list-profiles") {
            listProfiles();
            std::exit(0);
        }
        if (arg == "-v" || arg == "--verbose") {
            ++o.verbosity;
            continue;
        }
        if (arg == "-vv") {
            o.verbosity += 2;
            continue;
        }
        if (arg.rfind("--", 0) != 0)
            throw std::runtime_error("unexpected argument: " + arg);
        std::string name = arg.substr(2);
        std::optional<std::string> inlineValue;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name.resize(eq);
        }
        auto flag = [&] {
            if (inlineValue)
                throw std::runtime_error("--" + name + " takes no value");
        };
        auto value = [&]() -> std::string {
            if (inlineValue)
                return *inlineValue;
            if (i + 1 >= argc)
                throw std::runtime_error("--" + name + " needs a value");
            return argv[++i];
        };
        if (name == "port") o.port = parsePort(value());
        else if (name == "control-port") o.controlPort = parsePort(value());
        else if (name == "listen") o.listen.push_back(value());
        else if (name == "interface") o.interfaces.push_back(value());
        else if (name == "profile") o.profile = value();
        else if (name == "uuid") o.uuid = value();
        else if (name == "name") o.friendlyName = value();
        else if (name == "device-path") o.paths.device = value();
        else if (name == "service-path") o.paths.service = value();
        else if (name == "tls-cert") o.tlsCertFile = value();
        else if (name == "tls-key") o.tlsKeyFile = value();
        else if (name == "discovery-2009") { flag(); o.ns2009 = true; }
        else if (name == "ignore-multicast-probe") { flag(); o.discovery.ignoreMulticastProbe = true; }
        else if (name == "no-xaddrs") { flag(); o.discovery.omitXAddrs = true; }
        else if (name == "printer-only") { flag(); o.printerOnly = true; }
        else if (name == "dnssd") o.discovery.dnssdTypes.push_back(value());
        else if (name == "dnssd-name") o.discovery.dnssdName = value();
        else if (isKnob(name)) {
            // A boolean knob alone means true; others take a value.
            std::string v;
            std::string error;
            if (inlineValue)
                v = *inlineValue;
            else if (probe.set(name, "true", nullptr))
                v = "true";
            else
                v = value();
            if (!probe.set(name, v, &error))
                throw std::runtime_error(error);
            o.knobs.emplace_back(name, v);
        } else {
            throw std::runtime_error("unknown option --" + name + " (see --help)");
        }
    }
    if (o.paths.device.empty() || o.paths.device[0] != '/' || o.paths.service.empty() || o.paths.service[0] != '/')
        throw std::runtime_error("endpoint paths must start with '/'");
    if (o.tlsCertFile.empty() != o.tlsKeyFile.empty())
        throw std::runtime_error("--tls-cert and --tls-key go together");
    return o;
}

// Where to listen: the given addresses, else the interfaces' addresses, else
// loopback only. Wildcards stay wildcards for binding; their URLs name the
// machine's real addresses.
std::vector<std::string> listenAddresses(const Options &o)
{
    if (!o.listen.empty())
        return o.listen;
    if (!o.interfaces.empty()) {
        std::vector<std::string> out;
        for (const std::string &iface : o.interfaces)
            for (const std::string &a : interfaceAddresses(iface))
                out.push_back(a);
        return out;
    }
    return {"127.0.0.1", "::1"};
}

std::vector<std::string> urlsFor(const std::vector<std::string> &addresses, uint16_t port, const std::string &path,
                                 const char *scheme)
{
    std::vector<std::string> urls;
    for (const std::string &a : addresses) {
        if (a == "0.0.0.0" || a == "::") {
            for (const std::string &real : familyAddresses(a == "::" ? AF_INET6 : AF_INET))
                urls.push_back(httpUrl(real, port, path, scheme));
        } else {
            urls.push_back(httpUrl(a, port, path, scheme));
        }
    }
    return urls;
}

std::string readTextFile(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string normaliseUuid(const std::string &uuid)
{
    if (uuid.empty())
        return "urn:uuid:" + wsd::soap::newUuid();
    if (uuid.rfind("urn:uuid:", 0) == 0 || uuid.rfind("uuid:", 0) == 0)
        return uuid;
    return "urn:uuid:" + uuid;
}

HttpReply notReady()
{
    HttpReply r;
    r.status = 503;
    return r;
}

HttpReply oversizeFault(const HttpRequest &)
{
    wsd::soap::Fault f{"Sender", "InvalidArgs", "The request body exceeds the size limit", ""};
    HttpReply r;
    r.contentType = "application/soap+xml; charset=utf-8";
    r.body = faultEnvelope("", f);
    return r;
}

int run(const Options &o)
{
    wsd::log::setLevel(o.verbosity == 0 ? wsd::log::Warning : o.verbosity == 1 ? wsd::log::Protocol : wsd::log::Detail);

    // Signals go to sigwait below, not to whichever thread happens to run.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    // A personality is a profile plus knobs; the command line's knobs win.
    std::optional<Personality> personality;
    if (std::string file = findPersonality(o.profile); !file.empty())
        personality = loadPersonalityFile(file);
    Profile profile = loadProfileFile(findProfile(personality ? personality->profile : o.profile));
    DeviceIdentity identity;
    identity.endpointUuid = normaliseUuid(o.uuid);
    identity.modelName = profile.scannerName;
    if (personality && !personality->manufacturer.empty())
        identity.manufacturer = personality->manufacturer;
    if (personality && !personality->model.empty())
        identity.modelName = personality->model;
    identity.ns2009 = o.ns2009;
    identity.printerOnly = o.printerOnly;
    std::string bareUuid = identity.endpointUuid.substr(identity.endpointUuid.rfind(':') + 1);
    identity.serialNumber = bareUuid.substr(bareUuid.size() > 12 ? bareUuid.size() - 12 : 0);
    identity.friendlyName = o.friendlyName.empty() ? profile.scannerName + " (wsd-sim)" : o.friendlyName;

    SimDevice device(std::move(profile), identity);
    if (personality)
        for (const auto &[name, value] : personality->knobs)
            device.knobs.set(name, value, nullptr);
    for (const auto &[name, value] : o.knobs)
        device.knobs.set(name, value, nullptr);

    // Requests that arrive before the URLs are known get 503.
    std::atomic<bool> ready{false};
    DeviceRouter router(device, o.paths);
    std::vector<std::string> addresses = listenAddresses(o);
    TlsPem tls;
    if (!o.tlsCertFile.empty()) {
        tls.certificate = readTextFile(o.tlsCertFile);
        tls.key = readTextFile(o.tlsKeyFile);
    }
    const char *scheme = tls.certificate.empty() ? "http" : "https";
    HttpServer server(
        addresses, o.port,
        [&](const HttpRequest &r) { return ready ? router.route(r) : notReady(); }, HttpServer::DefaultMaxBody,
        oversizeFault, tls);
    DiscoveryResponder discovery(device.log);
    DiscoveryIdentity discoveryIdentity;
    DiscoveryOptions discoveryOptions = o.discovery;
    // A reboot restarts discovery: Bye, then Hello with a new InstanceId.
    ControlApi control(device, [&] {
        discovery.stop();
        discovery.start(discoveryIdentity, o.interfaces, discoveryOptions);
    });
    HttpServer controlServer({"127.0.0.1"}, o.controlPort, [&](const HttpRequest &r) { return control.route(r); });

    device.identity.deviceUrls = urlsFor(addresses, server.port(), o.paths.device, scheme);
    device.identity.serviceUrls = urlsFor(addresses, server.port(), o.paths.service, scheme);
    if (device.identity.deviceUrls.empty())
        throw std::runtime_error("no address to serve on");
    EventSender events(device);
    ready = true;

    discoveryIdentity = {device.identity.endpointUuid, device.identity.deviceUrls, device.identity.ns2009,
                         device.identity.printerOnly, &device.knobs};
    discoveryOptions.dnssdPort = server.port();
    discovery.start(discoveryIdentity, o.interfaces, discoveryOptions);

    std::string line = "wsd-sim ready: device URL " + device.identity.deviceUrls.front() + " service URL " +
                       device.identity.serviceUrls.front() + " control URL " +
                       httpUrl("127.0.0.1", controlServer.port(), "") + " uuid " + device.identity.endpointUuid +
                       " port " + std::to_string(server.port()) + " control-port " +
                       std::to_string(controlServer.port()) + " profile " + device.profile.name;
    if (personality)
        line += " personality " + personality->name;
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);

    int received = 0;
    sigwait(&signals, &received);
    WSD_INFO("wsd-sim: signal %d, shutting down", received);
    discovery.stop();
    // Wake stalled and paced transfers first, so the HTTP threads can finish.
    device.jobs.stop();
    // WS-Eventing: subscribers that gave an EndTo hear SourceShuttingDown.
    events.shutdown();
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    try {
        return run(parseArgs(argc, argv));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "wsd-sim: %s\n", e.what());
        return 2;
    }
}
