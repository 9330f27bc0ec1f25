// wsscan::Client against wsd-sim over loopback HTTP: how far each kind of
// failure got (Failure), the SANE status a fault stands for, whether the
// request left us, and that no redirect is followed.
#include "../sim/device_router.h"
#include "../sim/http_server.h"
#include "test_sim_support.h"
#include "wsd/job_control.h"
#include "wsd/wsscan_client.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

// Last: check.h defines a macro named fail.
#include "suites.h"
#include "temp_registry.h"

namespace {

using namespace wsdsim;
using wsd::wsscan::Client;
using wsd::wsscan::Failure;

// A simulated device on a loopback port of its own.
struct LoopbackDevice {
    std::unique_ptr<SimDevice> device = simtest::makeDevice();
    DeviceRouter router{*device, EndpointPaths{}};
    HttpServer server{{"127.0.0.1"}, 0, [this](const HttpRequest &r) { return router.route(r); }};
    std::string serviceUrl() const { return httpUrl("127.0.0.1", server.port(), "/wsd/scan"); }
    void knob(const char *name, const std::string &value) { ck_assert(device->knobs.set(name, value, nullptr)); }
};

wsd::http::Options quick()
{
    wsd::http::Options o;
    o.connectTimeoutMs = o.timeoutMs = 5000;
    return o;
}

wsd::ScanSettings platen()
{
    wsd::ScanSettings s;
    s.jobName = "sane-wsd/test/1/00000000";
    s.format = "jfif";
    s.colorEntry = "RGB24";
    s.xResolution = s.yResolution = 75;
    s.width = s.height = 1000;
    return s;
}

// How many log entries of `operation` with `outcome` the device has.
long logged(const LoopbackDevice &d, const std::string &operation, const std::string &outcome)
{
    long n = 0;
    for (const LogEntry &e : d.device->log.entries())
        n += e.operation == operation && e.outcome == outcome;
    return n;
}

}  // namespace

START_TEST(answer_decoded)
{
    LoopbackDevice d;
    auto elements = Client(quick()).call(wsd::wsscan::getScannerElements(d.serviceUrl()));
    ck_assert_msg(elements, "%s", elements.error.c_str());
    ck_assert(elements.failure == Failure::None);
    ck_assert_int_eq(elements.status, SANE_STATUS_GOOD);
    ck_assert_int_eq(elements.httpStatus, 200);
    ck_assert(elements.requestSent);
    ck_assert(elements->caps.platen.has_value());
}
END_TEST

START_TEST(fault_becomes_status)
{
    LoopbackDevice d;
    d.knob("busy", "true");
    auto created = Client(quick()).call(wsd::wsscan::createScanJob(d.serviceUrl(), platen()));
    ck_assert(!created);
    ck_assert(created.failure == Failure::Fault);
    ck_assert_int_eq(created.status, SANE_STATUS_DEVICE_BUSY);
    ck_assert(created.fault && created.fault->subcode == "ServerErrorNotAcceptingJobs");
}
END_TEST

START_TEST(lost_answers_after_the_request_left)
{
    LoopbackDevice d;
    d.knob("create-garbage", "true");
    auto garbage = Client(quick()).call(wsd::wsscan::createScanJob(d.serviceUrl(), platen()));
    ck_assert(garbage.failure == Failure::Unreadable);
    ck_assert(garbage.requestSent);
    ck_assert_uint_eq(d.device->jobs.activeJobs().size(), 1);  // the job whose answer was lost

    d.knob("create-garbage", "false");
    d.knob("create-reset", "true");
    auto reset = Client(quick()).call(wsd::wsscan::createScanJob(d.serviceUrl(), platen()));
    ck_assert(reset.failure == Failure::NoAnswer);
    ck_assert(reset.requestSent);
}
END_TEST

START_TEST(wrong_payload_is_invalid)
{
    LoopbackDevice d;
    // A GetActiveJobs answer read as CreateScanJob's.
    wsd::wsscan::Operation<wsd::CreatedJob> confused{"CreateScanJob", d.serviceUrl(),
                                                     wsd::buildGetActiveJobsRequest(d.serviceUrl()),
                                                     wsd::parseCreateScanJobResponse};
    auto result = Client(quick()).call(confused);
    ck_assert(result.failure == Failure::Invalid);
    ck_assert_int_eq(result.status, SANE_STATUS_IO_ERROR);
}
END_TEST

START_TEST(nobody_listening_means_nothing_sent)
{
    std::string url;
    {
        LoopbackDevice gone;
        url = gone.serviceUrl();
    }
    auto result = Client(quick()).call(wsd::wsscan::getActiveJobs(url));
    ck_assert(result.failure == Failure::NoAnswer);
    ck_assert(!result.requestSent);
}
END_TEST

START_TEST(redirect_not_followed)
{
    LoopbackDevice d, elsewhere;
    d.knob("redirect-soap", elsewhere.serviceUrl());
    auto result = Client(quick()).call(wsd::wsscan::getActiveJobs(d.serviceUrl()));
    ck_assert(!result);
    ck_assert_msg(result.error.find(elsewhere.serviceUrl()) != std::string::npos, "error: %s", result.error.c_str());
    ck_assert_uint_eq(elsewhere.device->log.size(), 0);
}
END_TEST

