#include "wsd/served_devices.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace wsd {

namespace {

// A list of a few service addresses; anything larger is not ours.
constexpr std::size_t MaxFileSize = 64 * 1024;

std::vector<std::string> readLines(int fd)
{
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = pread(fd, buffer, sizeof buffer, static_cast<off_t>(text.size()))) > 0 &&
           text.size() < MaxFileSize)
        text.append(buffer, static_cast<std::size_t>(n));
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        if (end > start)
            lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

}  // namespace

std::string servedDevicesPath()
{
    const char *runtime = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime || !*runtime)
        return {};
    return std::string(runtime) + "/sane-wsd/wsd-scand.devices";
}

bool servedByDaemon(const std::vector<std::string> &serviceUrls, const std::string &path)
{
    if (path.empty())
        return false;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    // Our shared lock succeeds only when no daemon holds its exclusive one.
    bool live = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    bool served = false;
    if (live) {
        const std::vector<std::string> listed = readLines(fd);
        served = std::any_of(serviceUrls.begin(), serviceUrls.end(), [&](const std::string &url) {
            return std::find(listed.begin(), listed.end(), url) != listed.end();
        });
    }
    close(fd);
    return served;
}

ServedDevicesFile::~ServedDevicesFile()
{
    if (fd_ < 0)
        return;
    // Unlinked while still locked: a backend never sees our list unlocked.
    unlink(path_.c_str());
    close(fd_);
}

bool ServedDevicesFile::claim(const std::string &path, std::string *error)
{
    const std::string folder = path.substr(0, path.rfind('/'));
    if (path.empty() || (mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST)) {
        *error = path.empty() ? "no $XDG_RUNTIME_DIR" : "cannot create " + folder + ": " + std::strerror(errno);
        return false;
    }
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        *error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        *error = errno == EWOULDBLOCK ? "another wsd-scand is running (it holds " + path + ")"
                                      : "cannot lock " + path + ": " + std::strerror(errno);
        close(fd);
        return false;
    }
    path_ = path;
    fd_ = fd;
    return publish({});
}

bool ServedDevicesFile::publish(const std::vector<std::string> &serviceUrls)
{
    std::string text;
    for (const std::string &url : serviceUrls)
        text += url + "\n";
    return fd_ >= 0 && ftruncate(fd_, 0) == 0 &&
           pwrite(fd_, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size());
}

}  // namespace wsd
