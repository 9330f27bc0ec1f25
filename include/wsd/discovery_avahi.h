// DNS-SD browsing through the Avahi daemon (libavahi-client) for the service
// types multifunction devices publish; every resolved address is handed to a
// callback, which sends it a directed WS-Discovery Probe. Also resolves the
// .local host names devices put in XAddrs. Without a running daemon there is
// simply no browser (logged once).
#pragma once

#include "wsd/discovery_socket.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct AvahiThreadedPoll;
struct AvahiClient;
struct AvahiServiceBrowser;

namespace wsd::discovery {

// The types browsed: scan (eSCL/WSD-capable MFPs), print, and cloud print.
const std::vector<std::string> &avahiServiceTypes();

struct AvahiService {
    std::string type;      // "_uscan._tcp"
    std::string name;      // instance name
    std::string hostName;  // "mfp.local"
    SocketAddress address; // with the service's port; IPv6 link-local carries its scope
    unsigned ifindex = 0;
};

class AvahiBrowser {
public:
    using Callback = std::function<void(const AvahiService &)>;

    // Starts browsing on Avahi's own thread. Services on interfaces outside
    // `only` (when not empty) or inside `excluded` are ignored. nullptr when
    // the daemon cannot be reached.
    static std::unique_ptr<AvahiBrowser> start(const std::vector<std::string> &only,
                                               const std::vector<std::string> &excluded, Callback callback);
    ~AvahiBrowser();
    AvahiBrowser(const AvahiBrowser &) = delete;

    // Resolves a multicast-DNS host name ("mfp.local"); `done` runs on
    // Avahi's thread with the address ("198.18.0.2", "fe80::1%lab0"), or
    // empty when it cannot be resolved. Takes Avahi's lock: never call it
    // while holding a lock that the callbacks take.
    using HostCallback = std::function<void(const std::string &address)>;
    void resolveHostName(const std::string &name, HostCallback done);
    // The same for a DNS-SD service instance (a CUPS queue's dnssd:// device
    // URI names one): `done` gets the address of its host.
    void resolveService(const std::string &name, const std::string &type, const std::string &domain,
                        HostCallback done);
    AvahiBrowser &operator=(const AvahiBrowser &) = delete;

    // Avahi callbacks (on Avahi's thread).
    void onBrowse(int ifindex, int protocol, int event, const char *name, const char *type, const char *domain);
    void onResolved(const AvahiService &service);

private:
    AvahiBrowser() = default;
    template <typename Create>
    void startResolver(HostCallback done, const std::string &what, Create create);

    std::vector<std::string> only_, excluded_;
    Callback callback_;
    AvahiThreadedPoll *poll_ = nullptr;
    AvahiClient *client_ = nullptr;
    std::vector<AvahiServiceBrowser *> browsers_;
    std::size_t resolversStarted_ = 0;
};

}  // namespace wsd::discovery
