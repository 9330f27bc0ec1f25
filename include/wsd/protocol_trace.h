// The protocol trace (wsd.conf "trace = DIR" or SANE_WSD_TRACE): one file per
// HTTP exchange with the request and the response, headers and body. Image
// data is elided after the first bytes so a trace stays small enough to mail.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace wsd::trace {

class Exchange {
public:
    Exchange(const std::string &dir, const std::string &url);
    ~Exchange();
    Exchange(const Exchange &) = delete;
    Exchange &operator=(const Exchange &) = delete;

    void request(const std::string &contentType, const std::string &body);
    void responseHeaders(long status, const std::string &contentType);
    void responseBody(const char *data, std::size_t length);
    void finish(const std::string &error);

private:
    std::FILE *file_ = nullptr;
    std::size_t keepBytes_ = 0;     // how much of the body is written out
    std::size_t bodyBytes_ = 0;
    bool finished_ = false;
};

}  // namespace wsd::trace
