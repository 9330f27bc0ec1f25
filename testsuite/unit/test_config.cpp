#include "suites.h"

#include "wsd/config.h"

#include <cstdlib>
#include <string>
#include <unistd.h>

START_TEST(parses_every_setting)
{
    wsd::Config c;
    wsd::parseConfig(c,
                     "# comment\n"
                     "discovery = off\n"
                     "multicast=no\n"
                     "cups = off\n"
                     "discovery-cache = off\n"
                     "interface = veth0\n"
                     "exclude-interface = docker0\n"
                     "discovery-timeout = 750   # trailing comment\n"
                     "cancel-timeout = 1500\n"
                     "open-deadline = 4000\n"
                     "start-deadline = 9000\n"
                     "warm-up-wait = 45000\n"
                     "tls-verify = on\n"
                     "trace = /tmp/wsd trace\n"
                     "push-destination = Alice's desk   # on the panel\n"
                     "device \"Office MFP\" http://198.18.0.2:5357/dev\n"
                     "device lab https://[fd00:5ca::2]:5358/scan\n"
                     "quirk lab rotate-back-side=on, scan-path=off\n",
                     "test.conf");
    ck_assert(!c.discovery);
    ck_assert(!c.multicast);
    ck_assert(!c.cups);
    ck_assert(!c.discoveryCache);
    ck_assert(c.tlsVerify);
    ck_assert_uint_eq(c.interfaces.size(), 1);
    ck_assert_str_eq(c.interfaces[0].c_str(), "veth0");
    ck_assert_str_eq(c.excludedInterfaces[0].c_str(), "docker0");
    ck_assert_int_eq(c.discoveryTimeoutMs, 750);
    ck_assert_int_eq(c.cancelTimeoutMs, 1500);
    ck_assert_int_eq(c.openDeadlineMs, 4000);
    ck_assert_int_eq(c.startDeadlineMs, 9000);
    ck_assert_int_eq(c.warmUpWaitMs, 45000);
    ck_assert_int_eq(wsd::Config().warmUpWaitMs, 30000);  // the documented default
    ck_assert_str_eq(c.traceDir.c_str(), "/tmp/wsd trace");
    ck_assert_str_eq(c.pushDestination.c_str(), "Alice's desk");
    ck_assert_uint_eq(c.devices.size(), 2);
    ck_assert_str_eq(c.devices[0].name.c_str(), "Office MFP");
    ck_assert_str_eq(c.devices[0].url.c_str(), "http://198.18.0.2:5357/dev");
    ck_assert_str_eq(c.devices[1].name.c_str(), "lab");
    ck_assert_str_eq(c.devices[1].url.c_str(), "https://[fd00:5ca::2]:5358/scan");
    ck_assert_uint_eq(c.quirks.size(), 1);
    ck_assert_str_eq(c.quirks[0].device.c_str(), "lab");
    ck_assert_str_eq(c.quirks[0].pairs.c_str(), "rotate-back-side=on, scan-path=off");
}
END_TEST

START_TEST(skips_bad_lines_and_keeps_going)
{
    wsd::Config c;
    wsd::parseConfig(c,
                     std::string("discovery = maybe\n"
                                 "nonsense\n"
                                 "device onlyname\n"
                                 "device x ftp://198.18.0.2/\n"
                                 "device \"unterminated http://x/\n"
                                 "discovery-timeout = -5\n"
                                 "unknown = 1\n"
                                 "quirk lab no-such-quirk=on\n"
                                 "quirk lab\n"
                                 "push-destination = ") +
                         std::string(300, 'x') +  // longer than a ClientDisplayName may be
                         "\n"
                         "multicast = off\n",
                     "bad.conf");
    ck_assert(c.discovery);  // the bad value left the default
    ck_assert(!c.multicast);  // the good line after the bad ones still counts
    ck_assert_uint_eq(c.devices.size(), 0);
    ck_assert_uint_eq(c.quirks.size(), 0);
    ck_assert_int_eq(c.discoveryTimeoutMs, 1000);
    ck_assert(c.pushDestination.empty());
}
END_TEST

START_TEST(environment_overrides_file)
{
    wsd::Config c;
    wsd::parseConfig(c, "discovery = on\ncups = on\n", "x.conf");
    ck_assert(c.cups);
    setenv("SANE_WSD_DISCOVERY", "off", 1);
    setenv("SANE_WSD_CUPS", "off", 1);
    setenv("SANE_WSD_DEVICE", "http://127.0.0.1:5357/a; Lab Sim=http://127.0.0.1:5358/b ; ftp://no", 1);
    wsd::applyEnvironment(c);
    ck_assert(!c.discovery);
    ck_assert(!c.cups);
    unsetenv("SANE_WSD_CUPS");
    ck_assert_uint_eq(c.devices.size(), 2);
    ck_assert_str_eq(c.devices[0].url.c_str(), "http://127.0.0.1:5357/a");
    ck_assert_str_eq(c.devices[1].name.c_str(), "Lab Sim");
    ck_assert_str_eq(c.devices[1].url.c_str(), "http://127.0.0.1:5358/b");
    unsetenv("SANE_WSD_DEVICE");
    setenv("SANE_WSD_DISCOVERY", "off", 1);
}
END_TEST

START_TEST(finds_file_through_sane_config_dir)
{
    char dir[] = "/tmp/wsd-conf-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    std::string path = std::string(dir) + "/wsd.conf";
    FILE *f = fopen(path.c_str(), "w");
    ck_assert_ptr_nonnull(f);
    fputs("multicast = off\ndevice sim http://127.0.0.1:1/\n", f);
    fclose(f);
    std::string dirs = std::string("/nonexistent:") + dir;
    setenv("SANE_CONFIG_DIR", dirs.c_str(), 1);
    wsd::Config c = wsd::loadConfig();
    unsetenv("SANE_CONFIG_DIR");
    remove(path.c_str());
    rmdir(dir);
    ck_assert(!c.multicast);
    ck_assert_uint_eq(c.devices.size(), 1);
    ck_assert_uint_eq(c.sources.size(), 1);
    ck_assert_str_eq(c.sources[0].c_str(), path.c_str());
}
END_TEST

Suite *configSuite()
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("wsd.conf");
    tcase_add_test(tc, parses_every_setting);
    tcase_add_test(tc, skips_bad_lines_and_keeps_going);
    tcase_add_test(tc, environment_overrides_file);
    tcase_add_test(tc, finds_file_through_sane_config_dir);
    suite_add_tcase(s, tc);
    return s;
}
