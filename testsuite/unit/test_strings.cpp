#include "suites.h"

#include "wsd/strings.h"

#include <string>
#include <vector>

START_TEST(trim_removes_ascii_space_at_both_ends)
{
    ck_assert(wsd::trim(" \t\r\n a b \v\f") == "a b");
    ck_assert(wsd::trim(" \t ").empty());
    ck_assert(wsd::trim("").empty());
    // Bytes above 0x7f are content, whatever the C locale says.
    ck_assert(wsd::trim("\xa0x\xa0") == "\xa0x\xa0");
}
END_TEST

START_TEST(case_folding_is_ascii_only)
{
    const std::string folded = wsd::lower("Content-TYPE: \xc3\x89");
    ck_assert_str_eq(folded.c_str(), "content-type: \xc3\x89");
    ck_assert(wsd::equalsIgnoreCase("multipart/Related", "MULTIPART/related"));
    ck_assert(!wsd::equalsIgnoreCase("abc", "abcd"));
    ck_assert(!wsd::equalsIgnoreCase("[", "{"));  // '[' + 32 is '{': not the same letter
    ck_assert(wsd::startsWithIgnoreCase("CID:part@host", "cid:"));
    ck_assert(!wsd::startsWithIgnoreCase("ci", "cid:"));
}
END_TEST

START_TEST(split_on_runs_of_white_space)
{
    std::vector<std::string_view> words = wsd::splitWhitespace("  a\tbb \r\n ccc  ");
    ck_assert_uint_eq(words.size(), 3);
    ck_assert(words[2] == "ccc");
    ck_assert_uint_eq(wsd::splitWhitespace("a b c d", 2).size(), 2);
    ck_assert(wsd::splitWhitespace(" \t ").empty());
}
END_TEST

Suite *stringsSuite()
{
    Suite *s = suite_create("strings");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, trim_removes_ascii_space_at_both_ends);
    tcase_add_test(tc, case_folding_is_ascii_only);
    tcase_add_test(tc, split_on_runs_of_white_space);
    suite_add_tcase(s, tc);
    return s;
}
