// What a request handler answers, independent of the HTTP library: a
// complete body, or an image transfer the HTTP layer streams.
#pragma once

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
};

struct HttpReply {
    int status = 200;
    std::string contentType;
    std::string body;
    std::shared_ptr<ImageTransfer> transfer;  // set: stream this instead of body
};

}  // namespace wsdsim
