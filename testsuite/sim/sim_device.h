// Everything one simulated scanner is: who it is, what it can do (profile),
// how it misbehaves (knobs), its jobs, status and the log tests read.
#pragma once

#include <string>
#include <vector>

#include "event_log.h"
#include "event_queue.h"
#include "job_table.h"
#include "knobs.h"
#include "panel_presses.h"
#include "profile.h"
#include "scanner_status.h"
#include "subscriptions.h"

namespace wsdsim {

struct DeviceIdentity {
    std::string endpointUuid;  // urn:uuid:..., the stable WS-Discovery address
    std::string manufacturer = "sane-wsd project";
    std::string manufacturerUrl = "https://example.invalid/sane-wsd";
    std::string modelName;     // from the profile's ScannerName unless given
    std::string modelNumber = "SIM-1";
    std::string friendlyName;
    std::string firmwareVersion = "1.0";
    std::string serialNumber;
    std::vector<std::string> deviceUrls;   // XAddrs (one per listen address)
    std::vector<std::string> serviceUrls;  // scan service endpoint addresses
    bool ns2009 = false;                   // WS-Discovery 2009/01 instead of 2005/04
    bool printerOnly = false;              // discovery Types announce a printer, not a scanner
};

struct SimDevice {
    // Job changes become WS-Scan job events for the subscribers.
    SimDevice(Profile p, DeviceIdentity id);
    // The job table's timer thread may still report changes until then.
    ~SimDevice() { jobs.setObserver(nullptr); }
    SimDevice(const SimDevice &) = delete;
    SimDevice &operator=(const SimDevice &) = delete;

    Profile profile;
    DeviceIdentity identity;
    KnobBoard knobs;
    // Declared before the jobs: the job observer uses them.
    SubscriptionTable subscriptions;
    EventQueue events;
    PanelPresses panel;
    EventLog log;
    JobTable jobs;
    ScannerStatus status;
};

}  // namespace wsdsim
