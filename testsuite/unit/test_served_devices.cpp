// The devices wsd-scand serves (served_devices.h): a live daemon's list is
// honoured, a stale file (nobody holds the lock) is not, one daemon at a time.
#include "wsd/served_devices.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

// After <fstream>: check.h defines a macro named fail.
#include <check.h>

#include "suites.h"

namespace {

// A fresh folder standing for $XDG_RUNTIME_DIR, removed at the end; the
// file goes in its sane-wsd/.
struct RuntimeDir {
    RuntimeDir()
    {
        char name[] = "/tmp/served-devices-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(name));
        folder = name;
    }
    ~RuntimeDir() { std::filesystem::remove_all(folder); }
    std::string path() const { return folder + "/sane-wsd/wsd-scand.devices"; }
    std::string folder;
};

const std::string Served = "http://198.18.0.2:5357/scan";
const std::string Other = "http://198.18.0.3:5357/scan";

}  // namespace

START_TEST(live_daemon_list_is_honoured)
{
    const RuntimeDir runtime;
    const std::string path = runtime.path();
    ck_assert(!wsd::servedByDaemon({Served}, path));
    auto daemon = std::make_unique<wsd::ServedDevicesFile>();
    std::string error;
    ck_assert_msg(daemon->claim(path, &error), "%s", error.c_str());
    ck_assert(!wsd::servedByDaemon({Served}, path));
    ck_assert(daemon->publish({Other, Served}));
    ck_assert(wsd::servedByDaemon({Served}, path));
    ck_assert(wsd::servedByDaemon({"http://[fd00:5ca::2]/x", Other}, path));
    ck_assert(!wsd::servedByDaemon({"http://198.18.0.4:5357/scan"}, path));
    ck_assert(daemon->publish({Other}));
    ck_assert(!wsd::servedByDaemon({Served}, path));
    daemon.reset();
    ck_assert_int_ne(access(path.c_str(), F_OK), 0);
    ck_assert(!wsd::servedByDaemon({Other}, path));
}
END_TEST

START_TEST(one_daemon_at_a_time)
{
    const RuntimeDir runtime;
    const std::string path = runtime.path();
    wsd::ServedDevicesFile first, second;
    std::string error;
    ck_assert(first.claim(path, &error));
    ck_assert(!second.claim(path, &error));
    ck_assert(error.find("another wsd-scand") != std::string::npos);
}
END_TEST

START_TEST(stale_file_is_ignored)
{
    // A daemon that was killed leaves its file; without its lock it counts for nothing.
    const RuntimeDir runtime;
    const std::string path = runtime.path();
    wsd::ServedDevicesFile daemon;
    std::string error;
    ck_assert(daemon.claim(path, &error));
    const std::string stale = path + ".stale";
    std::ofstream(stale) << Served << "\n";
    ck_assert(!wsd::servedByDaemon({Served}, stale));
    ck_assert(!wsd::servedByDaemon({Served}, ""));
}
END_TEST

Suite *servedDevicesSuite()
{
    Suite *s = suite_create("served devices");
    TCase *tc = tcase_create("lock file");
    tcase_add_test(tc, live_daemon_list_is_honoured);
    tcase_add_test(tc, one_daemon_at_a_time);
    tcase_add_test(tc, stale_file_is_ignored);
    suite_add_tcase(s, tc);
    return s;
}
