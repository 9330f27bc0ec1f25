// The control endpoint tests talk to (loopback only, JSON over HTTP):
//   GET  /log                 every operation received (time of arrival in µs, operation, jobId, outcome, client)
//   GET  /jobs                every job: id, state, reasons, images, user, name, ..., ended (µs)
//   GET  /active              ids of the active jobs
//   GET  /knobs               current knob values
//   GET  /status              ScannerState and the conditions in force
//   POST /knobs               {"knob": value, ...}, all or nothing; answers the knobs
//   POST /reset-log           empties the log
//   POST /cancel-active       ends every active job Canceled (the panel's Stop); answers their ids
//   POST /create-foreign-job  {"user": "...", "name": "..."} optional; a job of another user
//   POST /reboot              the device forgets every job and subscription, and announces a new
//                             WS-Discovery InstanceId (when it does discovery)
//   GET  /panel               the destinations the panel shows (one per ScanDestination subscribed)
//   POST /panel/press         {"destination": NAME, "source": "Platen"|"ADF", "pages": N}: the user
//                             picks NAME and presses Scan; ScanAvailableEvent goes to its subscriber
#pragma once

#include "http_reply.h"
#include "sim_device.h"

#include <nlohmann/json_fwd.hpp>

#include <functional>

namespace wsdsim {

class ControlApi {
public:
    // onReboot: what else a reboot restarts (WS-Discovery with a new InstanceId).
    explicit ControlApi(SimDevice &device, std::function<void()> onReboot = nullptr)
        : device_(device), onReboot_(std::move(onReboot))
    {
    }
    HttpReply route(const HttpRequest &request);

    nlohmann::ordered_json jobsJson() const;
    nlohmann::ordered_json activeJson() const;

private:
    HttpReply cancelActive();
    HttpReply createForeignJob(const HttpRequest &request);
    HttpReply panel();
    HttpReply pressScan(const HttpRequest &request);
    HttpReply reboot(const HttpRequest &request);

    SimDevice &device_;
    std::function<void()> onReboot_;
};

}  // namespace wsdsim
