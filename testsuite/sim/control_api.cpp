#include "control_api.h"

#include "event_messages.h"
#include "ticket_validator.h"

#include <nlohmann/json.hpp>

#include <chrono>

namespace wsdsim {

namespace {

using Json = nlohmann::ordered_json;

HttpReply jsonReply(int status, const Json &body)
{
    HttpReply r;
    r.status = status;
    r.contentType = "application/json";
    // Bytes that are not UTF-8 (a client address or job name from a hostile
    // peer) become U+FFFD instead of failing the answer.
    r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    return r;
}

HttpReply errorReply(int status, const std::string &message) { return jsonReply(status, {{"error", message}}); }

Json jobJson(const Job &j)
{
    return {{"id", j.id},
            {"state", jobStateName(j.state)},
            {"reasons", j.reasons},
            {"imagesRetrieved", j.imagesSent},
            {"imagesPlanned", j.imagesPlanned},
            {"user", j.ticket.userName},
            {"name", j.ticket.jobName},
            {"source", j.ticket.inputSource.value},
            {"format", j.ticket.format.value},
            {"foreign", j.foreign},
            {"created", j.createdTime},
            {"completed", j.completedTime},
            {"ended", j.active() ? std::string() : utcMicros(j.endedAt)}};
}

// A POST body: a flat object whose values keep their JSON spelling apart
// from strings (true, 42, "retrieve"), as KnobBoard reads them.
std::optional<std::map<std::string, std::string>> flatObject(const std::string &body, std::string *error)
{
    Json parsed;
    try {
        parsed = Json::parse(body);
    } catch (const Json::parse_error &e) {
        *error = e.what();
        return std::nullopt;
    }
    if (!parsed.is_object()) {
        *error = "expected a JSON object";
        return std::nullopt;
    }
    std::map<std::string, std::string> out;
    for (const auto &[key, value] : parsed.items()) {
        if (value.is_string()) {
            out[key] = value.get<std::string>();
        } else if (value.is_boolean() || value.is_number()) {
            out[key] = value.dump();
        } else {
            *error = "'" + key + "' needs a string, number or boolean value";
            return std::nullopt;
        }
    }
    return out;
}

}  // namespace

Json ControlApi::jobsJson() const
{
    Json jobs = Json::array();
    for (const Job &j : device_.jobs.allJobs())
        jobs.push_back(jobJson(j));
    return {{"jobs", std::move(jobs)}};
}

Json ControlApi::activeJson() const
{
    Json ids = Json::array();
    for (const Job &j : device_.jobs.activeJobs())
        ids.push_back(j.id);
    return {{"active", std::move(ids)}};
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
        if (p == "/panel")
            return panel();
        if (p == "/status") {
            bool processing = false;
            for (const Job &j : device_.jobs.activeJobs())
                processing = processing || j.state == JobState::Processing;
            return jsonReply(200, {{"state", device_.status.state(device_.knobs.get(), processing)},
                                   {"jammed", device_.status.jammed()}});
        }
    } else if (request.method == "POST") {
        if (p == "/knobs") {
            std::string error;
            auto values = flatObject(request.body, &error);
            if (!values || !device_.knobs.setAll(*values, &error))
                return errorReply(400, error);
            // Cover open, empty feeder: status events tell the subscribers.
            device_.events.requestStatusCheck();
            return jsonReply(200, device_.knobs.toJson());
        }
        if (p == "/reset-log") {
            device_.log.clear();
            return jsonReply(200, Json::object());
        }
        if (p == "/cancel-active")
            return cancelActive();
        if (p == "/create-foreign-job")
            return createForeignJob(request);
        if (p == "/reboot")
            return reboot(request);
        if (p == "/panel/press")
            return pressScan(request);
    }
    return errorReply(404, "no such control resource: " + request.method + " " + p);
}

HttpReply ControlApi::cancelActive()
{
    Json ids = Json::array();
    for (const Job &j : device_.jobs.activeJobs())
        if (device_.jobs.cancel(j.id))
            ids.push_back(j.id);
    return jsonReply(200, {{"canceled", std::move(ids)}});
}

