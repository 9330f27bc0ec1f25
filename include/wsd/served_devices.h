// The devices wsd-scand serves, so that a panel never lists this computer
// twice: the daemon writes their scan service addresses, one a line, to
// $XDG_RUNTIME_DIR/sane-wsd/wsd-scand.devices and holds an exclusive lock
// (flock) on it while it runs; a SANE handle on one of them adds no
// destination of its own. A file whose lock nobody holds is stale.
#pragma once

#include <string>
#include <vector>

namespace wsd {

// The file's path; empty without $XDG_RUNTIME_DIR.
std::string servedDevicesPath();

// True when a live wsd-scand lists one of these scan service addresses.
bool servedByDaemon(const std::vector<std::string> &serviceUrls, const std::string &path = servedDevicesPath());

// The daemon's side: holds the lock from claim() until destruction, when the
// file is removed.
class ServedDevicesFile {
public:
    ServedDevicesFile() = default;
    ~ServedDevicesFile();
    ServedDevicesFile(const ServedDevicesFile &) = delete;
    ServedDevicesFile &operator=(const ServedDevicesFile &) = delete;

    // Creates the folder and the file and locks it; false (*error set) when
    // another live daemon holds it or it cannot be made.
    bool claim(const std::string &path, std::string *error);
    // Replaces the list.
    bool publish(const std::vector<std::string> &serviceUrls);

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace wsd
