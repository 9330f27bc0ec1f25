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
//   POST /reboot              the device forgets every job
#pragma once

#include "http_reply.h"
#include "sim_device.h"

#include <nlohmann/json_fwd.hpp>

namespace wsdsim {

class ControlApi {
public:
    explicit ControlApi(SimDevice &device) : device_(device) {}
    HttpReply route(const HttpRequest &request);

    nlohmann::ordered_json jobsJson() const;
    nlohmann::ordered_json activeJson() const;

private:
    HttpReply cancelActive();
    HttpReply createForeignJob(const HttpRequest &request);

    SimDevice &device_;
};

}  // namespace wsdsim
