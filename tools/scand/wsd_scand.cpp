// wsd-scand: shows this computer on the panel of every WSD scanner that
// wsd.conf or discovery gives, and scans what the user sends from there into
// a folder (wsd-scand(1)). A user of the backend's core library: the
// backend's Scanner runs the device-initiated jobs, PanelSubscription keeps
// one WS-Eventing subscription per destination.
#include "document_writer.h"
#include "notifier.h"
#include "scand_config.h"
#include "scanner_access.h"
#include "subscription_ledger.h"

#include "wsd/config.h"
#include "wsd/device_list.h"
#include "wsd/log.h"
#include "wsd/panel_subscription.h"
#include "wsd/scanner.h"
#include "wsd/served_devices.h"
#include "wsd/wsscan_client.h"

#include <sane/saneopts.h>

#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <deque>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

namespace {

using namespace std::chrono_literals;

// How often devices that were not reachable are tried again, and discovery
// asked for new ones.
constexpr auto RescanInterval = 60s;
// Asked for each subscription (renewed at half of it): a destination that a
// killed daemon could not Unsubscribe leaves the panel within this time.
constexpr std::chrono::seconds SubscriptionExpiry = 10min;

// Journal priorities (sd-daemon(3)): systemd reads the prefix of each stderr line.
enum Priority { Err = 3, Warning = 4, Notice = 5, Info = 6 };

void say(Priority priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void say(Priority priority, const char *fmt, ...)
{
    char line[1024];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    std::fprintf(stderr, "<%d>wsd-scand: %s\n", priority, line);
}

void usage(FILE *to)
{
    std::fputs("usage: wsd-scand [-c FILE] [-f DIR] [--once] [-v]\n"
               "  -c, --config FILE  destinations and folder (default $XDG_CONFIG_HOME/sane-wsd/wsd-scand.conf)\n"
               "  -f, --folder DIR   write documents here (overrides the configuration)\n"
               "      --once         handle one press, then exit\n"
               "  -v, --verbose      more of the backend's log than its warnings (more: repeat)\n"
               "  -h, --help         this text\n",
               to);
}

std::string hostName()
{
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name[0] ? name : "this computer";
}

std::string defaultConfigPath()
{
    if (const char *config = std::getenv("XDG_CONFIG_HOME"); config && *config)
        return std::string(config) + "/sane-wsd/wsd-scand.conf";
    if (const char *home = std::getenv("HOME"))
        return std::string(home) + "/.config/sane-wsd/wsd-scand.conf";
    return {};
}

struct Press {
    std::uint64_t device;  // the ServedDevice's key
    std::size_t destination;
};

// Presses from the listeners' threads, signals from the signal thread.
struct Inbox {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Press> presses;
    bool stop = false;
};

// One scanner: the backend's handle and one subscription per destination.
struct ServedDevice {
    std::string saneName;
    std::unique_ptr<wsd::Scanner> scanner;
    std::vector<std::unique_ptr<wsd::PanelSubscription>> subscriptions;
    int rescansWithoutSubscription = 0;
};

// Rescans in a row (a minute apart) that found none of a device's
// subscriptions alive: the device is then dropped and found afresh (it may
// have a new address, or have been gone).
constexpr int LostAfterRescans = 2;

class Daemon {
public:
    Daemon(scand::Settings settings, wsd::Config config)
        : settings_(std::move(settings)), config_(std::move(config)), devices_(config_)
    {
    }
    ~Daemon();
    // Only the daemon that holds the served-devices lock touches the ledger.
    bool claim(std::string *error) { return claimed_ = servedFile_.claim(wsd::servedDevicesPath(), error); }
    // Unsubscribes what a daemon before us (killed, so silent) left on panels.
    void leaveStaleSubscriptions();
    // Subscribes at every device found that is not served yet.
    void serveNewDevices();
    // Drops the devices whose subscriptions stay lost, to be found again.
    void dropLostDevices();
    // Handles presses until a signal (or, with once, after one press).
    int run(bool once);
    void stop();

private:
    void serve(const wsd::DeviceRecord &record);
    void handle(const Press &press);
    // Writes the live subscriptions' managers to the ledger.
    void recordSubscriptions();
    // Runs the job, each page into document; false when a page failed.
    bool scan(wsd::Scanner &scanner, const scand::Destination &destination, wsd::PanelPress press,
              scand::DocumentWriter &document);

    const scand::Settings settings_;
    wsd::Config config_;
    const std::string ledgerPath_ = scand::ledgerPath();
    bool claimed_ = false;
    wsd::DeviceList devices_;
    scand::Notifier notifier_;
    wsd::ServedDevicesFile servedFile_;
    Inbox inbox_;
    // After inbox_: destroyed first, so no listener calls into a gone inbox.
    std::map<std::uint64_t, ServedDevice> served_;
    std::uint64_t nextKey_ = 0;
};

std::string timestamp()
{
    char text[32];
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    std::strftime(text, sizeof text, "scan-%Y%m%d-%H%M%S", &local);
    return text;
}

Daemon::~Daemon()
{
    served_.clear();  // Unsubscribes everywhere
    if (claimed_)
        scand::writeLedger(ledgerPath_, {});
}

void Daemon::leaveStaleSubscriptions()
{
    for (const wsd::events::SubscriptionManager &manager : scand::readLedger(ledgerPath_)) {
        // The device may have forgotten it (reboot, expiry): any answer will do.
        auto done = wsd::wsscan::Client(wsd::cancelHttpOptions(config_)).call(wsd::events::unsubscribe(manager));
        say(Info, "left a destination a previous wsd-scand did not: %s%s", manager.address.c_str(),
            done ? "" : " (the device no longer had it)");
    }
    scand::writeLedger(ledgerPath_, {});
}

void Daemon::recordSubscriptions()
{
    std::vector<wsd::events::SubscriptionManager> managers;
    for (const auto &[key, device] : served_)
        for (const auto &subscription : device.subscriptions)
            if (auto manager = subscription->manager())
                managers.push_back(std::move(*manager));
    if (!scand::writeLedger(ledgerPath_, managers))
        say(Warning, "cannot write %s: after a crash, the next start cannot clear the panels",
            ledgerPath_.c_str());
}

void Daemon::dropLostDevices()
{
    for (auto it = served_.begin(); it != served_.end();) {
        ServedDevice &device = it->second;
        const bool alive = std::any_of(device.subscriptions.begin(), device.subscriptions.end(),
                                       [](const auto &subscription) { return subscription->manager().has_value(); });
        device.rescansWithoutSubscription = alive ? 0 : device.rescansWithoutSubscription + 1;
        if (device.rescansWithoutSubscription < LostAfterRescans) {
            ++it;
            continue;
        }
        say(Warning, "%s: no subscription for a while; looking for the scanner again", device.saneName.c_str());
        it = served_.erase(it);
    }
}

void Daemon::serveNewDevices()
{
    const SANE_Device **list = devices_.refresh(false);
    for (; list && *list; ++list) {
        const std::string name = (*list)->name;
        if (std::any_of(served_.begin(), served_.end(), [&](const auto &d) { return d.second.saneName == name; }))
            continue;
        if (std::optional<wsd::DeviceRecord> record = devices_.find(name))
            serve(*record);
    }
    std::vector<std::string> urls;
    for (const auto &[key, d] : served_)
        urls.insert(urls.end(), d.scanner->device().scanServiceUrls.begin(), d.scanner->device().scanServiceUrls.end());
    servedFile_.publish(urls);
    recordSubscriptions();
}

void Daemon::serve(const wsd::DeviceRecord &record)
{
    ServedDevice device;
    device.saneName = record.saneName;
    if (wsd::Scanner::open(record, config_, device.scanner) != SANE_STATUS_GOOD) {
        say(Warning, "%s: not reachable now; trying again later", record.saneName.c_str());
        return;
    }
    const std::uint64_t key = nextKey_++;
    for (std::size_t i = 0; i < settings_.destinations.size(); ++i) {
        wsd::PanelConfig panel;
        panel.serviceUrl = device.scanner->device().scanServiceUrls.front();
        // Discovery's Hello after a reboot makes the subscription check
        // itself at once, not at the next Renew minutes later.
        panel.endpoint = device.scanner->device().endpointUuid;
        panel.displayName = settings_.destinations[i].displayName;
        panel.http = wsd::httpOptions(config_);
        panel.closeHttp = wsd::cancelHttpOptions(config_);
        panel.expires = SubscriptionExpiry;
        panel.onPress = [this, key, i] {
            std::lock_guard<std::mutex> lock(inbox_.mutex);
            inbox_.presses.push_back({key, i});
            inbox_.wake.notify_all();
        };
        auto subscription = wsd::PanelSubscription::start(
            panel, std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.requestTimeoutMs));
        if (!subscription) {
            say(Warning, "%s: the scanner took no subscription for \"%s\"", record.saneName.c_str(),
                panel.displayName.c_str());
            continue;
        }
        device.subscriptions.push_back(std::move(subscription));
    }
    if (device.subscriptions.size() != settings_.destinations.size()) {
        // All or nothing: the subscriptions made Unsubscribe as they go.
        say(Warning, "%s: not all destinations shown; trying again later", record.saneName.c_str());
        return;
    }
    say(Info, "%s: this computer is on the panel (%zu destinations)", record.saneName.c_str(),
        device.subscriptions.size());
    served_.emplace(key, std::move(device));
}

bool Daemon::scan(wsd::Scanner &scanner, const scand::Destination &destination, wsd::PanelPress press,
                  scand::DocumentWriter &document)
{
    if (!destination.mode.empty() && !scand::setOption(scanner, SANE_NAME_SCAN_MODE, destination.mode))
        say(Warning, "the scanner has no mode \"%s\"; scanning with %s", destination.mode.c_str(),
            scand::optionText(scanner, SANE_NAME_SCAN_MODE).c_str());
    if (destination.resolution &&
        !scand::setOption(scanner, SANE_NAME_SCAN_RESOLUTION, std::to_string(destination.resolution)))
        say(Warning, "the scanner has no resolution %d", destination.resolution);
    // The panel's choice of source wins over the configured one.
    if (press.inputSource.empty() && !destination.source.empty() &&
        !scand::setOption(scanner, SANE_NAME_SCAN_SOURCE, destination.source))
        say(Warning, "the scanner has no source \"%s\"", destination.source.c_str());
    scanner.queuePanelPress(std::move(press));
    bool ok = true;
    for (scand::Page page;;) {
        const int dpi = scand::optionInt(scanner, SANE_NAME_SCAN_RESOLUTION);
        const SANE_Status status = scand::readPage(scanner, dpi, page);
        if (status == SANE_STATUS_NO_DOCS && document.pages() > 0)
            break;  // the feeder is empty: the batch is over
        std::string error;
        if (status != SANE_STATUS_GOOD || !document.addPage(page, &error)) {
            say(Err, "page %zu: %s", document.pages() + 1,
                status != SANE_STATUS_GOOD ? sane_strstatus(status) : error.c_str());
            ok = false;
            break;
        }
        // Flatbed: one page. A feeder: pages until it reports no more.
        if (scand::optionText(scanner, SANE_NAME_SCAN_SOURCE).compare(0, 3, "ADF") != 0)
            break;
    }
    scanner.cancel();
    return ok;
}

void Daemon::handle(const Press &press)
{
    auto found = served_.find(press.device);
    if (found == served_.end())
        return;  // dropped since (dropLostDevices)
    ServedDevice &device = found->second;
    const scand::Destination &destination = settings_.destinations.at(press.destination);
    std::optional<wsd::PanelPress> pending = device.subscriptions.at(press.destination)->takePress();
    if (!pending)
        return;
    say(Info, "%s: Scan pressed for \"%s\"", device.saneName.c_str(), destination.displayName.c_str());
    mkdir(settings_.folder.c_str(), 0700);
    scand::DocumentWriter document(destination.format, settings_.folder,
                                   scand::freeBaseName(settings_.folder, timestamp(), destination.format));
    const bool complete = scan(*device.scanner, destination, std::move(*pending), document);
    // The pages that came are kept even when a later one failed.
    std::string error = "no page arrived";
    std::vector<std::string> files = document.pages() ? document.finish(&error) : std::vector<std::string>();
    if (files.empty()) {
        say(Err, "the scan from %s: %s", device.saneName.c_str(), error.c_str());
        notifier_.show("Scan failed", "The scan from " + device.saneName + ": " + error);
        return;
    }
    say(Notice, "%zu page(s) from %s written%s: %s%s", document.pages(), device.saneName.c_str(),
        complete ? "" : " (then the scan failed)", files.front().c_str(), files.size() > 1 ? " ..." : "");
    notifier_.show(complete ? "Scan received" : "Scan incomplete",
                   std::to_string(document.pages()) + " page(s) in " + files.front());
}

int Daemon::run(bool once)
{
    std::unique_lock<std::mutex> lock(inbox_.mutex);
    for (;;) {
        inbox_.wake.wait_for(lock, RescanInterval, [this] { return inbox_.stop || !inbox_.presses.empty(); });
        if (inbox_.stop)
            return 0;
        if (inbox_.presses.empty()) {
            lock.unlock();
            dropLostDevices();
            serveNewDevices();
            lock.lock();
            continue;
        }
        const Press press = inbox_.presses.front();
        inbox_.presses.pop_front();
        lock.unlock();
        handle(press);
        if (once)
            return 0;
        // A subscription made again since (device reboot) is recorded now.
        recordSubscriptions();
        lock.lock();
    }
}

void Daemon::stop()
{
    std::lock_guard<std::mutex> lock(inbox_.mutex);
    inbox_.stop = true;
    inbox_.wake.notify_all();
}

}  // namespace

