// sane-probe: a small SANE frontend for tests and benchmarks. It goes through
// SANE's dll loader (libsane), like every real frontend, scans with the given
// options, can call sane_cancel at chosen moments (from a SIGALRM handler, as
// scanimage does on Ctrl-C), and prints what happened with timestamps:
//
//   event <ms since start> <name> <detail>
//
// so that tests assert on statuses and benchmarks compute latencies.
//
// Fault and soak tests use: --scan-again (after the first scan, failed or
// not, the same handle scans one more page, optionally once the test sends SIGUSR1 to say
// the device is healthy again), --repeat N with --sample-every K (N scans in
// one process, printing its RSS, open fds and threads every K scans), and
// several -d (each device scanned from its own thread, at the same time).
// --list prints sane_get_devices' names instead of scanning (event "device"
// per device, then "listed"), with --again-after-usr1 once more after SIGUSR1
// (a frontend's refresh, for the device cache's "next call"), with --repeat N
// N times, SANE exited and initialised again between (--sample-every K).
// --hold-between-pages stands still after page 1 until SIGUSR1 (the feeder
// tests look at the device meanwhile), then goes on, or cancels with
// --cancel-between-pages.
// Panel tests use --wait-for-button (poll the `scan` option as scanbd does)
// and --watch-option NAME=VALUE (poll a status option until it reads VALUE).
#include <sane/sane.h>
#include <sane/saneopts.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

double nowMs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

double startTime;
// With several devices, each event names the device its thread scans.
thread_local std::string eventTag;

void event(const char *name, const std::string &detail = std::string())
{
    // One printf per line: lines of concurrent sessions do not interleave.
    std::printf("event %.3f %s %s%s\n", nowMs() - startTime, name, detail.c_str(), eventTag.c_str());
    std::fflush(stdout);
}

struct Args {
    std::vector<std::string> devices;
    std::vector<std::pair<std::string, std::string>> options;  // name=value
    int pages = 1;               // 0: until sane_start says NO_DOCS
    long cancelAfterBytes = -1;  // cancel once this many bytes of page 1 were read
    int cancelDuringStartMs = -1;  // cancel from another thread this long after sane_start
    int cancelAfterMs = -1;      // cancel from a SIGALRM timer this long after sane_start (benchmarks)
    bool cancelBetweenPages = false;
    bool holdBetweenPages = false;  // after page 1, wait for SIGUSR1
    bool cancelAfterComplete = false;
    bool fromSignal = false;     // cancel from a SIGALRM handler
    bool restartAfterCancel = false;  // then scan one more page normally
    bool cancelOnUsr1 = false;   // a test sends SIGUSR1 when the moment has come
    bool holdUntilUsr1 = false;  // read nothing of page 1 before SIGUSR1
    std::string output;          // raw image bytes of the last page; "%d" in it: of each page, numbered
    bool scanAgain = false;      // after the first scan (failed or not), scan one more page
    bool againAfterUsr1 = false; // ... once SIGUSR1 came
    bool startAfterUsr1 = false; // open, then wait for SIGUSR1 before the first scan
    int waitForButtonS = 0;      // > 0: poll the `scan` button option (as scanbd does) before the first scan
    std::string watchOption;     // NAME=VALUE: before that, poll option NAME until it reads VALUE ...
    int watchOptionS = 0;        // ... for at most this long
    int repeat = 1;              // scans (of --pages pages each) in one session
    int sampleEvery = 0;         // print RSS, fds and threads every this many scans
    bool list = false;           // list the devices instead of scanning
};

SANE_Handle handle;  // the first device's: the one cancel options act on
std::atomic<double> cancelAt{0};
// Wall-clock time of the cancel, to compare with the simulator's log
// (another process, same machine).
std::atomic<double> cancelAtEpochMs{0};

double epochMs()
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

