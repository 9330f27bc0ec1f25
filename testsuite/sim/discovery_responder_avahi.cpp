#include "discovery_responder_avahi.h"

#include "wsd/log.h"

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/thread-watch.h>

#include <stdexcept>

namespace wsdsim {

namespace {

struct Callbacks {
    static void client(AvahiClient *c, AvahiClientState state, void *self)
    {
        if (state == AVAHI_CLIENT_S_RUNNING)
            static_cast<AvahiPublisher *>(self)->onRunning(c);
    }
    static void group(AvahiEntryGroup *g, AvahiEntryGroupState state, void *self)
    {
        if (state == AVAHI_ENTRY_GROUP_COLLISION)
            static_cast<AvahiPublisher *>(self)->onCollision(g);
    }
};

}  // namespace

AvahiPublisher::AvahiPublisher(const std::string &name, const std::vector<std::string> &types, std::uint16_t port,
                               const std::vector<unsigned> &interfaceIndexes)
    : name_(name), types_(types), port_(port), interfaces_(interfaceIndexes)
{
    poll_ = avahi_threaded_poll_new();
    if (!poll_)
        throw std::runtime_error("avahi: cannot create a poll loop");
    int error = 0;
    // The callback may run inside avahi_client_new, before the poll thread
    // starts, which is why publishing uses the client it is handed.
    client_ = avahi_client_new(avahi_threaded_poll_get(poll_), AvahiClientFlags(0), Callbacks::client, this, &error);
    if (!client_) {
        avahi_threaded_poll_free(poll_);
        throw std::runtime_error(std::string("avahi daemon not reachable: ") + avahi_strerror(error));
    }
    avahi_threaded_poll_start(poll_);
}

AvahiPublisher::~AvahiPublisher()
{
    avahi_threaded_poll_stop(poll_);
    avahi_client_free(client_);  // frees the entry group, withdrawing the records
    avahi_threaded_poll_free(poll_);
}

void AvahiPublisher::onRunning(AvahiClient *client)
{
    if (!group_)
        group_ = avahi_entry_group_new(client, Callbacks::group, this);
    if (!group_) {
        WSD_ERROR("wsd-sim: avahi entry group: %s", avahi_strerror(avahi_client_errno(client)));
        return;
    }
    publish();
}

void AvahiPublisher::onCollision(AvahiEntryGroup *group)
{
    char *alternative = avahi_alternative_service_name(name_.c_str());
    WSD_WARN("wsd-sim: DNS-SD name \"%s\" taken, using \"%s\"", name_.c_str(), alternative);
    name_ = alternative;
    avahi_free(alternative);
    avahi_entry_group_reset(group);
    publish();
}

void AvahiPublisher::publish()
{
    for (unsigned index : interfaces_)
        for (const std::string &type : types_) {
            int rc = avahi_entry_group_add_service(group_, static_cast<AvahiIfIndex>(index), AVAHI_PROTO_UNSPEC,
                                                   AvahiPublishFlags(0), name_.c_str(), type.c_str(), nullptr,
                                                   nullptr, port_, "note=wsd-sim", nullptr);
            if (rc < 0)
                WSD_ERROR("wsd-sim: publishing %s: %s", type.c_str(), avahi_strerror(rc));
        }
    int rc = avahi_entry_group_commit(group_);
    if (rc < 0)
        WSD_ERROR("wsd-sim: DNS-SD commit: %s", avahi_strerror(rc));
    else
        WSD_INFO("wsd-sim: DNS-SD \"%s\" published (%zu types)", name_.c_str(), types_.size());
}

}  // namespace wsdsim
