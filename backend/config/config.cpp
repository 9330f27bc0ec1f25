#include "wsd/config.h"

#include "wsd/log.h"
#include "wsd/quirks.h"
#include "wsd/small_file.h"
#include "wsd/strings.h"
#include "wsd/url.h"

#include <cstdlib>

#ifndef WSD_SANE_CONFDIR
#define WSD_SANE_CONFDIR "/etc/sane.d"
#endif

namespace wsd {

namespace {

bool parseSwitch(std::string_view v, bool &out)
{
    if (v == "on" || v == "yes" || v == "true" || v == "1") {
        out = true;
        return true;
    }
    if (v == "off" || v == "no" || v == "false" || v == "0") {
        out = false;
        return true;
    }
    return false;
}

bool parseMs(std::string_view v, int &out)
{
    std::string s(v);
    char *end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || n < 1 || n > 3600 * 1000)
        return false;
    out = static_cast<int>(n);
    return true;
}

bool isHttpUrl(std::string_view text)
{
    return url::parse(std::string(text)).has_value();
}

// An http(s) URL, or a host alone whose WSD endpoint directed probes find.
bool isDeviceAddress(std::string_view text)
{
    return isHttpUrl(text) || url::isHostForm(std::string(text));
}

// "device <name> <url or host>": the name may be quoted to hold spaces.
bool parseDevice(std::string_view rest, ManualDevice &out)
{
    rest = trim(rest);
    std::string name;
    if (!rest.empty() && rest.front() == '"') {
        std::size_t close = rest.find('"', 1);
        if (close == std::string_view::npos)
            return false;
        name = std::string(rest.substr(1, close - 1));
        rest = trim(rest.substr(close + 1));
    } else {
        std::size_t space = rest.find_first_of(" \t");
        if (space == std::string_view::npos)
            return false;
        name = std::string(rest.substr(0, space));
        rest = trim(rest.substr(space));
    }
    if (name.empty() || rest.empty() || rest.find_first_of(" \t") != std::string_view::npos ||
        !isDeviceAddress(rest))
        return false;
    out.name = name;
    out.url = std::string(rest);
    return true;
}

// One "key = value" setting; returns false when key or value is not known.
bool applySetting(Config &config, std::string_view key, std::string_view value)
{
    if (key == "discovery")
        return parseSwitch(value, config.discovery);
    if (key == "multicast")
        return parseSwitch(value, config.multicast);
    if (key == "discovery-cache")
        return parseSwitch(value, config.discoveryCache);
    if (key == "cups")
        return parseSwitch(value, config.cups);
    if (key == "tls-verify")
        return parseSwitch(value, config.tlsVerify);
    if (key == "interface" || key == "exclude-interface") {
        if (value.empty() || value.find_first_of(" \t") != std::string_view::npos)
            return false;
        (key == "interface" ? config.interfaces : config.excludedInterfaces).emplace_back(value);
        return true;
    }
    if (key == "discovery-timeout")
        return parseMs(value, config.discoveryTimeoutMs);
    if (key == "connect-timeout")
        return parseMs(value, config.connectTimeoutMs);
    if (key == "request-timeout")
        return parseMs(value, config.requestTimeoutMs);
    if (key == "stall-timeout")
        return parseMs(value, config.stallTimeoutMs);
    if (key == "cancel-timeout")
        return parseMs(value, config.cancelTimeoutMs);
    if (key == "open-deadline")
        return parseMs(value, config.openDeadlineMs);
    if (key == "start-deadline")
        return parseMs(value, config.startDeadlineMs);
    if (key == "busy-wait")
        return parseMs(value, config.busyWaitMs);
    if (key == "warm-up-wait")
        return parseMs(value, config.warmUpWaitMs);
    if (key == "push-destination") {
        // WS-Scan bounds ClientDisplayName at 255 characters.
        if (value.empty() || value.size() > 255)
            return false;
        config.pushDestination = std::string(value);
        return true;
    }
    if (key == "trace") {
        if (value.empty())
            return false;
        config.traceDir = std::string(value);
        return true;
    }
    return false;
}

// A wsd.conf is a few lines; this bounds what a stray file can make us hold.
constexpr std::size_t MaxConfigBytes = 1024 * 1024;

}  // namespace

