#include "event_messages.h"

#include "eventing_names.h"
#include "scan_service.h"
#include "wsd/log.h"
#include "wsd/namespaces.h"
#include "wsd/soap.h"

namespace wsdsim {

namespace ns = wsd::ns;
using wsd::xml::Writer;

std::string oneWayEnvelope(const EndpointReference &to, const std::string &action, const EventBody &body)
{
    wsd::soap::Addressing a;
    a.to = to.address;
    a.action = action;
    return wsd::soap::buildEnvelope(a, {{"wscn", ns::Scan}, {"wse", ns::Eventing}}, body, [&](Writer &w) {
        for (const std::string &header : to.referenceHeaders)
            w.raw(header);
    });
}

int publishEvent(SimDevice &device, const char *eventName, const EventBody &body, long jobId,
                 const std::string &onlySubscription)
{
    const std::string action = eventAction(eventName);
    int queued = 0;
    for (const Subscription &s : device.subscriptions.subscribersTo(action)) {
        if (!onlySubscription.empty() && s.id != onlySubscription)
            continue;
        OutgoingMessage m{eventName, s.id, s.client, s.notifyTo.address, oneWayEnvelope(s.notifyTo, action, body), jobId};
        if (device.events.push(std::move(m))) {
            ++queued;
        } else {
            LogDetails d;
            d.reason = "the event queue is full";
            d.subscription = s.id;
            device.log.add(eventName, jobId, "dropped", s.client, WallClock::now(), s.notifyTo.address, d);
        }
    }
    return queued;
}

std::string subscriptionEndEnvelope(const Subscription &s, const std::vector<std::string> &managerAddresses,
                                    const char *status, const std::string &reason)
{
    if (!s.endTo)
        return std::string();
    return oneWayEnvelope(*s.endTo, eventing::SubscriptionEnd, [&](Writer &w) {
        w.start("wse", "SubscriptionEnd");
        w.start("wse", "SubscriptionManager");
        w.element("wsa", "Address", managerAddresses.empty() ? std::string() : managerAddresses.front());
        w.start("wsa", "ReferenceParameters").element("wse", "Identifier", s.id).end();
        w.end();
        w.element("wse", "Status", status);
        w.start("wse", "Reason").attr("xml:lang", "en").text(reason).end();
        w.end();
    });
}

namespace {

void writeJobEndState(Writer &w, const Job &job)
{
    w.start("wscn", "JobEndState");
    w.element("wscn", "JobId", std::to_string(job.id));
    w.element("wscn", "JobCompletedState", jobStateName(job.state));
    // JobCompletedStateReasons is required; "None" when nothing is to say.
    w.start("wscn", "JobCompletedStateReasons");
    if (job.reasons.empty())
        w.element("wscn", "JobStateReason", "None");
    for (const std::string &r : job.reasons)
        w.element("wscn", "JobStateReason", r);
    w.end();
    w.element("wscn", "JobName", job.ticket.jobName);
    w.element("wscn", "JobOriginatingUserName", job.ticket.userName);
    w.element("wscn", "ScansCompleted", std::to_string(job.imagesSent));
    if (!job.completedTime.empty())
        w.element("wscn", "JobCompletedTime", job.completedTime);
    w.end();
}

}  // namespace

bool publishScanAvailable(SimDevice &device, const PanelPress &press, const std::string &clientContext)
{
    return publishEvent(device, "ScanAvailableEvent", [&](Writer &w) {
        w.start("wscn", "ScanAvailableEvent");
        w.element("wscn", "ClientContext", clientContext);
        w.element("wscn", "ScanIdentifier", press.scanIdentifier);
        w.element("wscn", "InputSource", press.source);
        w.end();
    }, 0, press.subscriptionId) == 1;
}

void publishJobEvents(SimDevice &device, const Job &job)
{
    publishEvent(device, "JobStatusEvent", [&](Writer &w) {
        w.start("wscn", "JobStatusEvent");
        writeJobStatus(w, job);
        w.end();
    }, job.id);
    if (!job.active())
        publishEvent(device, "JobEndStateEvent", [&](Writer &w) {
            w.start("wscn", "JobEndStateEvent");
            writeJobEndState(w, job);
            w.end();
        }, job.id);
    // Processing <-> Idle follows the jobs.
    device.events.requestStatusCheck();
}

}  // namespace wsdsim
