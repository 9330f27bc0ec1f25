// What a request handler answers, independent of the HTTP library: a
// complete body, or an image transfer the HTTP layer streams.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "image_transfer.h"

namespace wsdsim {

struct HttpRequest {
    std::string method;
    std::string path;
    std::string body;
    std::string client;  // peer address, for the log
    // Peer TCP port: one per connection, so the log shows which requests
    // shared a keep-alive connection.
    unsigned clientPort = 0;
    // When the HTTP layer had the request's headers (before the body was
    // read or parsed): the log's time, which benchmarks compare with the
    // client's clock.
    std::chrono::system_clock::time_point arrived = std::chrono::system_clock::now();
};

struct HttpReply {
    int status = 200;
    std::string contentType;
    std::string body;
    std::shared_ptr<ImageTransfer> transfer;  // set: stream this instead of body
    std::string location;                     // Location header, for a redirect
    bool dropConnection = false;              // close the connection, no answer at all
};

}  // namespace wsdsim
