// Incremental parser for the RetrieveImage response body: an MTOM
// multipart/related message (W3C MTOM, XOP) whose root part is the SOAP
// envelope and whose other part carries the image bytes. The multipart
// framing is MultipartReader's; this layer picks the root part (the start
// parameter) and the image part (the envelope's xop:Include href). The body
// arrives in pieces of any size; the image bytes are handed on as they
// arrive, never collected.
#pragma once

#include "wsd/multipart.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsd {

class MtomParser : private MultipartReader::Handler {
public:
    // Bounds for the parts we do keep in memory (untrusted input).
    static constexpr std::size_t MaxEnvelopeSize = 256 * 1024;

    class Handler {
    public:
        virtual ~Handler() = default;
        // The root part (or the whole body when it is not multipart), complete.
        virtual bool onEnvelope(std::string_view xml) = 0;
        // The part's declared Content-Type, for the log only: devices get it wrong.
        virtual bool onImageStart(std::string_view contentType) = 0;
        // Points into the caller's chunk (or into the parser's few held-back
        // bytes); valid only during the call. Return false to abort.
        virtual bool onImageData(const uint8_t *data, size_t length) = 0;
        // The image part ended (delimiter seen, or the body ended inside it).
        virtual bool onImageEnd() = 0;
    };

    // httpContentType: the response's Content-Type header value.
    MtomParser(std::string_view httpContentType, Handler &handler);
    MtomParser(const MtomParser &) = delete;
    MtomParser &operator=(const MtomParser &) = delete;

    // Any chunk sizes, down to 1 byte. False on malformed input or when the
    // handler aborted; error() says why, and every later call fails.
    bool feed(const char *data, size_t length);
    // End of the body. False when the body is truncated or malformed, or has
    // no image part. A body that ends inside the image part without its
    // closing delimiter is accepted when onImageEnd() accepts it (the decoder
    // knows whether the image is complete); closed() then stays false.
    bool finish();

    const std::string &error() const { return error_; }
    // False: the body is a plain SOAP message (usually a fault), delivered
    // whole through onEnvelope at finish().
    bool isMultipart() const { return multipart_; }
    // The closing delimiter was seen.
    bool closed() const;
    // Image bytes passed to onImageData so far.
    std::uint64_t imageBytes() const { return imageBytes_; }

private:
    enum class State {
        Undecided,  // not multipart by its header: sniffing the body's start
        Plain,      // a plain SOAP body, collected for onEnvelope
        Multipart,  // in reader_'s hands
        Done,       // finish() succeeded
        Failed,
    };
    enum class Role { Envelope, Image, Skipped };

    bool failWith(std::string message);
    bool feedPlain(const char *data, size_t length);
    bool feedUndecided(const char *data, size_t length);
    void startMultipart(std::string_view boundary);
    bool finishMultipart();

    bool onPartStart(const MultipartReader::Headers &headers) override;
    bool onPartData(const char *data, std::size_t length) override;
    bool onPartEnd() override;
    bool endEnvelope();

    Handler &handler_;
    State state_ = State::Undecided;
    std::string error_;
    std::optional<MultipartReader> reader_;  // once the body is known to be multipart
    bool multipart_ = false;
    std::string startId_;  // root Content-ID from the start parameter, normalised

    Role role_ = Role::Skipped;  // of the current part
    std::size_t partCount_ = 0;
    std::string envelope_;  // root part, or the whole plain body
    bool rootSeen_ = false;
    bool envelopeDone_ = false;
    std::string includeHref_;  // normalised Content-ID from xop:Include
    bool imageStarted_ = false;
    bool imageEnded_ = false;
    std::uint64_t imageBytes_ = 0;
};

}  // namespace wsd
