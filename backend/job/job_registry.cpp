#include "wsd/job_registry.h"

#include "wsd/log.h"
#include "wsd/small_file.h"
#include "wsd/soap.h"
#include "wsd/state_file.h"
#include "wsd/strings.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace wsd {

namespace {

std::string readOrEmpty(const std::string &path, std::size_t limit)
{
    return readSmallFile(path, limit).value_or(std::string());
}

// Field 22 of /proc/PID/stat (starttime, in clock ticks since boot); the
// command name before it is in parentheses and may hold spaces. 0: no such
// process (or unreadable).
unsigned long long startTimeOf(long pid)
{
    const std::string stat = readOrEmpty("/proc/" + std::to_string(pid) + "/stat", 4096);
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos)
        return 0;
    // After ")": field 3 (state) onwards; starttime is the 20th of those.
    const std::vector<std::string_view> fields = splitWhitespace(std::string_view(stat).substr(close + 1), 20);
    if (fields.size() < 20)
        return 0;
    return std::strtoull(std::string(fields[19]).c_str(), nullptr, 10);
}

bool usable(const std::string &field) { return field.find_first_of("\t\n\r") == std::string::npos; }

std::string format(const JobRecord &r)
{
    return r.device + '\t' + std::to_string(r.jobId) + '\t' + r.jobName + '\t' + r.creator.bootId + '\t' +
           std::to_string(r.creator.pidNamespace) + '\t' + std::to_string(r.creator.pid) + '\t' +
           std::to_string(r.creator.startTime) + '\n';
}

}  // namespace

// A corrupt file costs its bad records, no more.
std::vector<JobRecord> parseJobRecords(std::string_view text)
{
    std::vector<JobRecord> records;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        // Tab-separated, empty fields kept.
        std::vector<std::string> f;
        for (std::size_t start = 0;;) {
            const std::size_t tab = line.find('\t', start);
            f.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
            if (tab == std::string_view::npos)
                break;
            start = tab + 1;
        }
        if (f.size() != 7 || f[2].empty())
            continue;
        JobRecord r;
        r.device = f[0];
        r.jobId = static_cast<int>(std::strtol(f[1].c_str(), nullptr, 10));
        r.jobName = f[2];
        r.creator.bootId = f[3];
        r.creator.pidNamespace = std::strtoull(f[4].c_str(), nullptr, 10);
        r.creator.pid = std::strtol(f[5].c_str(), nullptr, 10);
        r.creator.startTime = std::strtoull(f[6].c_str(), nullptr, 10);
        if (r.jobId < 0 || r.creator.pid <= 0)
            continue;
        records.push_back(std::move(r));
    }
    return records;
}

namespace {

// Replaces the file whole: a reader sees the old records or the new ones,
// never half of them.
void store(const std::string &path, std::vector<JobRecord> records)
{
    if (records.size() > JobRegistry::MaxRecords)
        records.erase(records.begin(), records.end() - JobRegistry::MaxRecords);
    std::string text;
    for (const JobRecord &r : records)
        text += format(r);
    state::replaceFile(path, text, "job registry");
}

// The registry's directory must be ours alone: records another local user
// could plant would make us cancel the jobs they name.
template <typename Change>
void update(const std::string &path, Change change)
{
    if (!state::privateDirectoryFor(path, "job registry"))
        return;
    state::FileLock lock(path);
    if (!lock.held())
        return;
    std::vector<JobRecord> records = parseJobRecords(readOrEmpty(path, JobRegistry::MaxFileBytes));
    if (change(records))
        store(path, std::move(records));
}

}  // namespace

ProcessIdentity ProcessIdentity::self()
{
    ProcessIdentity id;
    id.pid = static_cast<long>(getpid());
    std::string boot = readOrEmpty("/proc/sys/kernel/random/boot_id", 64);
    id.bootId = boot.substr(0, boot.find_first_of("\n\t "));
    // /proc must show our own PID namespace (a PID namespace without its
    // own /proc mount sees the parent's PIDs): else nothing can be judged.
    char self[32] = "";
    const ssize_t n = readlink("/proc/self", self, sizeof self - 1);
    struct stat ns {};
    if (n > 0 && std::strtol(std::string(self, static_cast<std::size_t>(n)).c_str(), nullptr, 10) == id.pid &&
        stat("/proc/self/ns/pid", &ns) == 0)
        id.pidNamespace = static_cast<unsigned long long>(ns.st_ino);
    id.startTime = startTimeOf(id.pid);
    return id;
}

bool ProcessIdentity::provablyGoneFor(const ProcessIdentity &self) const
{
    if (bootId.empty() || bootId != self.bootId || pidNamespace == 0 || pidNamespace != self.pidNamespace)
        return false;
    if (pid == self.pid && startTime == self.startTime)
        return false;  // this process
    const unsigned long long now = startTimeOf(pid);
    return now == 0 || now != startTime;  // no such process, or the PID was reused
}

std::string uniqueJobName()
{
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    return "sane-wsd/" + std::string(host) + "/" + std::to_string(getpid()) + "/" + soap::newUuid().substr(0, 8);
}

JobRegistry::JobRegistry(std::string path) : path_(path.empty() ? defaultPath() : std::move(path)) {}

std::string JobRegistry::defaultPath()
{
    const std::string dir = state::userDirectory(true);
    return dir.empty() ? std::string() : dir + "/jobs";  // "": nowhere private, nothing is recorded
}

void JobRegistry::record(const JobRecord &job)
{
    if (!usable(job.device) || !usable(job.jobName) || !usable(job.creator.bootId))
        return;
    update(path_, [&](std::vector<JobRecord> &records) {
        records.erase(std::remove_if(records.begin(), records.end(),
                                     [&](const JobRecord &r) { return r.jobName == job.jobName; }),
                      records.end());
        records.push_back(job);
        return true;
    });
}

void JobRegistry::forget(const std::string &jobName)
{
    update(path_, [&](std::vector<JobRecord> &records) {
        const auto gone = std::remove_if(records.begin(), records.end(),
                                         [&](const JobRecord &r) { return r.jobName == jobName; });
        const bool changed = gone != records.end();
        records.erase(gone, records.end());
        return changed;
    });
}

std::vector<JobRecord> JobRegistry::takeOrphans(const std::string &device, const ProcessIdentity &self,
                                                std::size_t limit)
{
    std::vector<JobRecord> orphans;
    update(path_, [&](std::vector<JobRecord> &records) {
        std::vector<JobRecord> kept;
        for (JobRecord &r : records) {
            if (r.device == device && orphans.size() < limit && r.creator.provablyGoneFor(self))
                orphans.push_back(std::move(r));
            else
                kept.push_back(std::move(r));
        }
        records.swap(kept);
        return !orphans.empty();
    });
    return orphans;
}

}  // namespace wsd