START_TEST(deadline_bounds_every_call)
{
    LoopbackDevice d;
    Client client(quick());
    client.until(std::chrono::steady_clock::now() - std::chrono::milliseconds(1));
    auto late = client.call(wsd::wsscan::getActiveJobs(d.serviceUrl()));
    ck_assert(late.failure == Failure::NoAnswer);
    ck_assert(!late.requestSent);
    ck_assert_uint_eq(d.device->log.size(), 0);

    // A slow answer is cut at the deadline, not at the request timeout.
    d.knob("delay-ms", "3000");
    client.until(std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
    auto slow = client.call(wsd::wsscan::getActiveJobs(d.serviceUrl()));
    ck_assert(slow.failure == Failure::NoAnswer);
    ck_assert(slow.requestSent);
}
END_TEST

START_TEST(job_control_fails_over_to_the_address_that_answers)
{
    std::string closed;
    {
        LoopbackDevice gone;
        closed = gone.serviceUrl();
    }
    LoopbackDevice d;
    TempRegistry registry;
    wsd::http::Session session(quick());
    wsd::JobControl jobs(wsd::JobControlConfig{"test", {closed, d.serviceUrl()}, quick(), 1000, registry.path},
                         session);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    ck_assert_int_eq(jobs.create(platen(), deadline), SANE_STATUS_GOOD);
    SIM_ASSERT_EQ(jobs.job()->serviceUrl, d.serviceUrl());
    ck_assert(jobs.cancel("test over"));
    // The address that answered goes first from now on.
    ck_assert_int_eq(jobs.create(platen(), deadline), SANE_STATUS_GOOD);
    SIM_ASSERT_EQ(jobs.job()->serviceUrl, d.serviceUrl());
    ck_assert(jobs.cancel("test over"));
    ck_assert_uint_eq(d.device->jobs.activeJobs().size(), 0);
    // Both jobs ended: the registry holds neither.
    ck_assert_uint_eq(wsd::parseJobRecords(registry.text()).size(), 0);
}
END_TEST

// A device that keeps a cancelled job Terminating and refuses jobs
// meanwhile: the next job waits for it, within busyWaitMs.
START_TEST(job_control_waits_while_a_cancelled_job_terminates)
{
    LoopbackDevice d;
    TempRegistry registry;
    d.knob("terminating-ms", "300");
    wsd::http::Session session(quick());
    wsd::JobControl jobs(wsd::JobControlConfig{"test", {d.serviceUrl()}, quick(), 20000, registry.path}, session);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    ck_assert_int_eq(jobs.create(platen(), deadline), SANE_STATUS_GOOD);
    const long first = jobs.job()->id;
    ck_assert(jobs.cancel("test"));
    SIM_ASSERT_EQ(jobStateName(d.device->jobs.find(first)->state), "Terminating");
    ck_assert_int_eq(jobs.create(platen(), deadline), SANE_STATUS_GOOD);
    SIM_ASSERT_EQ(jobStateName(d.device->jobs.find(first)->state), "Canceled");
    ck_assert_int_ge(logged(d, "CreateScanJob", "fault:ServerErrorNotAcceptingJobs"), 1);
    ck_assert_int_eq(logged(d, "CancelJob", "ok"), 1);
    ck_assert(jobs.cancel("test over"));
}
END_TEST

START_TEST(job_control_busy_device_is_not_waited_for)
{
    LoopbackDevice d;
    TempRegistry registry;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    wsd::http::Session session(quick());
    // Busy with no cancelled job in sight: DEVICE_BUSY at the first refusal.
    d.knob("busy", "true");
    wsd::JobControl fresh(wsd::JobControlConfig{"test", {d.serviceUrl()}, quick(), 20000, registry.path}, session);
    ck_assert_int_eq(fresh.create(platen(), deadline), SANE_STATUS_DEVICE_BUSY);
    ck_assert_int_eq(logged(d, "CreateScanJob", "fault:ServerErrorNotAcceptingJobs"), 1);
    d.knob("busy", "false");

    // A job Terminating longer than busyWaitMs: asked again, then DEVICE_BUSY.
    d.knob("terminating-ms", "60000");
    wsd::JobControl jobs(wsd::JobControlConfig{"test", {d.serviceUrl()}, quick(), 500, registry.path}, session);
    ck_assert_int_eq(jobs.create(platen(), deadline), SANE_STATUS_GOOD);
    ck_assert(jobs.cancel("test"));
    ck_assert_int_eq(jobs.create(platen(), deadline), SANE_STATUS_DEVICE_BUSY);
    ck_assert_int_ge(logged(d, "CreateScanJob", "fault:ServerErrorNotAcceptingJobs"), 3);
    ck_assert(!jobs.job());
}
END_TEST

Suite *wsscanClientSuite()
{
    Suite *s = suite_create("wsscan_client");
    TCase *tc = tcase_create("client");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, answer_decoded);
    tcase_add_test(tc, fault_becomes_status);
    tcase_add_test(tc, lost_answers_after_the_request_left);
    tcase_add_test(tc, wrong_payload_is_invalid);
    tcase_add_test(tc, nobody_listening_means_nothing_sent);
    tcase_add_test(tc, redirect_not_followed);
    tcase_add_test(tc, deadline_bounds_every_call);
    tcase_add_test(tc, job_control_fails_over_to_the_address_that_answers);
    tcase_add_test(tc, job_control_waits_while_a_cancelled_job_terminates);
    tcase_add_test(tc, job_control_busy_device_is_not_waited_for);
    suite_add_tcase(s, tc);
    return s;
}