// CPU time (user + sys, all threads) of the process so far.
double cpuMs()
{
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

void cancelNow()
{
    cancelAt = nowMs();
    cancelAtEpochMs = epochMs();
    sane_cancel(handle);
}

void onAlarm(int) { cancelNow(); }

std::atomic<bool> usr1Cancelled{false};
void onUsr1(int)
{
    usr1Cancelled = true;
    cancelNow();
}

std::atomic<bool> usr1Again{false};
void onUsr1Again(int) { usr1Again = true; }

// The test changes the device (knobs) and then sends SIGUSR1, blocked
// until now so that it cannot come too early.
void awaitUsr1()
{
    event("awaiting-usr1");
    sigset_t none;
    sigemptyset(&none);
    while (!usr1Again.exchange(false))
        sigsuspend(&none);
}

void usage()
{
    std::fputs("usage: sane-probe --list [--again-after-usr1] [--repeat N [--sample-every K]]\n"
               "       sane-probe -d DEVICE [-d DEVICE]... [--option NAME=VALUE]... [--pages N]\n"
               "       [--hold-between-pages] [--cancel-after-bytes N | --cancel-during-start MS | --cancel-after-ms MS |\n"
               "        --cancel-between-pages |\n"
               "        --cancel-after-complete | --cancel-on-usr1 | --hold-until-usr1] [--signal]\n"
               "       [--restart-after-cancel] [--scan-again [--again-after-usr1]] [--start-after-usr1]\n"
               "       [--repeat N [--sample-every K]] [--watch-option NAME=VALUE SECONDS] [--wait-for-button SECONDS]\n"
               "       [-o FILE]\n",
               stderr);
    std::exit(2);
}

Args parseArgs(int argc, char **argv)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                usage();
            return argv[++i];
        };
        if (arg == "-d")
            a.devices.push_back(next());
        else if (arg == "--option") {
            std::string o = next();
            auto eq = o.find('=');
            if (eq == std::string::npos)
                usage();
            a.options.emplace_back(o.substr(0, eq), o.substr(eq + 1));
        } else if (arg == "--pages")
            a.pages = std::atoi(next().c_str());
        else if (arg == "--cancel-after-bytes")
            a.cancelAfterBytes = std::atol(next().c_str());
        else if (arg == "--cancel-during-start")
            a.cancelDuringStartMs = std::atoi(next().c_str());
        else if (arg == "--cancel-after-ms")
            a.cancelAfterMs = std::atoi(next().c_str());
        else if (arg == "--cancel-between-pages")
            a.cancelBetweenPages = true;
        else if (arg == "--hold-between-pages")
            a.holdBetweenPages = true;
        else if (arg == "--cancel-after-complete")
            a.cancelAfterComplete = true;
        else if (arg == "--signal")
            a.fromSignal = true;
        else if (arg == "--cancel-on-usr1")
            a.cancelOnUsr1 = true;
        else if (arg == "--hold-until-usr1")
            a.cancelOnUsr1 = a.holdUntilUsr1 = true;
        else if (arg == "--restart-after-cancel")
            a.restartAfterCancel = true;
        else if (arg == "-o")
            a.output = next();
        else if (arg == "--scan-again")
            a.scanAgain = true;
        else if (arg == "--again-after-usr1")
            a.againAfterUsr1 = true;
        else if (arg == "--start-after-usr1")
            a.startAfterUsr1 = a.againAfterUsr1 = true;
        else if (arg == "--watch-option") {
            a.watchOption = next();
            a.watchOptionS = std::atoi(next().c_str());
        } else if (arg == "--wait-for-button")
            a.waitForButtonS = std::atoi(next().c_str());
        else if (arg == "--repeat")
            a.repeat = std::atoi(next().c_str());
        else if (arg == "--sample-every")
            a.sampleEvery = std::atoi(next().c_str());
        else if (arg == "--list")
            a.list = true;
        else
            usage();
    }
    if (a.devices.empty() != a.list || a.repeat < 1 || ((a.againAfterUsr1 || a.holdBetweenPages) && a.cancelOnUsr1))
        usage();
    return a;
}

// One sane_get_devices: an event per device, then how many.
void listDevices()
{
    const SANE_Device **list = nullptr;
    const SANE_Status s = sane_get_devices(&list, SANE_FALSE);
    int count = 0;
    for (; s == SANE_STATUS_GOOD && list[count]; ++count)
        event("device", list[count]->name);
    event("listed", s == SANE_STATUS_GOOD ? std::to_string(count) : sane_strstatus(s));
    std::fflush(stdout);
}

bool setOption(SANE_Handle h, const std::string &name, const std::string &value)
{
    for (SANE_Int i = 1;; ++i) {
        const SANE_Option_Descriptor *d = sane_get_option_descriptor(h, i);
        if (!d)
            break;
        if (!d->name || name != d->name)
            continue;
        SANE_Status s;
        if (d->type == SANE_TYPE_STRING) {
            std::vector<char> buf(static_cast<std::size_t>(d->size) + 1, 0);
            std::strncpy(buf.data(), value.c_str(), buf.size() - 1);
            s = sane_control_option(h, i, SANE_ACTION_SET_VALUE, buf.data(), nullptr);
        } else if (d->type == SANE_TYPE_FIXED) {
            SANE_Word w = SANE_FIX(std::atof(value.c_str()));
            s = sane_control_option(h, i, SANE_ACTION_SET_VALUE, &w, nullptr);
        } else {
            SANE_Word w = std::atoi(value.c_str());
            s = sane_control_option(h, i, SANE_ACTION_SET_VALUE, &w, nullptr);
        }
        event("option", name + "=" + value + " " + sane_strstatus(s));
        return s == SANE_STATUS_GOOD;
    }
    event("option", name + " not found");
    return false;
}