int main(int argc, char **argv)
{
    static const option longOptions[] = {{"config", required_argument, nullptr, 'c'},
                                         {"folder", required_argument, nullptr, 'f'},
                                         {"once", no_argument, nullptr, 'o'},
                                         {"verbose", no_argument, nullptr, 'v'},
                                         {"help", no_argument, nullptr, 'h'},
                                         {nullptr, 0, nullptr, 0}};
    std::string configPath = defaultConfigPath(), folder;
    bool once = false;
    int verbose = 0;
    for (int c; (c = getopt_long(argc, argv, "c:f:vh", longOptions, nullptr)) != -1;) {
        switch (c) {
        case 'c': configPath = optarg; break;
        case 'f': folder = optarg; break;
        case 'o': once = true; break;
        case 'v': ++verbose; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    // A daemon's journal keeps the backend's errors and warnings (a refused
    // event, a connection from another host, a failed Renew) unless
    // SANE_DEBUG_WSD says otherwise; -v adds more.
    wsd::log::setLevel(wsd::log::Warning);
    wsd::log::init();
    if (verbose)
        wsd::log::setLevel(wsd::log::Warning + verbose);

    std::string text;
    if (std::ifstream in{configPath}) {
        std::ostringstream all;
        all << in.rdbuf();
        text = all.str();
    }
    std::string error;
    std::optional<scand::Settings> settings = scand::parseSettings(text, hostName(), &error);
    if (!settings) {
        say(Err, "%s:%s", configPath.c_str(), error.c_str());
        return 2;
    }
    if (!folder.empty())
        settings->folder = folder;

    wsd::Config config = wsd::loadConfig();
    // The daemon's own subscriptions show this computer; its handles add none.
    config.pushDestination = "off";

    // Signals are taken by one thread (sigwait); every other thread, the
    // listeners' too, is started after they are blocked.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    Daemon daemon(std::move(*settings), std::move(config));
    if (!daemon.claim(&error)) {
        say(Err, "%s", error.c_str());
        return 1;
    }
    std::atomic<bool> finished{false};
    std::thread signalThread([&daemon, &finished, signals] {
        int received = 0;
        sigwait(&signals, &received);
        if (!finished)
            say(Info, "signal %d: leaving the panels", received);
        daemon.stop();
    });
    daemon.leaveStaleSubscriptions();
    daemon.serveNewDevices();
    const int status = daemon.run(once);
    // The run ended by itself (--once): the signal thread is woken to end.
    finished = true;
    pthread_kill(signalThread.native_handle(), SIGTERM);
    signalThread.join();
    return status;
}