HttpReply ControlApi::createForeignJob(const HttpRequest &request)
{
    std::map<std::string, std::string> fields;
    if (!request.body.empty()) {
        std::string error;
        auto parsed = flatObject(request.body, &error);
        if (!parsed)
            return errorReply(400, error);
        fields = *parsed;
    }
    ScanTicket ticket;
    ticket.userName = fields.count("user") ? fields["user"] : "other-user";
    ticket.jobName = fields.count("name") ? fields["name"] : "foreign job";
    // Another client names a Format as every client must: the device's default.
    const Profile &profile = device_.profile;
    ticket.format.set(profile.defaults.format.given ? profile.defaults.format.value : profile.formats.front());
    TicketCheck check = checkTicket(device_.profile, ticket, CheckMode::Create);
    if (check.fault)
        return errorReply(500, check.fault->reason);
    Knobs k = device_.knobs.get();
    Job job = device_.jobs.create(check.final, 1, std::chrono::seconds(k.jobTimeoutSeconds), true);
    return jsonReply(200, {{"id", job.id}, {"token", job.token}});
}

HttpReply ControlApi::reboot(const HttpRequest &request)
{
    device_.jobs.reboot();
    device_.status.rebooted();
    device_.status.clearJam();
    // A rebooted device has forgotten its subscribers and tells nobody
    // (no SubscriptionEnd): clients notice by the new discovery InstanceId.
    device_.subscriptions.clear();
    device_.panel.clear();
    // The warm-up that begins is the status new subscribers see change.
    device_.events.requestStatusCheck();
    if (onReboot_)
        onReboot_();
    device_.log.add("(reboot)", 0, "ok", request.client);
    return jsonReply(200, Json::object());
}

HttpReply ControlApi::panel()
{
    Json destinations = Json::array();
    for (const PanelEntry &e : device_.subscriptions.panel()) {
        std::optional<Subscription> s = device_.subscriptions.find(e.subscriptionId);
        destinations.push_back({{"name", e.destination.displayName},
                                {"clientContext", e.destination.clientContext},
                                {"subscription", e.subscriptionId},
                                {"client", s ? s->client : std::string()}});
    }
    return jsonReply(200, {{"destinations", std::move(destinations)}});
}

HttpReply ControlApi::pressScan(const HttpRequest &request)
{
    Json body;
    try {
        body = Json::parse(request.body);
    } catch (const Json::parse_error &e) {
        return errorReply(400, e.what());
    }
    if (!body.is_object() || !body.contains("destination") || !body["destination"].is_string())
        return errorReply(400, "expected {\"destination\": NAME, \"source\": \"Platen\"|\"ADF\", \"pages\": N}");
    const std::string name = body["destination"].get<std::string>();
    const std::string source = body.value("source", std::string("Platen"));
    if (source != "Platen" && source != "ADF")
        return errorReply(400, "source must be Platen or ADF");
    if (!body.value("pages", Json(1)).is_number_integer())
        return errorReply(400, "pages must be an integer");
    const long pages = body.value("pages", 1L);
    if (pages < 1 || pages > 1000)
        return errorReply(400, "pages must be 1 to 1000");

    std::vector<PanelEntry> matches;
    for (const PanelEntry &e : device_.subscriptions.panel())
        if (e.destination.displayName == name)
            matches.push_back(e);
    LogDetails details;
    if (matches.size() != 1) {
        details.reason = matches.empty() ? "the panel shows no destination " + name
                                         : "the panel shows " + name + " " + std::to_string(matches.size()) + " times";
        device_.log.add("PanelPress", 0, matches.empty() ? "no-destination" : "ambiguous", request.client,
                        request.arrived, "", details);
        return errorReply(matches.empty() ? 404 : 409, details.reason);
    }
    PanelPress press;
    press.destinationToken = matches.front().destination.token;
    press.subscriptionId = matches.front().subscriptionId;
    press.displayName = name;
    press.source = source;
    press.pages = static_cast<int>(pages);
    press = device_.panel.add(press);
    details.subscription = press.subscriptionId;
    if (!publishScanAvailable(device_, press, matches.front().destination.clientContext)) {
        device_.panel.forget(press.scanIdentifier);
        details.reason = "the ScanAvailableEvent could not be queued";
        device_.log.add("PanelPress", 0, "dropped", request.client, request.arrived, "", details);
        return errorReply(503, details.reason);
    }
    device_.log.add("PanelPress", 0, "ok", request.client, request.arrived, "", details);
    return jsonReply(200, {{"scanIdentifier", press.scanIdentifier}, {"subscription", press.subscriptionId}});
}

}  // namespace wsdsim
