#include "discovery_shared.h"

#include "wsd/host_lookup.h"
#include "wsd/log.h"
#include "wsd/print_queues.h"

#include <algorithm>

namespace wsd::discovery {

namespace {

// CUPS answers a local request at once; a server that takes longer than
// this (a remote one in client.conf, a hung scheduler) is not waited for.
constexpr int MaxCupsWaitMs = 2000;
// A host name that resolves to many addresses: the first few are probed.
constexpr std::size_t MaxAddressesPerHost = 4;

// Where the queue's printer is; empty when it is not on the network, is a
// DNS-SD service (Avahi resolves those), or the name does not resolve.
std::vector<std::string> addressesOf(const CupsLibrary &cups, const PrintQueue &queue, Shared &s)
{
    const std::optional<std::string> host = printerHostOf(cups, queue.deviceUri);
    if (!host) {
        if (!dnsSdServiceOf(cups, queue.deviceUri))
            WSD_DETAIL("discovery: CUPS queue %s is not a network printer (%s)", queue.name.c_str(),
                       queue.deviceUri.c_str());
        return {};
    }
    const std::string bare = host->substr(0, host->find('%'));
    if (isIpLiteral(bare))
        return {*host};
    // Bounded like CUPS itself, and cut short by sane_exit: a hanging
    // resolver must not hold the thread it joins.
    const http::Deadline deadline =
        Clock::now() + std::chrono::milliseconds(std::clamp(s.config.discoveryTimeoutMs, 1, MaxCupsWaitMs));
    auto stopping = [&s] {
        std::lock_guard<std::mutex> lock(s.mutex);
        return s.stopping;
    };
    std::vector<std::string> addresses = lookUpHost(*host, MaxAddressesPerHost, deadline, stopping);
    if (addresses.empty())
        WSD_INFO("discovery: CUPS queue %s: host %s does not resolve", queue.name.c_str(), host->c_str());
    return addresses;
}

}  // namespace

void askCupsForPrinters(Shared &s, const CupsLibrary &cups)
{
    std::string error;
    const auto queues = listPrintQueues(cups, std::clamp(s.config.discoveryTimeoutMs, 1, MaxCupsWaitMs), &error);
    if (!queues)
        WSD_INFO("discovery: no CUPS print queues to look at: %s", error.c_str());
    std::vector<PrintQueueHost> hosts;
    std::vector<PrintQueueService> services;
    for (const PrintQueue &q : queues ? *queues : std::vector<PrintQueue>()) {
        if (auto service = dnsSdServiceOf(cups, q.deviceUri))
            services.push_back({*service, q.name});
        for (const std::string &address : addressesOf(cups, q, s)) {
            WSD_PROTO("discovery: CUPS queue %s prints to %s (%s)", q.name.c_str(), address.c_str(),
                      q.deviceUri.c_str());
            hosts.push_back({address, q.name});
        }
        std::lock_guard<std::mutex> lock(s.mutex);
        if (s.stopping)
            return;
    }
    std::lock_guard<std::mutex> lock(s.mutex);
    s.printQueueHosts = std::move(hosts);
    s.printQueueServices = std::move(services);
    s.askingCups = false;
    s.table.noteActivity(Clock::now());
    s.wake.signal();
    s.changed.notify_all();
}

}  // namespace wsd::discovery
