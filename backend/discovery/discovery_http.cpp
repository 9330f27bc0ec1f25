#include "discovery_shared.h"
#include "wsd/host_lookup.h"

#include "wsd/log.h"
#include "wsd/metadata.h"
#include "wsd/strings.h"
#include "wsd/url.h"


#include <algorithm>

namespace wsd::discovery {

namespace {

constexpr std::size_t MaxHttpBatch = 32;
constexpr std::size_t MaxLookupAddresses = 16;

// Multicast-DNS names (printer.local) are Avahi's to look up.
bool isMdnsHost(const std::string &u)
{
    auto parts = url::parse(u);
    if (!parts || parts->host.size() <= 6)
        return false;
    return equalsIgnoreCase(std::string_view(parts->host).substr(parts->host.size() - 6), ".local");
}

// The host a directed probe went to, as the answer's source.
Source sourceOf(const std::string &probedUrl)
{
    auto parts = url::parse(probedUrl);
    return parts ? Source{parts->host, parts->zone} : Source{};
}

http::Options discoveryHttpOptions(const Config &config)
{
    http::Options o = wsd::httpOptions(config);
    o.connectTimeoutMs = std::min(config.connectTimeoutMs, 2000);
    o.timeoutMs = std::min(config.requestTimeoutMs, 3000);
    o.maxBodyBytes = MaxMessageSize * 4;
    return o;
}

}  // namespace

void Shared::dispatch()
{
    for (Work &w : table.takeWork()) {
        if (w.kind == Work::Kind::MetadataGet)
            httpJobs.push_back({HttpJob::Kind::Metadata, w.endpoint, {w.url, buildGetMetadataRequest(w.endpoint, w.url)}});
        else if (mdnsLookup && isMdnsHost(w.url))
            hostQueue.push_back(std::move(w));
        else
            httpJobs.push_back({HttpJob::Kind::HostLookup, w.endpoint, {w.url, std::string()}});
        workReady.notify_all();
    }
    // The network thread recomputes Resolves and asks Avahi.
    wake.signal();
    changed.notify_all();
}

bool Shared::busy() const
{
    return httpInFlight > 0 || !httpJobs.empty() || !avahiQueue.empty() || !hostQueue.empty() || askingCups ||
           checkingCache || !printQueueHosts.empty() || !printQueueServices.empty() || servicesResolving > 0 || table.busy();
}

void HttpWorkers::join()
{
    for (std::thread &t : threads_)
        t.join();
    threads_.clear();
}

void HttpWorkers::start(int count)
{
    for (int i = 0; i < count; ++i)
        threads_.emplace_back([this] { run(); });
}

void HttpWorkers::run()
{
    for (;;) {
        std::vector<HttpJob> batch;
        {
            std::unique_lock<std::mutex> lock(s_.mutex);
            s_.workReady.wait(lock, [&] { return s_.stopping || !s_.httpJobs.empty(); });
            if (s_.stopping)
                return;
            while (!s_.httpJobs.empty() && batch.size() < MaxHttpBatch) {
                batch.push_back(std::move(s_.httpJobs.front()));
                s_.httpJobs.pop_front();
            }
            s_.httpInFlight += static_cast<int>(batch.size());
        }
        std::vector<http::Request> requests;
        std::vector<const HttpJob *> posted;
        for (const HttpJob &job : batch)
            if (job.kind != HttpJob::Kind::HostLookup) {
                requests.push_back(job.request);
                posted.push_back(&job);
            }
        // Each answer as it comes: a silent host in the batch (a CUPS queue's
        // printer that is off) must not hold up the others till it times out.
        http::postAll(requests, discoveryHttpOptions(s_.config), [&](std::size_t i, const http::Response &response) {
            if (posted[i]->kind == HttpJob::Kind::Metadata)
                onMetadata(*posted[i], response);
            else
                onDirectedProbeAnswer(*posted[i], response);
        });
        for (const HttpJob &job : batch)
            if (job.kind == HttpJob::Kind::HostLookup)
                onHostLookup(job);
        std::lock_guard<std::mutex> lock(s_.mutex);
        s_.httpInFlight -= static_cast<int>(batch.size());
        s_.table.noteActivity(Clock::now());
        s_.changed.notify_all();
    }
}

void HttpWorkers::onMetadata(const HttpJob &job, const http::Response &response)
{
    std::string error;
    const std::optional<DeviceMetadata> metadata = metadataFromResponse(response, &error);
    if (!metadata)
        WSD_INFO("discovery: metadata of %s from %s: %s", job.key.c_str(), job.request.url.c_str(), error.c_str());
    std::lock_guard<std::mutex> lock(s_.mutex);
    s_.table.onMetadata(job.key, job.request.url, metadata, Clock::now());
    s_.dispatch();
}

// A host name in an XAddr is looked up here, not by libcurl, so that the
// table checks the addresses before anything connects to them.
void HttpWorkers::onHostLookup(const HttpJob &job)
{
    auto parts = url::parse(job.request.url);
    // As long as a connection may take (see discoveryHttpOptions): a lookup
    // is the first step of one.
    const http::Deadline deadline =
        Clock::now() + std::chrono::milliseconds(discoveryHttpOptions(s_.config).connectTimeoutMs);
    auto stopping = [this] {
        std::lock_guard<std::mutex> lock(s_.mutex);
        return s_.stopping;
    };
    std::vector<std::string> addresses =
        parts ? lookUpHost(parts->host, MaxLookupAddresses, deadline, stopping) : std::vector<std::string>();
    std::lock_guard<std::mutex> lock(s_.mutex);
    s_.table.onHostResolved(job.key, job.request.url, addresses, Clock::now());
    s_.dispatch();
}

void HttpWorkers::onDirectedProbeAnswer(const HttpJob &job, const http::Response &response)
{
    if (!response.transportOk() || response.status != 200) {
        WSD_DETAIL("discovery: directed Probe %s: %s", job.request.url.c_str(),
                   response.transportOk() ? ("HTTP " + std::to_string(response.status)).c_str()
                                          : response.error.c_str());
        return;
    }
    std::string error;
    auto m = parse(response.body, &error);
    if (!m || m->kind != Kind::ProbeMatches) {
        WSD_DETAIL("discovery: directed Probe %s: %s", job.request.url.c_str(), m ? "not a ProbeMatches" : error.c_str());
        return;
    }
    std::lock_guard<std::mutex> lock(s_.mutex);
    s_.table.onMessage(*m, sourceOf(job.request.url), job.key, Clock::now());
    s_.dispatch();
}

}  // namespace wsd::discovery