// A string or bool option's value as text; empty when the device has none.
std::string readOption(SANE_Handle h, const std::string &name)
{
    for (SANE_Int i = 1;; ++i) {
        const SANE_Option_Descriptor *d = sane_get_option_descriptor(h, i);
        if (!d)
            return std::string();
        if (!d->name || name != d->name)
            continue;
        std::vector<char> buf(static_cast<std::size_t>(std::max<SANE_Int>(d->size, sizeof(SANE_Word))) + 1, 0);
        if (sane_control_option(h, i, SANE_ACTION_GET_VALUE, buf.data(), nullptr) != SANE_STATUS_GOOD)
            return std::string();
        if (d->type == SANE_TYPE_STRING)
            return buf.data();
        SANE_Word w;
        std::memcpy(&w, buf.data(), sizeof w);
        return std::to_string(w);
    }
}

// Polls the `scan` button option the way button daemons (scanbd) do, until
// it reads true or `seconds` pass.
bool awaitButton(SANE_Handle h, int seconds)
{
    const double until = nowMs() + seconds * 1000.0;
    while (nowMs() < until) {
        if (readOption(h, SANE_NAME_SCAN) == std::to_string(SANE_TRUE)) {
            event("button", "panel-source=" + readOption(h, "panel-source"));
            return true;
        }
        usleep(100 * 1000);  // the poll interval of a button daemon
    }
    event("button", "none");
    return false;
}

// Polls an option (a sensor, as a status applet does) until it reads the
// value asked for or `seconds` pass; booleans read 0 or 1.
bool awaitOptionValue(SANE_Handle h, const std::string &nameValue, int seconds)
{
    const std::size_t eq = nameValue.find('=');
    const std::string name = nameValue.substr(0, eq), wanted = eq == std::string::npos ? "" : nameValue.substr(eq + 1);
    const double until = nowMs() + seconds * 1000.0;
    std::string value;
    while (nowMs() < until) {
        value = readOption(h, name);
        if (value == wanted) {
            event("option-watch", nameValue);
            return true;
        }
        usleep(100 * 1000);
    }
    event("option-watch", "timeout " + name + "=" + value);
    return false;
}

