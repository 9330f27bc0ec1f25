// The device cache file: what goes in comes out, a corrupt or hostile file
// gives what parses of it and nothing else, and two processes writing at
// once never leave a file that does not parse.
#include "wsd/device_cache.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

// After the standard headers: check.h defines a macro named fail.
#include "suites.h"

namespace {

wsd::DiscoveredDevice device(int n)
{
    wsd::DiscoveredDevice d;
    d.endpointUuid = "urn:uuid:5ca00000-0000-4000-8000-0000000000" + std::to_string(10 + n);
    d.friendlyName = "Office \"MFP\" <" + std::to_string(n) + "> & co";
    d.manufacturer = "Maker";
    d.model = "M" + std::to_string(n);
    d.deviceUrls = {"http://198.18.0." + std::to_string(n) + ":5357/wsd", "http://[fd00:5ca::2]:5357/wsd"};
    d.scanServiceUrls = {"http://198.18.0." + std::to_string(n) + ":5357/wsd/scan"};
    d.foundBy = "multicast";
    d.printQueues = {"Office_MFP"};
    return d;
}

std::vector<wsd::DiscoveredDevice> devices(int count)
{
    std::vector<wsd::DiscoveredDevice> out;
    for (int i = 1; i <= count; ++i)
        out.push_back(device(i));
    return out;
}

std::string tempDir()
{
    char dir[] = "/tmp/wsd-cache-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

}  // namespace

START_TEST(what_goes_in_comes_out)
{
    const auto in = devices(3);
    const auto out = wsd::parseDeviceCache(wsd::formatDeviceCache(in));
    ck_assert_uint_eq(out.size(), 3);
    for (std::size_t i = 0; i < in.size(); ++i) {
        ck_assert_str_eq(out[i].endpointUuid.c_str(), in[i].endpointUuid.c_str());
        ck_assert_str_eq(out[i].friendlyName.c_str(), in[i].friendlyName.c_str());
        ck_assert_str_eq(out[i].model.c_str(), in[i].model.c_str());
        ck_assert(out[i].deviceUrls == in[i].deviceUrls);
        ck_assert(out[i].scanServiceUrls == in[i].scanServiceUrls);
        ck_assert(out[i].printQueues == in[i].printQueues);
        ck_assert_str_eq(out[i].foundBy.c_str(), "multicast");
    }
    ck_assert(wsd::parseDeviceCache(wsd::formatDeviceCache({})).empty());
}
END_TEST

START_TEST(a_corrupt_file_gives_what_parses)
{
    ck_assert(wsd::parseDeviceCache("").empty());
    ck_assert(wsd::parseDeviceCache("garbage\x01\xff").empty());
    const std::string whole = wsd::formatDeviceCache(devices(2));
    ck_assert(wsd::parseDeviceCache(whole.substr(0, whole.size() / 2)).empty());  // cut short
    ck_assert(wsd::parseDeviceCache("<other><device uuid=\"u\"><xaddr>http://h/</xaddr></device></other>").empty());
    ck_assert(wsd::parseDeviceCache("<!DOCTYPE devices [<!ENTITY x \"y\">]><devices/>").empty());
    // A device without endpoint address or without a usable device URL is
    // dropped; its neighbours stay; URLs that are not http(s) go.
    const auto out = wsd::parseDeviceCache("<devices>"
                                           "<device><xaddr>http://198.18.0.2/wsd</xaddr></device>"
                                           "<device uuid=\"urn:uuid:a\"><xaddr>ftp://198.18.0.2/</xaddr></device>"
                                           "<device uuid=\"urn:uuid:b\"><xaddr>file:///etc/passwd</xaddr>"
                                           "<xaddr>http://198.18.0.3/wsd</xaddr><scan>javascript:x</scan>"
                                           "<unknown>x</unknown></device>"
                                           "</devices>");
    ck_assert_uint_eq(out.size(), 1);
    ck_assert_str_eq(out[0].endpointUuid.c_str(), "urn:uuid:b");
    ck_assert_uint_eq(out[0].deviceUrls.size(), 1);
    ck_assert(out[0].scanServiceUrls.empty());
}
END_TEST

START_TEST(sizes_are_bounded)
{
    std::string text = "<devices>";
    for (int i = 0; i < 300; ++i)
        text += "<device uuid=\"urn:uuid:" + std::to_string(i) + "\"><xaddr>http://198.18.0.2/" + std::to_string(i) +
                "</xaddr></device>";
    text += "<device uuid=\"" + std::string(5000, 'u') + "\"><xaddr>http://198.18.0.2/</xaddr></device></devices>";
    ck_assert_uint_eq(wsd::parseDeviceCache(text).size(), wsd::DeviceCache::MaxDevices);
    std::string many = "<devices><device uuid=\"urn:uuid:m\">";
    for (int i = 0; i < 100; ++i)
        many += "<xaddr>http://198.18.0.2/" + std::to_string(i) + "</xaddr>";
    many += "</device></devices>";
    const auto out = wsd::parseDeviceCache(many);
    ck_assert_uint_eq(out.size(), 1);
    ck_assert_uint_le(out[0].deviceUrls.size(), 16);
}
END_TEST

START_TEST(store_replaces_and_load_reads)
{
    const std::string dir = tempDir();
    const wsd::DeviceCache cache(dir + "/sub/devices.xml");
    ck_assert(cache.load().empty());  // no file yet
    cache.store(devices(2));
    ck_assert_uint_eq(cache.load().size(), 2);
    cache.store(devices(1));
    ck_assert_uint_eq(cache.load().size(), 1);
    std::FILE *f = std::fopen((dir + "/sub/devices.xml").c_str(), "w");
    std::fputs("<devices><device", f);  // a writer that died half-way, by hand
    std::fclose(f);
    ck_assert(cache.load().empty());
    cache.store(devices(3));
    ck_assert_uint_eq(cache.load().size(), 3);
    ck_assert_int_eq(std::system(("rm -rf '" + dir + "'").c_str()), 0);
}
END_TEST

// Two processes store different lists as fast as they can while this one
// reads: every read is one whole list or the other.
START_TEST(two_writers_never_leave_a_broken_file)
{
    const std::string dir = tempDir();
    const std::string path = dir + "/devices.xml";
    wsd::DeviceCache(path).store(devices(1));
    pid_t writers[2];
    for (int w = 0; w < 2; ++w) {
        writers[w] = fork();
        ck_assert_int_ge(writers[w], 0);
        if (writers[w] == 0) {
            const wsd::DeviceCache cache(path);
            const auto list = devices(w == 0 ? 5 : 9);
            for (int i = 0; i < 200; ++i)
                cache.store(list);
            _exit(0);
        }
    }
    const wsd::DeviceCache reader(path);
    for (int i = 0; i < 400; ++i) {
        const std::size_t n = reader.load().size();
        ck_assert_msg(n == 1 || n == 5 || n == 9, "read %zu devices", n);
    }
    for (pid_t p : writers) {
        int status = 0;
        ck_assert_int_eq(waitpid(p, &status, 0), p);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    const std::size_t n = reader.load().size();
    ck_assert(n == 5 || n == 9);
    ck_assert_int_eq(std::system(("rm -rf '" + dir + "'").c_str()), 0);
}
END_TEST

Suite *deviceCacheSuite()
{
    Suite *s = suite_create("device_cache");
    TCase *tc = tcase_create("file");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, what_goes_in_comes_out);
    tcase_add_test(tc, a_corrupt_file_gives_what_parses);
    tcase_add_test(tc, sizes_are_bounded);
    tcase_add_test(tc, store_replaces_and_load_reads);
    tcase_add_test(tc, two_writers_never_leave_a_broken_file);
    suite_add_tcase(s, tc);
    return s;
}
