#include "wsd/quirks.h"

#include "wsd/strings.h"
#include "wsd/url.h"

#include <fnmatch.h>

namespace wsd {

namespace {

struct Flag {
    const char *name;
    bool Quirks::*member;
};

constexpr Flag Flags[] = {
    {"scan-path", &Quirks::scanPathSuffix},
    {"rotate-back-side", &Quirks::rotateBackSide},
    {"landscape-max-size", &Quirks::landscapeMaxSize},
    {"skip-validation", &Quirks::skipTicketValidation},
};

// Manufacturer and model are fnmatch patterns (case-insensitive); flags is
// a list of Flag names. Each row names where the behaviour was reported
// (testsuite/data/devices/SOURCES.md or a public bug report). No device is known yet to need
// rotate-back-side or landscape-max-size by default: they exist for wsd.conf.
struct Rule {
    const char *manufacturer;
    const char *model;
    const char *flags;
};

constexpr Rule Rules[] = {
    // Samsung M288x: XAddrs gives /wsd, the scan service is /wsd/scan (Tobag/wsd-scan quirk notes).
    {"samsung*", "*", "scan-path"},
    // HP LaserJet MFP M130fw sends an image of another size than the ticket's
    // region (sane-airscan#60): no row, the delivered image's size decides
    // for every device (page_geometry.h).
};

bool matches(const char *pattern, const std::string &text)
{
    return fnmatch(pattern, text.c_str(), FNM_CASEFOLD) == 0;
}

bool isSeparator(char c) { return c == ',' || c == ';' || isSpace(c); }

const Flag *findFlag(std::string_view name)
{
    for (const Flag &f : Flags)
        if (name == f.name)
            return &f;
    return nullptr;
}

bool parseSwitch(std::string_view v, bool &out)
{
    for (const char *on : {"on", "yes", "true", "1"})
        if (v == on)
            return out = true, true;
    for (const char *off : {"off", "no", "false", "0"})
        if (v == off)
            return out = false, true;
    return false;
}

}  // namespace

Quirks quirksFor(const std::string &manufacturer, const std::string &model)
{
    Quirks q;
    for (const Rule &r : Rules)
        if (matches(r.manufacturer, manufacturer) && matches(r.model, model))
            for (std::string_view name : splitOn(r.flags, isSeparator))
                q.*(findFlag(name)->member) = true;
    return q;
}

bool applyQuirkOverrides(Quirks &quirks, std::string_view pairs, std::string *error)
{
    std::string problems;
    for (std::string_view item : splitOn(pairs, isSeparator)) {
        std::size_t eq = item.find('=');
        const Flag *flag = findFlag(item.substr(0, eq));
        bool value = false;
        if (flag && eq != std::string_view::npos && parseSwitch(item.substr(eq + 1), value))
            quirks.*(flag->member) = value;
        else
            problems += (problems.empty() ? "" : ", ") + std::string(item);
    }
    if (problems.empty())
        return true;
    if (error) {
        *error = "bad quirk setting (want name=on|off; names:";
        for (const Flag &f : Flags)
            *error += std::string(" ") + f.name;
        *error += "): " + problems;
    }
    return false;
}

std::string describeQuirks(const Quirks &quirks)
{
    std::string out;
    for (const Flag &f : Flags)
        if (quirks.*(f.member))
            out += (out.empty() ? "" : ",") + std::string(f.name);
    return out.empty() ? "none" : out;
}

std::vector<std::string> quirkNames()
{
    std::vector<std::string> out;
    for (const Flag &f : Flags)
        out.push_back(f.name);
    return out;
}

std::string scanPathUrl(const std::string &deviceUrl)
{
    std::optional<std::string> path = url::path(deviceUrl);
    if (!path)
        return deviceUrl;
    while (!path->empty() && path->back() == '/')
        path->pop_back();
    const std::string suffix = "/scan";
    if (path->size() < suffix.size() || path->compare(path->size() - suffix.size(), suffix.size(), suffix) != 0)
        *path += suffix;
    return url::withPath(deviceUrl, *path);
}

}  // namespace wsd
