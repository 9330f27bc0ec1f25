#include "wsd/host_lookup.h"

#include "wsd/log.h"

#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <type_traits>

namespace wsd::discovery {

namespace {

// gai_suspend cannot also wait for the stop: the wait is cut into slices
// this long, the stop asked about between them.
constexpr int StopCheckMs = 100;

// One getaddrinfo_a request: glibc keeps pointers to all of it until the
// request is done.
struct Lookup {
    std::string name;
    addrinfo hints{};
    gaicb request{};

    explicit Lookup(std::string n) : name(std::move(n))
    {
        hints.ai_socktype = SOCK_STREAM;
        request.ar_name = name.c_str();
        request.ar_request = &hints;
    }
    ~Lookup()
    {
        if (request.ar_result)
            freeaddrinfo(request.ar_result);
    }
    Lookup(const Lookup &) = delete;
    Lookup &operator=(const Lookup &) = delete;
};

// Lookups given up on while the resolver still worked on them, freed once
// glibc is done with them. Plain storage with no destructor: at exit, or
// when SANE's dll backend unloads us, glibc's helper thread may still write
// into one, so neither the list nor what it holds is freed under it; and no
// heap block of ours outlives the module unreachable (LeakSanitizer). Past
// the bound, a lookup is left to the process untracked.
struct Abandoned {
    std::mutex mutex;
    std::array<Lookup *, 32> lookups;
    std::size_t count;
};
static_assert(std::is_trivially_destructible_v<Abandoned>, "never destroyed under glibc's helper thread");

Abandoned &abandoned()
{
    static Abandoned list{};
    return list;
}

void freeFinishedAbandoned()
{
    Abandoned &a = abandoned();
    std::lock_guard<std::mutex> lock(a.mutex);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < a.count; ++i) {
        if (gai_error(&a.lookups[i]->request) != EAI_INPROGRESS)
            delete a.lookups[i];
        else
            a.lookups[kept++] = a.lookups[i];
    }
    a.count = kept;
}

// Ends a lookup nobody waits for any more.
void giveUp(std::unique_ptr<Lookup> lookup)
{
    if (gai_cancel(&lookup->request) == EAI_NOTCANCELED) {
        Abandoned &a = abandoned();
        std::lock_guard<std::mutex> lock(a.mutex);
        Lookup *const left = lookup.release();
        if (a.count < a.lookups.size())
            a.lookups[a.count++] = left;
    }
    // EAI_CANCELED or EAI_ALLDONE: glibc is done with it, freed here.
}

std::vector<std::string> addressesOf(const addrinfo *list, std::size_t maxAddresses)
{
    std::vector<std::string> out;
    for (const addrinfo *a = list; a && out.size() < maxAddresses; a = a->ai_next) {
        char text[NI_MAXHOST];
        if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0 &&
            std::find(out.begin(), out.end(), text) == out.end())
            out.push_back(text);
    }
    return out;
}

}  // namespace

std::vector<std::string> lookUpHost(const std::string &name, std::size_t maxAddresses, http::Deadline deadline,
                                    const std::function<bool()> &stopRequested)
{
    freeFinishedAbandoned();
    auto lookup = std::make_unique<Lookup>(name);
    gaicb *requests[] = {&lookup->request};
    sigevent notification{};
    notification.sigev_notify = SIGEV_NONE;
    if (getaddrinfo_a(GAI_NOWAIT, requests, 1, &notification) != 0) {
        WSD_DETAIL("discovery: the lookup of %s could not be started", name.c_str());
        return {};
    }
    for (;;) {
        const int state = gai_error(&lookup->request);
        if (state == 0)
            return addressesOf(lookup->request.ar_result, maxAddresses);
        if (state != EAI_INPROGRESS) {
            WSD_DETAIL("discovery: %s does not resolve: %s", name.c_str(), gai_strerror(state));
            return {};
        }
        const int left = http::millisecondsLeft(deadline);
        if (left <= 0 || stopRequested()) {
            WSD_INFO("discovery: the lookup of %s %s", name.c_str(),
                     left <= 0 ? "took too long: given up" : "was cut short by the end of discovery");
            giveUp(std::move(lookup));
            return {};
        }
        const int slice = std::min(left, StopCheckMs);
        const timespec wait{slice / 1000, static_cast<long>(slice % 1000) * 1000000L};
        const gaicb *const pending[] = {&lookup->request};
        gai_suspend(pending, 1, &wait);  // returns at completion, timeout or a signal: asked again above
    }
}

}  // namespace wsd::discovery
