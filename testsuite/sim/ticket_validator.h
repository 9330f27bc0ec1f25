// Checks a requested ScanTicket against the profile the way a device does
// (INDEX §4, CreateScanJob): Format first, then every other value; what the
// device cannot do is refused when MustHonor is set and replaced otherwise.
#pragma once

#include <optional>

#include "profile.h"
#include "scan_ticket.h"
#include "wsd/soap.h"

namespace wsdsim {

enum class CheckMode {
    Create,   // CreateScanJob: unsupported Format or MustHonor violations are faults
    Validate  // ValidateScanTicket: everything is corrected, nothing faults
};

struct TicketCheck {
    ScanTicket final;                     // every value filled in
    bool valid = true;                    // nothing the client asked for was changed
    std::optional<wsd::soap::Fault> fault;  // the request is refused
};

TicketCheck checkTicket(const Profile &profile, const ScanTicket &requested, CheckMode mode);

// The WS-Scan InvalidArgs fault (a Sender fault), with why as its Reason.
wsd::soap::Fault invalidArgs(const std::string &why);

}  // namespace wsdsim
