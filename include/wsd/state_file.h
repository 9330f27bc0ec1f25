// Small per-user state files (the job registry, the device cache), read and
// written with wsd/small_file.h: changed under a lock file, replaced whole by
// rename so that a reader sees the old content or the new, never a mix, in a
// directory that must be this user's alone.
#pragma once

#include <string>

namespace wsd::state {

// Creates the file's directory (mode 0700) and checks that it belongs to
// this user and nobody else can write it; logs and returns false otherwise.
// `what` names the file in the log.
bool privateDirectoryFor(const std::string &path, const char *what);

// Holds PATH.lock (flock, exclusive) while it lives: one read-modify-write.
class FileLock {
public:
    explicit FileLock(const std::string &path);
    ~FileLock();
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;
    bool held() const { return fd_ >= 0; }

private:
    int fd_;
};

// Writes PATH.new (mode 0600) and renames it over PATH; false, logged, on
// failure. Call with the FileLock held.
bool replaceFile(const std::string &path, const std::string &text, const char *what);

// The user's directory for sane-wsd's state files of this kind: "runtime"
// prefers $XDG_RUNTIME_DIR, "cache" $XDG_CACHE_HOME; both fall back to
// ~/.cache. "" when there is no private place.
std::string userDirectory(bool preferRuntime);
// ~/.cache/sane-wsd from $HOME (else the passwd entry's home) alone, for a
// file that processes with less of the environment must find too.
std::string homeDirectory();

}  // namespace wsd::state
