#include "wsd/state_file.h"

#include "wsd/log.h"
#include "wsd/small_file.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace wsd::state {

namespace {

bool mkdirs(const std::string &dir)
{
    for (std::size_t at = dir.find('/', 1);; at = dir.find('/', at + 1)) {
        if (mkdir(dir.substr(0, at).c_str(), 0700) != 0 && errno != EEXIST)
            return false;
        if (at == std::string::npos)
            return true;
    }
}

}  // namespace

// Another local user who could write there could plant what we read back.
bool privateDirectoryFor(const std::string &path, const char *what)
{
    const std::size_t slash = path.rfind('/');
    if (path.empty() || slash == std::string::npos || slash == 0)
        return false;
    const std::string dir = path.substr(0, slash);
    struct stat st {};
    if (!mkdirs(dir) || lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 022)) {
        WSD_WARN("%s: %s is not a directory of this user's alone; not used", what, dir.c_str());
        return false;
    }
    return true;
}

FileLock::FileLock(const std::string &path) : fd_(open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600))
{
    if (fd_ >= 0)
        flock(fd_, LOCK_EX);
}

FileLock::~FileLock()
{
    if (fd_ >= 0)
        close(fd_);  // releases the lock
}

bool replaceFile(const std::string &path, const std::string &text, const char *what)
{
    const std::string temporary = path + ".new";
    if (!writeSmallFile(temporary, text, 0600)) {
        WSD_WARN("%s %s: cannot write", what, temporary.c_str());
        return false;
    }
    chmod(temporary.c_str(), 0600);  // a .new left by a crash may have had other bits
    if (rename(temporary.c_str(), path.c_str()) != 0) {
        WSD_WARN("%s %s: cannot replace it", what, path.c_str());
        return false;
    }
    return true;
}

std::string userDirectory(bool preferRuntime)
{
    const char *runtime = std::getenv("XDG_RUNTIME_DIR");
    if (preferRuntime && runtime && *runtime == '/')
        return std::string(runtime) + "/sane-wsd";
    const char *cache = std::getenv("XDG_CACHE_HOME");
    if (cache && *cache == '/')
        return std::string(cache) + "/sane-wsd";
    return homeDirectory();
}

std::string homeDirectory()
{
    const char *home = std::getenv("HOME");
    if (home && *home == '/')
        return std::string(home) + "/.cache/sane-wsd";
    if (const passwd *pw = getpwuid(getuid()); pw && pw->pw_dir && *pw->pw_dir == '/')
        return std::string(pw->pw_dir) + "/.cache/sane-wsd";
    return "";
}

}  // namespace wsd::state