long peakRssKb()
{
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

long currentRssKb()
{
    long pages = 0, resident = 0;
    if (FILE *f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        std::fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Entries of a /proc/self directory (open fds, threads), . and .. excluded.
long countEntries(const char *dir)
{
    long n = 0;
    if (DIR *d = opendir(dir)) {
        while (const dirent *e = readdir(d))
            if (e->d_name[0] != '.')
                ++n;
        closedir(d);
    }
    return n - (std::strcmp(dir, "/proc/self/fd") == 0 ? 1 : 0);  // opendir's own fd
}

// The local TCP port of a socket fd, 0 for anything else.
unsigned localPort(int fd)
{
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return 0;
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in &>(address).sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 &>(address).sin6_port);
    return 0;
}

// Connections that peers opened to a listening socket of this process (the
// backend's event listener): their number follows the peers (a device posting
// an event), not the scans, and the listener bounds it. Counted apart from
// the fds of our own making, whose growth would be a leak.
long countInboundConnections()
{
    std::vector<int> sockets;
    std::set<unsigned> listeningPorts;
    if (DIR *d = opendir("/proc/self/fd")) {
        while (const dirent *e = readdir(d)) {
            if (e->d_name[0] == '.')
                continue;
            const int fd = std::atoi(e->d_name);
            int listening = 0;
            socklen_t length = sizeof listening;
            if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0)
                continue;
            if (listening)
                listeningPorts.insert(localPort(fd));
            else
                sockets.push_back(fd);
        }
        closedir(d);
    }
    listeningPorts.erase(0);
    return std::count_if(sockets.begin(), sockets.end(),
                         [&](int fd) { return listeningPorts.count(localPort(fd)) > 0; });
}

void sample(int scans)
{
    const long inbound = countInboundConnections();
    event("sample", "scans=" + std::to_string(scans) + " rss-kb=" + std::to_string(currentRssKb()) +
                        " fds=" + std::to_string(countEntries("/proc/self/fd") - inbound) +
                        " inbound=" + std::to_string(inbound) +
                        " threads=" + std::to_string(countEntries("/proc/self/task")));
}

// Reads one page; returns the status that ended it.
SANE_Status readPage(SANE_Handle h, const Args &a, int page, bool &cancelled, double cpuAtStart)
{
    std::vector<SANE_Byte> buf(256 * 1024);
    long total = 0;
    bool first = true;
    std::string path = a.output;
    if (std::size_t at = path.find("%d"); at != std::string::npos)
        path.replace(at, 2, std::to_string(page));
    FILE *out = !path.empty() && eventTag.empty() ? std::fopen(path.c_str(), "wb") : nullptr;
    SANE_Status s;
    for (;;) {
        SANE_Int len = 0;
        s = sane_read(h, buf.data(), static_cast<SANE_Int>(buf.size()), &len);
        if (usr1Cancelled.exchange(false)) {
            cancelled = true;
            event("cancel", "sigusr1");
        }
        if (s != SANE_STATUS_GOOD)
            break;
        if (len > 0 && first) {
            first = false;
            event("first-data", "page=" + std::to_string(page));
        }
        if (out)
            std::fwrite(buf.data(), 1, static_cast<std::size_t>(len), out);
        total += len;
        if (page == 1 && a.cancelAfterBytes >= 0 && total >= a.cancelAfterBytes && !cancelled) {
            cancelled = true;
            event("cancel", "after-bytes=" + std::to_string(total));
            if (a.fromSignal) {
                signal(SIGALRM, onAlarm);
                raise(SIGALRM);
            } else {
                cancelNow();
            }
        }
    }
    if (out)
        std::fclose(out);
    char detail[256];
    std::snprintf(detail, sizeof detail,
                  "page=%d status=%s bytes=%ld cancel-to-return-ms=%.3f cpu-ms=%.1f cancel-epoch-ms=%.3f", page,
                  sane_strstatus(s), total, cancelled && cancelAt > 0 ? nowMs() - cancelAt : -1.0,
                  cpuMs() - cpuAtStart, cancelled ? cancelAtEpochMs.load() : -1.0);
    event("read-end", detail);
    return s;
}

// One scan: pages until --pages or NO_DOCS, with the cancels asked for.
// Returns the status that ended it (EOF: all pages read).
SANE_Status scanOnce(SANE_Handle h, Args &a)
{
    bool cancelled = false;
    int page = 0;
    SANE_Status s;
    for (;;) {
        ++page;
        std::thread canceller;
        if (page == 1 && a.cancelDuringStartMs >= 0) {
            cancelled = true;
            canceller = std::thread([&] {
                usleep(static_cast<useconds_t>(a.cancelDuringStartMs) * 1000);
                event("cancel", "during-start");
                cancelNow();
            });
        }
        if (page == 1 && a.cancelAfterMs >= 0) {
            cancelled = true;
            signal(SIGALRM, onAlarm);
            itimerval timer = {};
            timer.it_value.tv_sec = a.cancelAfterMs / 1000;
            timer.it_value.tv_usec = (a.cancelAfterMs % 1000) * 1000;
            setitimer(ITIMER_REAL, &timer, nullptr);
        }
        double cpuAtStart = cpuMs();
        event("start-call", "page=" + std::to_string(page));
        s = sane_start(h);
        event("start", "page=" + std::to_string(page) + " status=" + sane_strstatus(s));
        SANE_Parameters p;
        if (s == SANE_STATUS_GOOD && sane_get_parameters(h, &p) == SANE_STATUS_GOOD) {
            char d[128];
            std::snprintf(d, sizeof d, "format=%d depth=%d ppl=%d bpl=%d lines=%d", p.format, p.depth,
                          p.pixels_per_line, p.bytes_per_line, p.lines);
            event("parameters", d);
        }
        if (s == SANE_STATUS_GOOD && page == 1 && a.holdUntilUsr1) {
            // Stand still, the frontend busy elsewhere, until the test says.
            event("holding");
            sigset_t none;
            sigemptyset(&none);
            while (!usr1Cancelled.load())
                sigsuspend(&none);
        }
        if (s == SANE_STATUS_GOOD)
            s = readPage(h, a, page, cancelled, cpuAtStart);
        if (canceller.joinable())
            canceller.join();
        if (s == SANE_STATUS_CANCELLED && a.restartAfterCancel) {
            // The handle must be usable again: one more page, no cancel.
            a.restartAfterCancel = false;
            a.cancelAfterBytes = -1;
            a.cancelDuringStartMs = -1;
            a.holdUntilUsr1 = false;
            page = 0;
            cancelled = false;
            continue;
        }
        if (s != SANE_STATUS_EOF)
            break;
        if (a.cancelAfterComplete && (a.pages == page)) {
            event("cancel", "after-complete");
            cancelNow();
            break;
        }
        if (a.holdBetweenPages && page == 1)
            awaitUsr1();
        if (a.cancelBetweenPages && page == 1) {
            event("cancel", "between-pages");
            cancelNow();
            break;
        }
        if (a.pages > 0 && page >= a.pages)
            break;
    }
    return s;
}

// SANE's dll loader loads backends in sane_open without a lock: opens and
// closes of concurrent sessions go one at a time; their scans overlap.
std::mutex openCloseMutex;

// A whole session on one device: open, options, the scans, close.
int session(const std::string &device, Args a, bool primary)
{
    SANE_Handle h = nullptr;
    SANE_Status s;
    {
        std::lock_guard<std::mutex> lock(openCloseMutex);
        s = sane_open(device.c_str(), &h);
    }
    event("open", sane_strstatus(s));
    if (s != SANE_STATUS_GOOD)
        return 1;
    if (primary)
        handle = h;
    for (const auto &o : a.options)
        if (!setOption(h, o.first, o.second))
            return 1;
    event("rss-after-open", std::to_string(peakRssKb()));

    if (a.startAfterUsr1)
        awaitUsr1();
    if (!a.watchOption.empty() && !awaitOptionValue(h, a.watchOption, a.watchOptionS)) {
        sane_close(h);
        return 1;
    }
    if (a.waitForButtonS > 0 && !awaitButton(h, a.waitForButtonS)) {
        sane_close(h);
        return 1;
    }
    int failures = 0;
    for (int scan = 1; scan <= a.repeat; ++scan) {
        s = scanOnce(h, a);
        if (s != SANE_STATUS_EOF && s != SANE_STATUS_NO_DOCS && s != SANE_STATUS_CANCELLED)
            ++failures;
        if (a.scanAgain) {
            // The handle must work again after a fault: one more page.
            a.scanAgain = false;
            if (a.againAfterUsr1)
                awaitUsr1();
            Args again = a;
            again.pages = 1;
            again.cancelAfterBytes = again.cancelDuringStartMs = -1;
            again.cancelBetweenPages = again.cancelAfterComplete = again.holdUntilUsr1 = false;
            event("again");
            scanOnce(h, again);
        }
        if (a.sampleEvery > 0 && scan % a.sampleEvery == 0)
            sample(scan);
    }
    if (a.repeat > 1)
        event("scans", "total=" + std::to_string(a.repeat) + " failed=" + std::to_string(failures));
    {
        std::lock_guard<std::mutex> lock(openCloseMutex);
        sane_close(h);
    }
    event("close");
    return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char **argv)
{
    Args a = parseArgs(argc, argv);
    startTime = nowMs();
    SANE_Int version = 0;
    SANE_Status s = sane_init(&version, nullptr);
    event("init", sane_strstatus(s));
    if (a.cancelOnUsr1 || a.againAfterUsr1 || a.holdBetweenPages) {
        struct sigaction sa = {};
        sa.sa_handler = a.cancelOnUsr1 ? onUsr1 : onUsr1Again;
        sigaction(SIGUSR1, &sa, nullptr);
    }
    if (a.againAfterUsr1 || a.holdBetweenPages) {
        // Blocked until sigsuspend: a signal sent early is not lost.
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigprocmask(SIG_BLOCK, &usr1, nullptr);
    }
    int result = 0;
    if (a.list) {
        listDevices();
        // A frontend (or scanbd) that re-initialises SANE: the dll backend
        // unloads the module at each sane_exit and loads it again.
        for (int cycle = 2; cycle <= a.repeat; ++cycle) {
            sane_exit();
            s = sane_init(&version, nullptr);
            if (s != SANE_STATUS_GOOD)
                event("init", sane_strstatus(s));
            listDevices();
            if (a.sampleEvery > 0 && cycle % a.sampleEvery == 0)
                sample(cycle);
        }
        if (a.againAfterUsr1) {
            awaitUsr1();
            listDevices();
        }
    } else if (a.devices.size() == 1) {
        result = session(a.devices.front(), a, true);
    } else {
        std::vector<std::thread> sessions;
        std::vector<int> results(a.devices.size());
        for (std::size_t i = 0; i < a.devices.size(); ++i)
            sessions.emplace_back([&, i] {
                eventTag = " dev=" + a.devices[i];
                results[i] = session(a.devices[i], a, i == 0);
            });
        for (auto &t : sessions)
            t.join();
        for (int r : results)
            result |= r;
    }
    event("peak-rss-kb", std::to_string(peakRssKb()));
    sane_exit();
    event("exit");
    return result;
}
