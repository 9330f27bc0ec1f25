// Which scan jobs on devices are ours: every job this user's processes
// create is recorded, with its creating process's identity, in a small
// state file ($XDG_RUNTIME_DIR/sane-wsd/jobs, else the user's cache
// directory). The orphan sweep at sane_open cancels only recorded jobs whose
// creator is provably gone: never a job of another machine (its records are
// elsewhere), of another user (another directory), or of a process in
// another PID namespace (a Flatpak or Snap sandbox, whose PIDs we cannot
// check).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wsd {

struct ProcessIdentity {
    std::string bootId;                  // /proc/sys/kernel/random/boot_id
    unsigned long long pidNamespace = 0; // inode of /proc/self/ns/pid
    long pid = 0;
    unsigned long long startTime = 0;    // /proc/PID/stat field 22: tells a reused PID apart

    static ProcessIdentity self();
    // True only when `self` can prove the process gone: same boot and PID
    // namespace, and its PID is free or now belongs to a later process.
    bool provablyGoneFor(const ProcessIdentity &self) const;
};

struct JobRecord {
    std::string device;   // the SANE device name the job was made on
    int jobId = 0;        // 0 while CreateScanJob has not answered
    std::string jobName;  // unique to the creating process (uniqueJobName())
    ProcessIdentity creator;
};

// The registry file's lines ("DEVICE\tJOBID\tNAME\tBOOTID\tPIDNS\tPID\tSTART");
// lines that do not parse are dropped.
std::vector<JobRecord> parseJobRecords(std::string_view text);

// A job name no other process, here or on another machine, makes:
// "sane-wsd/HOST/PID/RANDOM" (the host and PID are for people reading the
// device's job list; the random part makes it unique).
std::string uniqueJobName();

class JobRegistry {
public:
    // path empty: defaultPath(). Nothing is recorded (and no orphan found)
    // unless the file's directory belongs to this user alone.
    explicit JobRegistry(std::string path = std::string());
    // Empty when the user has no private directory for it.
    static std::string defaultPath();

    // Adds the record, replacing one with the same job name.
    void record(const JobRecord &job);
    void forget(const std::string &jobName);
    // Removes and returns the records of `device` whose creator is provably
    // gone (at most `limit`); records of a creator we cannot judge stay.
    std::vector<JobRecord> takeOrphans(const std::string &device, const ProcessIdentity &self, std::size_t limit);

    // Bounds: a file larger than this is read only this far; no more
    // records than MaxRecords are kept (the oldest go first).
    static constexpr std::size_t MaxFileBytes = 64 * 1024;
    static constexpr std::size_t MaxRecords = 256;

private:
    std::string path_;
};

}  // namespace wsd
