// SOAP 1.2 envelopes with WS-Addressing 2004/08 headers: building requests
// and responses, parsing any envelope, reading faults. Shared by the backend
// and wsd-sim so both speak the same framing.
#pragma once

#include "wsd/xml.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsd::soap {

// A fresh "urn:uuid:..." for wsa:MessageID (libuuid, random).
std::string newMessageId();
// A bare random UUID string (8-4-4-4-12).
std::string newUuid();

struct Namespace {
    const char *prefix;
    const char *uri;
};

struct Addressing {
    std::string to;
    std::string action;
    std::string messageId;        // filled with newMessageId() when empty
    std::string relatesTo;        // responses only
    bool replyToAnonymous = false;  // requests to a device set this
};

// Writes <soap:Envelope> with the prefixes soap, wsa (and the extra ones
// given, e.g. wscn): some firmware accepts only these exact prefixes.
// The body callback writes the children of <soap:Body>; header adds extra
// header children (WS-Discovery AppSequence, for instance).
std::string buildEnvelope(const Addressing &addressing, const std::vector<Namespace> &extraNamespaces,
                          const std::function<void(xml::Writer &)> &body,
                          const std::function<void(xml::Writer &)> &header = nullptr);

struct Fault {
    std::string code;     // local name of Code/Value: Sender, Receiver, ...
    std::string subcode;  // local name of the innermost Subcode/Value
    std::string reason;   // first Reason/Text
    std::string detail;   // text of Detail, if any
};

std::string buildFault(const Addressing &addressing, const Fault &fault);

struct Message {
    xml::Document doc;
    xml::Node header;
    xml::Node body;
    xml::Node payload;  // first element in Body (the response or fault element)
    std::string action;
    std::string messageId;
    std::string relatesTo;
    std::string to;
    std::optional<Fault> fault;
};

// Parses an envelope. Header fields are read from either WS-Addressing
// version; a missing Header is allowed. On failure returns nullopt and
// sets *error.
std::optional<Message> parse(std::string_view bytes, std::string *error = nullptr);

}  // namespace wsd::soap