void parseConfig(Config &config, std::string_view text, const std::string &fileName)
{
    int lineNo = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++lineNo;
        if (std::size_t hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        line = trim(line);
        if (line.empty())
            continue;

        bool ok;
        if (line.rfind("quirk", 0) == 0 && line.size() > 5 && isSpace(line[5])) {
            std::string_view rest = trim(line.substr(5));
            std::size_t space = rest.find_first_of(" \t");
            Quirks scratch;
            std::string error;
            ok = space != std::string_view::npos &&
                 applyQuirkOverrides(scratch, trim(rest.substr(space)), &error);
            if (ok)
                config.quirks.push_back({std::string(rest.substr(0, space)), std::string(trim(rest.substr(space)))});
            else if (!error.empty())
                WSD_WARN("%s:%d: %s", fileName.c_str(), lineNo, error.c_str());
        } else if (line.rfind("device", 0) == 0 && line.size() > 6 && isSpace(line[6])) {
            ManualDevice device;
            ok = parseDevice(line.substr(6), device);
            if (ok)
                config.devices.push_back(device);
        } else {
            std::size_t eq = line.find('=');
            ok = eq != std::string_view::npos &&
                 applySetting(config, trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
        }
        if (!ok)
            WSD_WARN("%s:%d: ignoring unrecognised line: %.*s", fileName.c_str(), lineNo,
                     static_cast<int>(line.size()), line.data());
    }
}

void applyEnvironment(Config &config)
{
    if (const char *v = std::getenv("SANE_WSD_DISCOVERY"); v && *v) {
        if (!parseSwitch(v, config.discovery))
            WSD_WARN("SANE_WSD_DISCOVERY=%s: expected on or off", v);
    }
    if (const char *v = std::getenv("SANE_WSD_MULTICAST"); v && *v) {
        if (!parseSwitch(v, config.multicast))
            WSD_WARN("SANE_WSD_MULTICAST=%s: expected on or off", v);
    }
    if (const char *v = std::getenv("SANE_WSD_CUPS"); v && *v) {
        if (!parseSwitch(v, config.cups))
            WSD_WARN("SANE_WSD_CUPS=%s: expected on or off", v);
    }
    if (const char *v = std::getenv("SANE_WSD_TRACE"); v && *v)
        config.traceDir = v;
    // SANE_WSD_DEVICE: entries separated by ';', each "URL" or "NAME=URL".
    if (const char *v = std::getenv("SANE_WSD_DEVICE"); v && *v) {
        std::string_view all(v);
        int index = 0;
        while (!all.empty()) {
            std::size_t semi = all.find(';');
            std::string_view entry = trim(all.substr(0, semi));
            all = semi == std::string_view::npos ? std::string_view() : all.substr(semi + 1);
            if (entry.empty())
                continue;
            ManualDevice device;
            std::size_t eq = entry.find('=');
            std::size_t scheme = entry.find("://");
            if (eq != std::string_view::npos && (scheme == std::string_view::npos || eq < scheme)) {
                device.name = std::string(trim(entry.substr(0, eq)));
                device.url = std::string(trim(entry.substr(eq + 1)));
            } else {
                device.name = "env" + std::to_string(index);
                device.url = std::string(entry);
            }
            ++index;
            if (device.name.empty() || !isDeviceAddress(device.url)) {
                WSD_WARN("SANE_WSD_DEVICE: ignoring '%.*s' (expected URL, NAME=URL or NAME=HOST)",
                         static_cast<int>(entry.size()), entry.data());
                continue;
            }
            config.devices.push_back(device);
        }
    }
}

Config loadConfig()
{
    Config config;
    std::string dirs;
    if (const char *env = std::getenv("SANE_CONFIG_DIR"); env && *env) {
        dirs = env;
        if (dirs.back() == ':')
            dirs += WSD_SANE_CONFDIR;
    } else {
        dirs = WSD_SANE_CONFDIR;
    }
    std::string_view rest(dirs);
    while (!rest.empty()) {
        std::size_t colon = rest.find(':');
        std::string dir(rest.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        if (dir.empty())
            continue;
        std::string path = dir + "/wsd.conf";
        std::optional<std::string> text = readSmallFile(path, MaxConfigBytes);
        if (!text)
            continue;
        WSD_INFO("reading %s", path.c_str());
        parseConfig(config, *text, path);
        config.sources.push_back(path);
        break;
    }
    if (config.sources.empty())
        WSD_INFO("no wsd.conf found in %s; using defaults", dirs.c_str());
    applyEnvironment(config);
    return config;
}

http::Options httpOptions(const Config &config)
{
    http::Options o;
    o.connectTimeoutMs = config.connectTimeoutMs;
    o.timeoutMs = config.requestTimeoutMs;
    o.tlsVerify = config.tlsVerify;
    o.traceDir = config.traceDir;
    o.pool = config.connections;
    return o;
}

http::Options cancelHttpOptions(const Config &config)
{
    http::Options o = httpOptions(config);
    o.connectTimeoutMs = o.timeoutMs = config.cancelTimeoutMs;
    return o;
}

}  // namespace wsd
