// The MTOM multipart parser behind RetrieveImage, fed in chunks of random
// sizes. Input layout: the HTTP Content-Type header up to the first newline
// (a fixed multipart/related header when there is none), four bytes of
// chunking seed, then the HTTP body.
#include "fuzz_support.h"
#include "wsd/mtom.h"

#include <cstring>

namespace {

constexpr std::size_t MaxContentTypeLength = 1024;
const char DefaultContentType[] =
    "multipart/related; type=\"application/xop+xml\"; boundary=\"uuid:b\"; "
    "start=\"<root@wsd>\"; start-info=\"application/soap+xml\"";

// Checks the order of the handler calls and that every byte reaches the
// image exactly once.
struct CheckingHandler : wsd::MtomParser::Handler {
    int envelopes = 0;
    bool inImage = false;
    int images = 0;
    std::uint64_t imageBytes = 0;

    bool onEnvelope(std::string_view xml) override
    {
        FUZZ_ASSERT(xml.size() <= wsd::MtomParser::MaxEnvelopeSize);
        ++envelopes;
        return true;
    }
    bool onImageStart(std::string_view) override
    {
        FUZZ_ASSERT(!inImage);
        inImage = true;
        ++images;
        return true;
    }
    bool onImageData(const uint8_t *data, size_t length) override
    {
        FUZZ_ASSERT(inImage && length > 0);
        // Touch the first and last byte: ASan reports a pointer outside the input.
        volatile uint8_t edge = data[0] ^ data[length - 1];
        (void)edge;
        imageBytes += length;
        return true;
    }
    bool onImageEnd() override
    {
        FUZZ_ASSERT(inImage);
        inImage = false;
        return true;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string contentType = DefaultContentType;
    const void *newline = std::memchr(data, '\n', size < MaxContentTypeLength ? size : MaxContentTypeLength);
    if (newline) {
        std::size_t length = static_cast<const uint8_t *>(newline) - data;
        contentType.assign(reinterpret_cast<const char *>(data), length);
        data += length + 1;
        size -= length + 1;
    }
    fuzz::Chunker chunker(fuzz::takeSeed(data, size));

    CheckingHandler handler;
    wsd::MtomParser parser(contentType, handler);
    bool ok = true;
    std::size_t offset = 0;
    while (ok && offset < size) {
        std::size_t n = chunker.next(size - offset);
        ok = parser.feed(reinterpret_cast<const char *>(data) + offset, n);
        offset += n;
    }
    if (ok)
        ok = parser.finish();
    if (!ok)
        FUZZ_ASSERT(!parser.error().empty());
    FUZZ_ASSERT(handler.envelopes <= 1);
    FUZZ_ASSERT(handler.imageBytes == parser.imageBytes());
    return 0;
}
