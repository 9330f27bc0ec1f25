#include "wsd/protocol_trace.h"

#include "wsd/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <ctime>

namespace wsd::trace {

namespace {
std::atomic<unsigned> sequence{0};
// SOAP bodies are written whole; a multipart image response keeps its first
// bytes, which hold the SOAP part.
constexpr std::size_t SoapKeep = 1 << 20;
constexpr std::size_t MultipartKeep = 4096;
}  // namespace

Exchange::Exchange(const std::string &dir, const std::string &url)
{
    mkdir(dir.c_str(), 0700);
    char name[64];
    std::snprintf(name, sizeof name, "/%05u-%d.txt", ++sequence, static_cast<int>(getpid()));
    std::string path = dir + name;
    file_ = std::fopen(path.c_str(), "w");
    if (!file_) {
        WSD_WARN("protocol trace: cannot write %s", path.c_str());
        return;
    }
    std::time_t now = std::time(nullptr);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    std::fprintf(file_, "# %s\n>>> POST %s\n", when, url.c_str());
}

Exchange::~Exchange()
{
    if (!finished_)
        finish("");
    if (file_)
        std::fclose(file_);
}

void Exchange::request(const std::string &contentType, const std::string &body)
{
    if (file_)
        std::fprintf(file_, ">>> Content-Type: %s\n\n%s\n\n", contentType.c_str(), body.c_str());
}

void Exchange::responseHeaders(long status, const std::string &contentType)
{
    keepBytes_ = contentType.find("multipart") != std::string::npos ? MultipartKeep : SoapKeep;
    if (file_)
        std::fprintf(file_, "<<< HTTP %ld\n<<< Content-Type: %s\n\n", status, contentType.c_str());
}

void Exchange::responseBody(const char *data, std::size_t length)
{
    if (file_ && bodyBytes_ < keepBytes_) {
        std::size_t n = std::min(length, keepBytes_ - bodyBytes_);
        std::fwrite(data, 1, n, file_);
    }
    bodyBytes_ += length;
}

void Exchange::finish(const std::string &error)
{
    finished_ = true;
    if (!file_)
        return;
    if (bodyBytes_ > keepBytes_)
        std::fprintf(file_, "\n[... %zu more bytes of image data elided]", bodyBytes_ - keepBytes_);
    std::fprintf(file_, "\n<<< end: %zu body bytes%s%s\n", bodyBytes_, error.empty() ? "" : ", error: ",
                 error.c_str());
    std::fflush(file_);
}

}  // namespace wsd::trace
