#include "wsd/press_handover.h"

#include "wsd/log.h"
#include "wsd/small_file.h"
#include "wsd/state_file.h"

#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <functional>

namespace wsd::handover {

namespace {

// A few presses of a few scanners; anything larger is not ours.
constexpr std::size_t MaxFileSize = 64 * 1024;
constexpr std::size_t MaxField = 4096;
constexpr std::size_t MaxReferenceParameters = 8;
const char *const What = "panel press hand-over";
const char *const Version = "v1";

// One entry a line, its fields separated by tabs; within a field, '%',
// tabs, line ends and other control characters are %XX.
std::string escape(const std::string &field)
{
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : field) {
        if (c == '%' || c < 0x20 || c == 0x7f) {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::optional<std::string> unescape(const std::string &field)
{
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] != '%') {
            out += field[i];
            continue;
        }
        if (i + 2 >= field.size())
            return std::nullopt;
        const int hi = digit(field[i + 1]), lo = digit(field[i + 2]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::vector<std::string> split(const std::string &text, char separator)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            return parts;
        start = end + 1;
    }
}

std::vector<std::string> fieldsOf(const Entry &e)
{
    std::vector<std::string> fields = {Version,
                                       std::to_string(e.deadlineMs),
                                       e.serviceUrl,
                                       e.manager.address,
                                       e.manager.identifier,
                                       e.press.scanIdentifier,
                                       e.press.destinationToken,
                                       e.press.inputSource,
                                       std::to_string(e.manager.referenceParameters.size())};
    fields.insert(fields.end(), e.manager.referenceParameters.begin(), e.manager.referenceParameters.end());
    return fields;
}

bool fits(const Entry &e)
{
    if (e.manager.referenceParameters.size() > MaxReferenceParameters)
        return false;
    const std::vector<std::string> fields = fieldsOf(e);
    return std::all_of(fields.begin(), fields.end(), [](const std::string &f) { return f.size() <= MaxField; });
}

std::optional<Entry> parse(const std::string &line)
{
    std::vector<std::string> fields = split(line, '\t');
    if (fields.size() < 9 || fields[0] != Version)
        return std::nullopt;
    for (std::string &f : fields) {
        std::optional<std::string> plain = unescape(f);
        if (!plain || plain->size() > MaxField)
            return std::nullopt;
        f = std::move(*plain);
    }
    Entry e;
    try {
        std::size_t used = 0;
        e.deadlineMs = std::stoll(fields[1], &used);
        if (used != fields[1].size())
            return std::nullopt;
        const unsigned long count = std::stoul(fields[8], &used);
        if (used != fields[8].size() || count > MaxReferenceParameters || fields.size() != 9 + count)
            return std::nullopt;
    } catch (const std::exception &) {
        return std::nullopt;
    }
    e.serviceUrl = fields[2];
    e.manager.address = fields[3];
    e.manager.identifier = fields[4];
    e.press = PanelPress{fields[5], fields[6], fields[7]};
    e.manager.referenceParameters.assign(fields.begin() + 9, fields.end());
    if (e.serviceUrl.empty() || e.manager.address.empty() || e.press.scanIdentifier.empty())
        return std::nullopt;
    return e;
}

std::vector<Entry> readEntries(const std::string &path)
{
    const std::optional<std::string> text = readSmallFile(path, MaxFileSize);
    if (!text)
        return {};
    std::size_t dropped = 0;
    std::vector<Entry> entries = parseEntries(*text, &dropped);
    if (dropped)
        WSD_WARN("%s %s: %zu unreadable entries, dropped", What, path.c_str(), dropped);
    return entries;
}

// Reads, lets `change` edit the entries, writes them back when it says so;
// all under the file's lock, so that two processes never both take one.
// Without `create`, a missing file is an empty list, and nothing is made
// (every sane_open and sane_start looks).
bool update(const std::string &path, const std::function<bool(std::vector<Entry> &)> &change, bool create = false)
{
    struct stat st {};
    if (path.empty() || (!create && lstat(path.c_str(), &st) != 0) || !state::privateDirectoryFor(path, What))
        return false;
    state::FileLock lock(path);
    if (!lock.held())
        return false;
    std::vector<Entry> entries = readEntries(path);
    if (!change(entries))
        return true;
    std::string text;
    for (const Entry &e : entries)
        text += formatEntry(e);
    return state::replaceFile(path, text, What);
}

bool forService(const Entry &e, const std::vector<std::string> &serviceUrls)
{
    return std::find(serviceUrls.begin(), serviceUrls.end(), e.serviceUrl) != serviceUrls.end();
}

}  // namespace

std::vector<Entry> parseEntries(const std::string &text, std::size_t *dropped)
{
    std::vector<Entry> entries;
    std::size_t bad = 0;
    for (const std::string &line : split(text, '\n')) {
        if (line.empty())
            continue;
        if (std::optional<Entry> e = parse(line); e && entries.size() < MaxEntries)
            entries.push_back(std::move(*e));
        else
            ++bad;
    }
    if (dropped)
        *dropped = bad;
    return entries;
}

std::string formatEntry(const Entry &e)
{
    std::string line;
    for (const std::string &f : fieldsOf(e))
        line += (line.empty() ? "" : "\t") + escape(f);
    return line + "\n";
}

long long nowMs()
{
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string defaultPath()
{
    const std::string dir = state::homeDirectory();
    return dir.empty() ? std::string() : dir + "/panel-presses";
}

bool put(const Entry &entry, const std::string &path)
{
    if (!fits(entry)) {
        WSD_WARN("%s: the device's subscription or press is too large to hand over", What);
        return false;
    }
    bool stored = false;
    const bool written = update(path, [&](std::vector<Entry> &entries) {
        entries.erase(std::remove_if(entries.begin(), entries.end(),
                                     [&](const Entry &e) { return e.serviceUrl == entry.serviceUrl; }),
                      entries.end());
        if (entries.size() >= MaxEntries)
            return false;
        entries.push_back(entry);
        stored = true;
        return true;
    }, true);
    return written && stored;
}

std::optional<Entry> take(const std::vector<std::string> &serviceUrls, const std::string &path)
{
    std::optional<Entry> taken;
    const long long now = nowMs();
    update(path, [&](std::vector<Entry> &entries) {
        auto it = std::find_if(entries.begin(), entries.end(),
                               [&](const Entry &e) { return forService(e, serviceUrls) && e.deadlineMs > now; });
        if (it == entries.end())
            return false;
        taken = *it;
        entries.erase(it);
        return true;
    });
    return taken;
}

std::vector<Entry> takeExpired(const std::vector<std::string> &serviceUrls, const std::string &path)
{
    std::vector<Entry> expired;
    const long long now = nowMs();
    update(path, [&](std::vector<Entry> &entries) {
        auto gone = std::stable_partition(entries.begin(), entries.end(), [&](const Entry &e) {
            return !forService(e, serviceUrls) || e.deadlineMs > now;
        });
        expired.assign(gone, entries.end());
        entries.erase(gone, entries.end());
        return !expired.empty();
    });
    return expired;
}

std::optional<long long> liveDeadline(const std::vector<std::string> &serviceUrls, const std::string &path)
{
    std::optional<long long> deadline;
    const long long now = nowMs();
    update(path, [&](std::vector<Entry> &entries) {
        for (const Entry &e : entries)
            if (forService(e, serviceUrls) && e.deadlineMs > now)
                deadline = std::max(deadline.value_or(0), e.deadlineMs);
        return false;
    });
    return deadline;
}

}  // namespace wsd::handover
