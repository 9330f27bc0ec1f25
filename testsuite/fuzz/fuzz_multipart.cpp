// The generic multipart reader (RFC 2046 framing) fed in chunks of random
// sizes, checked against the same body read in one piece: where the body was
// cut must never change the parts, their headers or their content. Input
// layout as fuzz_mtom's, so the two share seeds: the HTTP Content-Type header
// up to the first newline (its boundary parameter is used; a fixed one when
// there is no header line), four bytes of chunking seed, then the body.
#include "fuzz_support.h"
#include "wsd/multipart.h"

#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr std::size_t MaxContentTypeLength = 1024;

struct Part {
    std::string contentType, contentId, content;
    bool ended = false;
    bool operator==(const Part &o) const
    {
        return contentType == o.contentType && contentId == o.contentId && content == o.content && ended == o.ended;
    }
};

// Records the parts and checks the order of the handler calls.
struct Recorder : wsd::MultipartReader::Handler {
    std::vector<Part> parts;

    bool onPartStart(const wsd::MultipartReader::Headers &headers) override
    {
        FUZZ_ASSERT(parts.empty() || parts.back().ended);
        FUZZ_ASSERT(parts.size() < wsd::MultipartReader::MaxParts);
        parts.push_back({headers.get("content-type"), headers.get("content-id"), {}, false});
        return true;
    }
    bool onPartData(const char *data, std::size_t length) override
    {
        FUZZ_ASSERT(!parts.empty() && !parts.back().ended && length > 0);
        parts.back().content.append(data, length);
        return true;
    }
    bool onPartEnd() override
    {
        FUZZ_ASSERT(!parts.empty() && !parts.back().ended);
        parts.back().ended = true;
        return true;
    }
};

struct Result {
    bool ok = false;
    bool closed = false;
    wsd::MultipartReader::Ending ending = wsd::MultipartReader::Ending::InsidePart;
    std::string error;
    Recorder recorder;
};

template <typename NextChunk>
void read(const std::string &boundary, const char *body, std::size_t size, NextChunk next, Result &out)
{
    wsd::MultipartReader reader(boundary, out.recorder);
    bool ok = true;
    std::size_t offset = 0;
    while (ok && offset < size) {
        std::size_t n = next(size - offset);
        ok = reader.feed(body + offset, n);
        offset += n;
    }
    out.ok = ok && reader.finish();
    out.closed = reader.closed();
    out.ending = reader.ending();
    out.error = reader.error();
    if (!out.ok)
        FUZZ_ASSERT(!out.error.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string boundary = "uuid:b";
    const void *newline = std::memchr(data, '\n', size < MaxContentTypeLength ? size : MaxContentTypeLength);
    if (newline) {
        std::size_t length = static_cast<const uint8_t *>(newline) - data;
        wsd::MediaType media = wsd::parseMediaType(fuzz::asText(data, length));
        auto it = media.params.find("boundary");
        boundary = it == media.params.end() ? std::string() : it->second;
        data += length + 1;
        size -= length + 1;
    }
    fuzz::Chunker chunker(fuzz::takeSeed(data, size));
    const char *body = reinterpret_cast<const char *>(data);

    Result whole, chunked;
    read(boundary, body, size, [](std::size_t remaining) { return remaining; }, whole);
    read(boundary, body, size, [&](std::size_t remaining) { return chunker.next(remaining); }, chunked);

    FUZZ_ASSERT(whole.ok == chunked.ok);
    FUZZ_ASSERT(whole.error == chunked.error);
    FUZZ_ASSERT(whole.recorder.parts == chunked.recorder.parts);
    if (whole.ok) {
        FUZZ_ASSERT(whole.closed == chunked.closed);
        FUZZ_ASSERT(whole.ending == chunked.ending);
    }
    return 0;
}
