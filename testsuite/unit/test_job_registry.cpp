#include "wsd/job_registry.h"


#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

// Last: check.h defines a macro named fail, which <fstream> uses.
#include "suites.h"
#include "temp_registry.h"

namespace {

using wsd::JobRecord;
using wsd::JobRegistry;
using wsd::ProcessIdentity;

// This process's PID, but a later start time: the PID now belongs to
// another process, so the recorded one is gone.
ProcessIdentity reusedPid(const ProcessIdentity &self)
{
    ProcessIdentity gone = self;
    gone.startTime = self.startTime + 1;
    return gone;
}

JobRecord job(const std::string &device, int id, const std::string &name, const ProcessIdentity &creator)
{
    return JobRecord{device, id, name, creator};
}

}  // namespace

START_TEST(self_identity_is_complete)
{
    ProcessIdentity self = ProcessIdentity::self();
    ck_assert(!self.bootId.empty());
    ck_assert_uint_ne(self.pidNamespace, 0);
    ck_assert_int_eq(self.pid, getpid());
    ck_assert_uint_ne(self.startTime, 0);
    ck_assert(!self.provablyGoneFor(self));
}
END_TEST

START_TEST(only_provably_gone_creators)
{
    const ProcessIdentity self = ProcessIdentity::self();
    ProcessIdentity otherNamespace = reusedPid(self);
    otherNamespace.pidNamespace = self.pidNamespace + 1;
    ProcessIdentity otherBoot = reusedPid(self);
    otherBoot.bootId = "00000000-0000-0000-0000-000000000000";
    ck_assert(reusedPid(self).provablyGoneFor(self));
    ck_assert(!otherNamespace.provablyGoneFor(self));
    ck_assert(!otherBoot.provablyGoneFor(self));

    TempRegistry t;
    JobRegistry registry(t.path);
    registry.record(job("office", 1, "sane-wsd/h/1/live", self));
    registry.record(job("office", 2, "sane-wsd/h/1/gone", reusedPid(self)));
    registry.record(job("office", 3, "sane-wsd/h/1/sandbox", otherNamespace));
    registry.record(job("office", 4, "sane-wsd/h/1/boot", otherBoot));
    registry.record(job("lab", 5, "sane-wsd/h/1/lab", reusedPid(self)));
    auto orphans = registry.takeOrphans("office", self, 8);
    ck_assert_uint_eq(orphans.size(), 1);
    ck_assert_int_eq(orphans[0].jobId, 2);
    ck_assert_str_eq(orphans[0].jobName.c_str(), "sane-wsd/h/1/gone");
    // Taken once: the record is gone; the others stay.
    ck_assert_uint_eq(registry.takeOrphans("office", self, 8).size(), 0);
    ck_assert_uint_eq(registry.takeOrphans("lab", self, 8).size(), 1);
    ck_assert_ptr_nonnull(strstr(t.text().c_str(), "sane-wsd/h/1/sandbox"));
}
END_TEST

START_TEST(record_replaces_by_name_and_forget_removes)
{
    const ProcessIdentity gone = reusedPid(ProcessIdentity::self());
    TempRegistry t;
    JobRegistry registry(t.path);
    registry.record(job("office", 0, "sane-wsd/h/1/a", gone));  // before CreateScanJob answers
    registry.record(job("office", 7, "sane-wsd/h/1/a", gone));  // its JobId
    registry.record(job("office", 8, "sane-wsd/h/1/b", gone));
    registry.forget("sane-wsd/h/1/b");
    auto orphans = registry.takeOrphans("office", ProcessIdentity::self(), 8);
    ck_assert_uint_eq(orphans.size(), 1);
    ck_assert_int_eq(orphans[0].jobId, 7);
}
END_TEST

START_TEST(corrupt_file_costs_only_its_bad_lines)
{
    const ProcessIdentity self = ProcessIdentity::self();
    TempRegistry t;
    JobRegistry registry(t.path);
    registry.record(job("office", 9, "sane-wsd/h/1/good", reusedPid(self)));
    {
        std::ofstream out(t.path, std::ios::app | std::ios::binary);
        out << "not a record\n\t\t\t\t\t\t\n" << std::string(300, '\xff') << "\noffice\t-4\tx\tb\t1\t1\t1\n";
    }
    auto orphans = registry.takeOrphans("office", self, 8);
    ck_assert_uint_eq(orphans.size(), 1);
    ck_assert_int_eq(orphans[0].jobId, 9);
}
END_TEST

START_TEST(size_and_takes_are_bounded)
{
    const ProcessIdentity gone = reusedPid(ProcessIdentity::self());
    TempRegistry t;
    JobRegistry registry(t.path);
    for (std::size_t i = 0; i < JobRegistry::MaxRecords + 10; ++i)
        registry.record(job("office", static_cast<int>(i + 1), "sane-wsd/h/1/" + std::to_string(i), gone));
    const std::string text = t.text();
    ck_assert_uint_eq(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')), JobRegistry::MaxRecords);
    // The oldest went first.
    ck_assert_ptr_null(strstr(text.c_str(), "sane-wsd/h/1/9\t"));
    ck_assert_uint_eq(registry.takeOrphans("office", ProcessIdentity::self(), 8).size(), 8);
    // A field that would break the line format is never written.
    registry.record(job("office\nlab", 1, "sane-wsd/h/1/x", gone));
    ck_assert_ptr_null(strstr(t.text().c_str(), "sane-wsd/h/1/x"));
}
END_TEST

START_TEST(shared_directory_refused)
{
    // Records another user could write would name jobs for us to cancel.
    const ProcessIdentity gone = reusedPid(ProcessIdentity::self());
    TempRegistry t;
    const std::string sub = std::string(t.dir) + "/sub";
    ck_assert_int_eq(mkdir(sub.c_str(), 0700), 0);
    ck_assert_int_eq(chmod(sub.c_str(), 0777), 0);
    JobRegistry registry(t.path);
    registry.record(job("office", 3, "sane-wsd/h/1/planted", gone));
    ck_assert(t.text().empty());
    ck_assert_uint_eq(registry.takeOrphans("office", ProcessIdentity::self(), 8).size(), 0);
}
END_TEST

START_TEST(job_names_are_unique)
{
    const std::string a = wsd::uniqueJobName(), b = wsd::uniqueJobName();
    ck_assert_str_ne(a.c_str(), b.c_str());
    ck_assert_int_eq(a.compare(0, 9, "sane-wsd/"), 0);
}
END_TEST

Suite *jobRegistrySuite()
{
    Suite *s = suite_create("job_registry");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, self_identity_is_complete);
    tcase_add_test(tc, only_provably_gone_creators);
    tcase_add_test(tc, record_replaces_by_name_and_forget_removes);
    tcase_add_test(tc, corrupt_file_costs_only_its_bad_lines);
    tcase_add_test(tc, size_and_takes_are_bounded);
    tcase_add_test(tc, shared_directory_refused);
    tcase_add_test(tc, job_names_are_unique);
    suite_add_tcase(s, tc);
    return s;
}
