// What Discovery's threads share (the backend's discovery only): the
// endpoint table and the queues of work around it, under one mutex. The
// network thread (discovery.cpp) owns the sockets and talks to Avahi; the
// HTTP workers (discovery_http.cpp) do metadata Gets, host-name lookups and
// directed probes over HTTP. Every field is guarded by `mutex` unless
// marked otherwise.
#pragma once

#include "wsd/config.h"
#include "wsd/discovery_avahi.h"
#include "wsd/discovery_table.h"
#include "wsd/event_fd.h"
#include "wsd/http.h"
#include "wsd/print_queues.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wsd::discovery {

struct HttpJob {
    enum class Kind { Metadata, DirectedProbe, HostLookup } kind;
    std::string key;        // endpoint address, or for a directed probe how an answer counts as found
    http::Request request;  // for a lookup, only the URL whose host is looked up
};

// The host of a CUPS print queue, on its way to the network thread.
struct PrintQueueHost {
    std::string address;  // IP literal, an IPv6 zone as "fe80::1%eth0"
    std::string queue;
};

// A CUPS queue whose device URI names a DNS-SD service, for Avahi to resolve.
struct PrintQueueService {
    DnsSdService service;
    std::string queue;
};

struct Shared {
    explicit Shared(const Config &c) : config(c) {}

    const Config config;  // read-only
    std::mutex mutex;
    std::condition_variable changed;    // devices() and waitForChange() wait on it
    std::condition_variable workReady;  // HTTP workers wait on it
    EndpointTable table;
    std::deque<HttpJob> httpJobs;
    int httpInFlight = 0;
    std::vector<AvahiService> avahiQueue;
    std::vector<Work> hostQueue;  // XAddrs whose .local host Avahi has to look up
    std::vector<PrintQueueHost> printQueueHosts;  // to probe (network thread)
    std::vector<PrintQueueService> printQueueServices;  // to resolve (network thread)
    int servicesResolving = 0;  // asked of Avahi, no answer yet
    bool askingCups = false;  // the CUPS thread has not handed over its hosts yet
    bool checkingCache = false;  // the cached devices' check has not ended yet
    bool stopping = false;
    bool mdnsLookup = false;  // an Avahi browser runs; set before the threads start
    EventFd wake;             // thread-safe: the network thread has work

    // Hands the table's new work to the threads that do it and tells the
    // waiters. Caller holds the mutex.
    void dispatch();
    // Answers or lookups still to come. Caller holds the mutex.
    bool busy() const;
};

// Runs on a thread of its own (it may wait for CUPS and the system
// resolver): asks CUPS for its queues through `cups` and hands the addresses
// of the network queues' hosts to the network thread. Built only with CUPS's
// headers.
void askCupsForPrinters(Shared &shared, const CupsLibrary &cups);

// The HTTP worker threads; they end when `stopping` is set and workReady
// notified.
class HttpWorkers {
public:
    explicit HttpWorkers(Shared &shared) : s_(shared) {}
    ~HttpWorkers() { join(); }
    HttpWorkers(const HttpWorkers &) = delete;
    HttpWorkers &operator=(const HttpWorkers &) = delete;
    void start(int count);
    void join();

private:
    void run();
    void onMetadata(const HttpJob &job, const http::Response &response);
    void onHostLookup(const HttpJob &job);
    void onDirectedProbeAnswer(const HttpJob &job, const http::Response &response);

    Shared &s_;
    std::vector<std::thread> threads_;
};

}  // namespace wsd::discovery
