// DNS-SD records for wsd-sim through the Avahi daemon (libavahi-client), as
// multifunction devices publish them (_uscan._tcp, _privet._tcp, ...), so
// that a client can find the simulator where multicast WS-Discovery is
// filtered and send it a directed Probe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct AvahiThreadedPoll;
struct AvahiClient;
struct AvahiEntryGroup;

namespace wsdsim {

class AvahiPublisher {
public:
    // Publishes `name` under each type on each interface index, pointing at
    // `port` on this host. Throws std::runtime_error when the daemon cannot
    // be reached.
    AvahiPublisher(const std::string &name, const std::vector<std::string> &types, std::uint16_t port,
                   const std::vector<unsigned> &interfaceIndexes);
    ~AvahiPublisher();  // withdraws the records
    AvahiPublisher(const AvahiPublisher &) = delete;
    AvahiPublisher &operator=(const AvahiPublisher &) = delete;

    // Avahi callbacks (run on Avahi's poll thread).
    void onRunning(AvahiClient *client);
    void onCollision(AvahiEntryGroup *group);

private:
    void publish();

    std::string name_;
    std::vector<std::string> types_;
    std::uint16_t port_;
    std::vector<unsigned> interfaces_;
    AvahiThreadedPoll *poll_ = nullptr;
    AvahiClient *client_ = nullptr;
    AvahiEntryGroup *group_ = nullptr;
};

}  // namespace wsdsim
