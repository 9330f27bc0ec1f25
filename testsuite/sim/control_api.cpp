#include "control_api.h"

#include "json_text.h"
#include "ticket_validator.h"

#include <chrono>

namespace wsdsim {

namespace {

HttpReply jsonReply(int status, std::string body)
{
    HttpReply r;
    r.status = status;
    r.contentType = "application/json";
    r.body = std::move(body) + "\n";
    return r;
}

HttpReply errorReply(int status, const std::string &message)
{
    return jsonReply(status, "{\"error\":" + json::quote(message) + "}");
}

std::string jobJson(const Job &j)
{
    std::string reasons = "[";
    for (size_t i = 0; i < j.reasons.size(); ++i)
        reasons += (i ? "," : "") + json::quote(j.reasons[i]);
    reasons += "]";
    return "{\"id\":" + std::to_string(j.id) + ",\"state\":" + json::quote(jobStateName(j.state)) +
           ",\"reasons\":" + reasons + ",\"imagesRetrieved\":" + std::to_string(j.imagesSent) +
           ",\"imagesPlanned\":" + std::to_string(j.imagesPlanned) + ",\"user\":" + json::quote(j.ticket.userName) +
           ",\"name\":" + json::quote(j.ticket.jobName) + ",\"source\":" + json::quote(j.ticket.inputSource.value) +
           ",\"format\":" + json::quote(j.ticket.format.value) + ",\"foreign\":" + (j.foreign ? "true" : "false") +
           ",\"created\":" + json::quote(j.createdTime) + ",\"completed\":" + json::quote(j.completedTime) +
           ",\"ended\":" + json::quote(j.active() ? "" : utcMicros(j.endedAt)) + "}";
}

}  // namespace

std::string ControlApi::jobsJson() const
{
    std::string out = "{\"jobs\":[";
    bool first = true;
    for (const Job &j : device_.jobs.allJobs()) {
        out += (first ? "" : ",") + jobJson(j);
        first = false;
    }
    return out + "]}";
}

std::string ControlApi::activeJson() const
{
    std::string out = "{\"active\":[";
    bool first = true;
    for (const Job &j : device_.jobs.activeJobs()) {
        out += (first ? "" : ",") + std::to_string(j.id);
        first = false;
    }
    return out + "]}";
}

HttpReply ControlApi::route(const HttpRequest &request)
{
    const std::string &p = request.path;
    if (request.method == "GET") {
        if (p == "/log")
            return jsonReply(200, device_.log.toJson());
        if (p == "/jobs")
            return jsonReply(200, jobsJson());
        if (p == "/active")
            return jsonReply(200, activeJson());
        if (p == "/knobs")
            return jsonReply(200, device_.knobs.toJson());
        if (p == "/status") {
            bool processing = false;
            for (const Job &j : device_.jobs.activeJobs())
                processing = processing || j.state == JobState::Processing;
            return jsonReply(200, "{\"state\":" +
                                      json::quote(device_.status.state(device_.knobs.get(), processing)) +
                                      ",\"jammed\":" + (device_.status.jammed() ? "true" : "false") + "}");
        }
    } else if (request.method == "POST") {
        if (p == "/knobs") {
            std::string error;
            auto values = json::parseFlatObject(request.body, &error);
            if (!values || !device_.knobs.setAll(*values, &error))
                return errorReply(400, error);
            return jsonReply(200, device_.knobs.toJson());
        }
        if (p == "/reset-log") {
            device_.log.clear();
            return jsonReply(200, "{}");
        }
        if (p == "/cancel-active")
            return cancelActive();
        if (p == "/create-foreign-job")
            return createForeignJob(request);
        if (p == "/reboot") {
            device_.jobs.reboot();
            device_.status.clearJam();
            device_.log.add("(reboot)", 0, "ok", request.client);
            return jsonReply(200, "{}");
        }
    }
    return errorReply(404, "no such control resource: " + request.method + " " + p);
}

HttpReply ControlApi::cancelActive()
{
    std::string ids;
    for (const Job &j : device_.jobs.activeJobs())
        if (device_.jobs.cancel(j.id))
            ids += (ids.empty() ? "" : ",") + std::to_string(j.id);
    return jsonReply(200, "{\"canceled\":[" + ids + "]}");
}

HttpReply ControlApi::createForeignJob(const HttpRequest &request)
{
    std::map<std::string, std::string> fields;
    if (!request.body.empty()) {
        std::string error;
        auto parsed = json::parseFlatObject(request.body, &error);
        if (!parsed)
            return errorReply(400, error);
        fields = *parsed;
    }
    ScanTicket ticket;
    ticket.userName = fields.count("user") ? fields["user"] : "other-user";
    ticket.jobName = fields.count("name") ? fields["name"] : "foreign job";
    TicketCheck check = checkTicket(device_.profile, ticket, CheckMode::Create);
    if (check.fault)
        return errorReply(500, check.fault->reason);
    Knobs k = device_.knobs.get();
    Job job = device_.jobs.create(check.final, 1, std::chrono::seconds(k.jobTimeoutSeconds), true);
    return jsonReply(200, "{\"id\":" + std::to_string(job.id) + ",\"token\":" + json::quote(job.token) + "}");
}

}  // namespace wsdsim
