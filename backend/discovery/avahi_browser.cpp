#include "wsd/discovery_avahi.h"

#include "wsd/log.h"
#include "wsd/shared_library.h"

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/address.h>
#include <avahi-common/error.h>
#include <avahi-common/thread-watch.h>

#include <net/if.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

namespace wsd::discovery {

namespace {

// A LAN full of published services must not start unbounded resolvers.
constexpr std::size_t MaxResolvers = 256;

void clientCallback(AvahiClient *, AvahiClientState, void *) {}

// An address as text; a link-local IPv6 address is only usable together with
// its interface, so it gets the zone.
std::string addressText(const AvahiAddress *address, AvahiIfIndex ifindex)
{
    char text[AVAHI_ADDRESS_STR_MAX];
    avahi_address_snprint(text, sizeof text, address);
    std::string host = text;
    char ifname[IF_NAMESIZE];
    if (address->proto == AVAHI_PROTO_INET6 && host.rfind("fe80:", 0) == 0 && ifindex > 0 &&
        if_indextoname(static_cast<unsigned>(ifindex), ifname))
        host += std::string("%") + ifname;
    return host;
}

void hostCallback(AvahiHostNameResolver *resolver, AvahiIfIndex ifindex, AvahiProtocol, AvahiResolverEvent event,
                  const char *name, const AvahiAddress *address, AvahiLookupResultFlags, void *context)
{
    std::unique_ptr<AvahiBrowser::HostCallback> done(static_cast<AvahiBrowser::HostCallback *>(context));
    std::string host = event == AVAHI_RESOLVER_FOUND && address ? addressText(address, ifindex) : std::string();
    WSD_PROTO("avahi: host %s is %s", name ? name : "?", host.empty() ? "unknown" : host.c_str());
    avahi_host_name_resolver_free(resolver);
    (*done)(host);
}

void serviceCallback(AvahiServiceResolver *resolver, AvahiIfIndex ifindex, AvahiProtocol, AvahiResolverEvent event,
                     const char *name, const char *, const char *, const char *, const AvahiAddress *address,
                     uint16_t, AvahiStringList *, AvahiLookupResultFlags, void *context)
{
    std::unique_ptr<AvahiBrowser::HostCallback> done(static_cast<AvahiBrowser::HostCallback *>(context));
    std::string host = event == AVAHI_RESOLVER_FOUND && address ? addressText(address, ifindex) : std::string();
    WSD_PROTO("avahi: service \"%s\" is at %s", name ? name : "?", host.empty() ? "no known address" : host.c_str());
    avahi_service_resolver_free(resolver);
    (*done)(host);
}

void browseCallback(AvahiServiceBrowser *, AvahiIfIndex ifindex, AvahiProtocol protocol, AvahiBrowserEvent event,
                    const char *name, const char *type, const char *domain, AvahiLookupResultFlags, void *self)
{
    static_cast<AvahiBrowser *>(self)->onBrowse(ifindex, protocol, event, name, type, domain);
}

void resolveCallback(AvahiServiceResolver *resolver, AvahiIfIndex ifindex, AvahiProtocol, AvahiResolverEvent event,
                     const char *name, const char *type, const char *, const char *hostName,
                     const AvahiAddress *address, uint16_t port, AvahiStringList *, AvahiLookupResultFlags,
                     void *self)
{
    if (event == AVAHI_RESOLVER_FOUND && address) {
        if (auto parsed = SocketAddress::parse(addressText(address, ifindex), port)) {
            AvahiService s;
            s.type = type ? type : "";
            s.name = name ? name : "";
            s.hostName = hostName ? hostName : "";
            s.address = *parsed;
            s.ifindex = ifindex > 0 ? static_cast<unsigned>(ifindex) : 0;
            static_cast<AvahiBrowser *>(self)->onResolved(s);
        }
    }
    avahi_service_resolver_free(resolver);
}

}  // namespace

const std::vector<std::string> &avahiServiceTypes()
{
    static const std::vector<std::string> types = {"_uscan._tcp", "_uscans._tcp",         "_scanner._tcp",
                                                   "_ipp._tcp",   "_pdl-datastream._tcp", "_privet._tcp"};
    return types;
}

std::unique_ptr<AvahiBrowser> AvahiBrowser::start(const std::vector<std::string> &only,
                                                  const std::vector<std::string> &excluded, Callback callback)
{
    // Avahi's client talks D-Bus through libdbus, whose global state (it
    // is never shut down: other users of D-Bus may share the process)
    // would be orphaned by unloading them at sane_exit: they stay loaded.
    static std::once_flag pinned;
    std::call_once(pinned, [] {
        if (!keepLoadedForProcess(reinterpret_cast<const void *>(&avahi_client_new)))
            WSD_WARN("Avahi's client library could not be kept loaded after sane_exit");
    });
    std::unique_ptr<AvahiBrowser> b(new AvahiBrowser());
    b->only_ = only;
    b->excluded_ = excluded;
    b->callback_ = std::move(callback);
    b->poll_ = avahi_threaded_poll_new();
    if (!b->poll_)
        return nullptr;
    int error = 0;
    b->client_ = avahi_client_new(avahi_threaded_poll_get(b->poll_), AvahiClientFlags(0), clientCallback, nullptr,
                                  &error);
    if (!b->client_) {
        static std::atomic<bool> logged{false};
        if (!logged.exchange(true))
            WSD_INFO("Avahi is not available (%s): DNS-SD directed probes are off", avahi_strerror(error));
        return nullptr;  // the destructor frees the poll
    }
    for (const std::string &type : avahiServiceTypes()) {
        AvahiServiceBrowser *sb = avahi_service_browser_new(b->client_, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                            type.c_str(), nullptr, AvahiLookupFlags(0),
                                                            browseCallback, b.get());
        if (sb)
            b->browsers_.push_back(sb);
        else
            WSD_WARN("avahi: cannot browse %s: %s", type.c_str(), avahi_strerror(avahi_client_errno(b->client_)));
    }
    avahi_threaded_poll_start(b->poll_);
    return b;
}

AvahiBrowser::~AvahiBrowser()
{
    if (poll_)
        avahi_threaded_poll_stop(poll_);
    if (client_)
        avahi_client_free(client_);  // frees browsers and resolvers with it
    if (poll_)
        avahi_threaded_poll_free(poll_);
}

// Starts a resolver with `create(context)` under Avahi's lock; the resolver's
// callback then owns the context. If none starts, `done` gets "" at once.
template <typename Create>
void AvahiBrowser::startResolver(HostCallback done, const std::string &what, Create create)
{
    auto context = std::make_unique<HostCallback>(std::move(done));
    avahi_threaded_poll_lock(poll_);
    const bool started = create(context.get()) != nullptr;
    avahi_threaded_poll_unlock(poll_);
    if (started) {
        context.release();
        return;
    }
    WSD_DETAIL("avahi: cannot resolve %s", what.c_str());
    (*context)(std::string());
}

void AvahiBrowser::resolveHostName(const std::string &name, HostCallback done)
{
    startResolver(std::move(done), "host " + name, [&](HostCallback *context) {
        return avahi_host_name_resolver_new(client_, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, name.c_str(),
                                            AVAHI_PROTO_UNSPEC, AvahiLookupFlags(0), hostCallback, context);
    });
}

void AvahiBrowser::resolveService(const std::string &name, const std::string &type, const std::string &domain,
                                  HostCallback done)
{
    startResolver(std::move(done), "service " + name, [&](HostCallback *context) {
        return avahi_service_resolver_new(client_, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, name.c_str(), type.c_str(),
                                          domain.c_str(), AVAHI_PROTO_UNSPEC, AvahiLookupFlags(0), serviceCallback,
                                          context);
    });
}

void AvahiBrowser::onBrowse(int ifindex, int protocol, int event, const char *name, const char *type,
                            const char *domain)
{
    if (event != AVAHI_BROWSER_NEW)
        return;
    char ifname[IF_NAMESIZE] = "";
    if (ifindex > 0)
        if_indextoname(static_cast<unsigned>(ifindex), ifname);
    const std::string iface = ifname;
    if (std::find(excluded_.begin(), excluded_.end(), iface) != excluded_.end() ||
        (!only_.empty() && std::find(only_.begin(), only_.end(), iface) == only_.end()))
        return;
    if (resolversStarted_ >= MaxResolvers) {
        WSD_DETAIL("avahi: resolver limit reached, ignoring %s", name);
        return;
    }
    ++resolversStarted_;
    WSD_DETAIL("avahi: %s \"%s\" on %s", type, name, ifname);
    if (!avahi_service_resolver_new(client_, ifindex, protocol, name, type, domain, AVAHI_PROTO_UNSPEC,
                                    AvahiLookupFlags(0), resolveCallback, this))
        WSD_DETAIL("avahi: cannot resolve %s: %s", name, avahi_strerror(avahi_client_errno(client_)));
}

void AvahiBrowser::onResolved(const AvahiService &service)
{
    WSD_PROTO("avahi: %s \"%s\" at %s (%s)", service.type.c_str(), service.name.c_str(),
              service.address.text().c_str(), service.hostName.c_str());
    callback_(service);
}

}  // namespace wsd::discovery
