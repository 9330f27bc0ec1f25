#include "suites.h"
#include "test_files.h"

#include "wsd/quirks.h"

#include <algorithm>
#include <string>
#include <vector>

namespace {

void assertText(const std::string &got, const char *want) { ck_assert_str_eq(got.c_str(), want); }

}  // namespace

START_TEST(table_by_manufacturer_and_model)
{
    wsd::Quirks q = wsd::quirksFor("Samsung Electronics Co., Ltd.", "M288x Series");
    ck_assert(q.scanPathSuffix);
    ck_assert(!q.rotateBackSide);
    // An image of another size than asked for needs no quirk (page_geometry.h).
    assertText(wsd::describeQuirks(wsd::quirksFor("HP", "HP LaserJet MFP M130fw")), "none");
    // Unknown devices, and other models of a listed maker, get nothing.
    assertText(wsd::describeQuirks(wsd::quirksFor("HP", "OfficeJet 4620")), "none");
    assertText(wsd::describeQuirks(wsd::quirksFor("Brother", "MFC-L2720DW series")), "none");
    assertText(wsd::describeQuirks(wsd::quirksFor("", "")), "none");
}
END_TEST

START_TEST(overrides_from_configuration)
{
    wsd::Quirks q = wsd::quirksFor("Samsung", "M2070");
    std::string error;
    ck_assert(wsd::applyQuirkOverrides(q, "scan-path=off, rotate-back-side=on;", &error));
    ck_assert(!q.scanPathSuffix);
    ck_assert(q.rotateBackSide);
    assertText(wsd::describeQuirks(q), "rotate-back-side");
    ck_assert(wsd::applyQuirkOverrides(q, "  ", &error));  // nothing to do

    // Bad items are reported; good ones around them still apply.
    ck_assert(!wsd::applyQuirkOverrides(q, "rotate-back-side=off bogus=on scan-path=maybe image-size-from-info=on",
                                        &error));
    ck_assert(!q.rotateBackSide);
    ck_assert_msg(error.find("bogus=on, scan-path=maybe, image-size-from-info=on") != std::string::npos, "%s",
                  error.c_str());
    ck_assert_msg(error.find("rotate-back-side") != std::string::npos, "%s", error.c_str());  // names listed
    ck_assert_uint_eq(wsd::quirkNames().size(), 4);
    wsd::Quirks skip;
    ck_assert(wsd::applyQuirkOverrides(skip, "skip-validation=on", nullptr));
    ck_assert(skip.skipTicketValidation);
}
END_TEST

// sane-wsd(5) lists exactly the quirks the code knows: each is a ".TP"
// item of the list after "The quirks:" (between .RS and .RE), its name the
// ".B" line that follows, with groff's "\-" for each hyphen.
START_TEST(man_page_lists_every_quirk)
{
    const std::string page = readTestFile(std::string(WSD_SOURCE_DIR) + "/doc/sane-wsd.5.in");
    const std::size_t intro = page.find("The quirks:\n.RS\n");
    ck_assert_msg(intro != std::string::npos, "sane-wsd(5) has no list after \"The quirks:\"");
    const std::size_t end = page.find("\n.RE\n", intro);
    ck_assert(end != std::string::npos);
    std::vector<std::string> listed;
    const std::string item = "\n.TP\n.B ";
    for (std::size_t at = page.find(item, intro); at != std::string::npos && at < end;
         at = page.find(item, at + 1)) {
        const std::size_t from = at + item.size();
        std::string name = page.substr(from, page.find('\n', from) - from);
        for (std::size_t dash; (dash = name.find("\\-")) != std::string::npos;)
            name.erase(dash, 1);
        listed.push_back(name);
    }
    std::vector<std::string> known = wsd::quirkNames();
    std::sort(listed.begin(), listed.end());
    std::sort(known.begin(), known.end());
    std::string listedText, knownText;
    for (const std::string &n : listed)
        listedText += n + " ";
    for (const std::string &n : known)
        knownText += n + " ";
    assertText(listedText, knownText.c_str());
}
END_TEST

START_TEST(scan_path_url)
{
    assertText(wsd::scanPathUrl("http://198.18.0.2:8018/wsd"), "http://198.18.0.2:8018/wsd/scan");
    assertText(wsd::scanPathUrl("http://198.18.0.2:8018/wsd/"), "http://198.18.0.2:8018/wsd/scan");
    assertText(wsd::scanPathUrl("http://198.18.0.2:8018/wsd/scan"), "http://198.18.0.2:8018/wsd/scan");
    assertText(wsd::scanPathUrl("http://198.18.0.2:8018"), "http://198.18.0.2:8018/scan");
    assertText(wsd::scanPathUrl("http://[fd00:5ca::2]:8018/wsd?x=1"), "http://[fd00:5ca::2]:8018/wsd/scan?x=1");
}
END_TEST

Suite *quirksSuite()
{
    Suite *s = suite_create("quirks");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, table_by_manufacturer_and_model);
    tcase_add_test(tc, overrides_from_configuration);
    tcase_add_test(tc, scan_path_url);
    tcase_add_test(tc, man_page_lists_every_quirk);
    suite_add_tcase(s, tc);
    return s;
}
