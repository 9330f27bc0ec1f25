// CUPS's print queues (libcups) and where their printers are: the backend
// looks for a WSD scanner at the host of every network queue, since the
// scanner of a multifunction printer set up for printing lives there too.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace wsd::discovery {

struct PrintQueue {
    std::string name;       // CUPS's queue name ("Office_MFP")
    std::string deviceUri;  // where CUPS sends the jobs ("ipp://198.18.0.2/ipp/print")
};

// A DNS-SD service instance, as a dnssd:// device URI names it.
struct DnsSdService {
    std::string name;    // "Office MFP"
    std::string type;    // "_ipp._tcp"
    std::string domain;  // "local"
};

// The host of a network queue's device URI (ipp, ipps, http, https, socket,
// lpd): an address or host name without brackets, an IPv6 zone kept as
// "fe80::1%eth0". nullopt for local devices (usb, parallel, file), other
// schemes (dnssd: see dnsSdServiceOf) and malformed URIs.
std::optional<std::string> printerHostOf(const std::string &deviceUri);

// The service a dnssd:// device URI names; nullopt for anything else.
std::optional<DnsSdService> dnsSdServiceOf(const std::string &deviceUri);

// The queues of the CUPS server libcups is set up for (CUPS_SERVER,
// client.conf, else the local scheduler), each with its device URI. Bounded:
// connecting and the whole request take at most `timeoutMs`, and nothing
// asks for a password. nullopt, with *error set, when the server cannot be
// asked (CUPS not running).
std::optional<std::vector<PrintQueue>> listPrintQueues(int timeoutMs, std::string *error);

}  // namespace wsd::discovery
