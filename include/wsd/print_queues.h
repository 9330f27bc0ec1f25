// CUPS's print queues (libcups) and where their printers are: the backend
// looks for a WSD scanner at the host of every network queue, since the
// scanner of a multifunction printer set up for printing lives there too.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wsd::discovery {

// libcups, opened at run time (dlopen) for as long as this object lives: a
// process that never asks CUPS (discovery off, cups = off) does not map it.
// libcups keeps per-thread data whose destructor lives in the library, so
// the object must outlive every thread that called the functions below
// with it (their thread-exit destructors run libcups's code).
class CupsLibrary {
public:
    CupsLibrary();
    ~CupsLibrary();
    CupsLibrary(const CupsLibrary &) = delete;
    CupsLibrary &operator=(const CupsLibrary &) = delete;

    // false when libcups could not be opened or lacks a function; error() says why.
    bool loaded() const;
    const std::string &error() const;

    struct Functions;  // the typed table of the libcups functions we call
    const Functions &functions() const { return *functions_; }

private:
    std::unique_ptr<Functions> functions_;
};

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
std::optional<std::string> printerHostOf(const CupsLibrary &cups, const std::string &deviceUri);

// The service a dnssd:// device URI names; nullopt for anything else.
std::optional<DnsSdService> dnsSdServiceOf(const CupsLibrary &cups, const std::string &deviceUri);

// The queues of the CUPS server libcups is set up for (CUPS_SERVER,
// client.conf, else the local scheduler), each with its device URI. Bounded:
// connecting and the whole request take at most `timeoutMs`, and nothing
// asks for a password. nullopt, with *error set, when the server cannot be
// asked (CUPS not running, libcups not loaded).
std::optional<std::vector<PrintQueue>> listPrintQueues(const CupsLibrary &cups, int timeoutMs,
                                                       std::string *error);

}  // namespace wsd::discovery
