#include "device_router.h"

#include "addressing_check.h"
#include "discovery_responder.h"
#include "metadata_document.h"
#include "wsd/namespaces.h"

namespace wsdsim {

namespace ns = wsd::ns;

namespace {

HttpReply soapReply(int status, std::string body)
{
    HttpReply r;
    r.status = status;
    r.contentType = "application/soap+xml; charset=utf-8";
    r.body = std::move(body);
    return r;
}

HttpReply emptyReply(int status)
{
    HttpReply r;
    r.status = status;
    return r;
}

}  // namespace

HttpReply DeviceRouter::route(const HttpRequest &request)
{
    bool known = request.path == paths_.service || request.path == paths_.device ||
                 request.path == EndpointPaths::DirectedProbe;
    if (!known)
        return emptyReply(404);
    if (request.method != "POST")
        return emptyReply(405);
    if (request.path == paths_.service) {
        if (std::optional<HttpReply> redirect = redirection(request))
            return *redirect;
        if (std::optional<HttpReply> reply = eventing_.handle(request.body, request.client, request.arrived))
            return *reply;
        return scan_.handle(request.body, request.client, request.arrived, request.clientPort);
    }
    if (request.path == paths_.device)
        return metadata(request);
    return directedProbe(request);
}

// The redirect-soap and redirect-image knobs: a hostile or misconfigured
// device sending its client elsewhere (RFC 9110 302 and 307).
std::optional<HttpReply> DeviceRouter::redirection(const HttpRequest &request)
{
    Knobs knobs = device_.knobs.get();
    auto message = wsd::soap::parse(request.body);
    std::string operation = message ? std::string(message->payload.localName()) : "(unparsable)";
    if (operation.size() > 7 && operation.compare(operation.size() - 7, 7, "Request") == 0)
        operation.resize(operation.size() - 7);
    HttpReply r = emptyReply(302);
    r.location = knobs.redirectSoap;
    if (r.location.empty() && operation == "RetrieveImage") {
        r.status = 307;
        r.location = knobs.redirectImage;
    }
    if (r.location.empty())
        return std::nullopt;
    device_.log.add(operation, 0, "redirect:" + std::to_string(r.status), request.client, request.arrived);
    return r;
}

HttpReply DeviceRouter::metadata(const HttpRequest &request)
{
    Knobs knobs = device_.knobs.get();
    std::string error;
    auto message = wsd::soap::parse(request.body, &error);
    if (!message) {
        device_.log.add("(unparsable)", 0, "fault:Sender", request.client, request.arrived);
        wsd::soap::Fault f{"Sender", "", "The request is not a SOAP 1.2 envelope: " + error, ""};
        return soapReply(faultStatus(f, knobs), faultEnvelope("", f));
    }
    // Some clients probe the device's XAddr directly instead of the stable endpoint.
    if (message->payload.isAny({ns::Discovery, ns::Discovery2009}, "Probe"))
        return directedProbe(request);
    if (message->action != ns::TransferGet) {
        device_.log.add(message->action, 0, "fault:ActionNotSupported", request.client, request.arrived);
        wsd::soap::Fault f{"Sender", "ActionNotSupported", "The device endpoint answers WS-Transfer Get only",
                           message->action};
        return soapReply(faultStatus(f, knobs), faultEnvelope(message->messageId, f));
    }
    if (!knobs.anyTo) {
        if (std::optional<std::string> wrong = wrongDeviceTo(message->to, device_.identity.endpointUuid)) {
            device_.log.add("Get", 0, "fault:DestinationUnreachable", request.client, request.arrived, message->to);
            wsd::soap::Fault f = destinationUnreachable(*wrong);
            return soapReply(faultStatus(f, knobs), faultEnvelope(message->messageId, f));
        }
    }
    device_.log.add("Get", 0, "ok", request.client, request.arrived, message->to);
    std::string body = buildMetadataResponse(device_.identity, message->messageId);
    return soapReply(200, knobs.malformedXml ? breakXml(std::move(body)) : body);
}

HttpReply DeviceRouter::directedProbe(const HttpRequest &request)
{
    DiscoveryIdentity id;
    id.endpointUuid = device_.identity.endpointUuid;
    id.xaddrs = device_.identity.deviceUrls;
    id.ns2009 = device_.identity.ns2009;
    id.printerOnly = device_.identity.printerOnly;
    std::string matches = answerHttpProbe(id, request.body);
    device_.log.add(discoveryOperation(wsd::discovery::Kind::Probe, "HTTP"), 0, matches.empty() ? "no-match" : "ok", request.client, request.arrived);
    // A Probe that does not match gets no answer; over HTTP that is 202 Accepted.
    if (matches.empty())
        return emptyReply(202);
    return soapReply(200, std::move(matches));
}

}  // namespace wsdsim
