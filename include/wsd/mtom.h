// Incremental parser for the RetrieveImage response body: an MTOM
// multipart/related message whose root part is the SOAP envelope and whose
// other part carries the image bytes. The body arrives in pieces of any size;
// the image bytes are handed on as they arrive, never collected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wsd {

class MtomParser {
public:
    // Bounds for the parts we do keep in memory (untrusted input).
    static constexpr std::size_t MaxEnvelopeSize = 256 * 1024;
    static constexpr std::size_t MaxHeaderBlockSize = 16 * 1024;
    static constexpr std::size_t MaxPreambleSize = 64 * 1024;
    static constexpr std::size_t MaxParts = 64;

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
    bool closed() const { return state_ == State::Epilogue; }
    // Image bytes passed to onImageData so far.
    std::uint64_t imageBytes() const { return imageBytes_; }

private:
    enum class State {
        Undecided,        // not multipart by its header: sniffing the body's start
        Plain,            // a plain SOAP body, collected for onEnvelope
        Preamble,         // before the first delimiter
        Headers,          // part header lines
        Body,             // part content, scanning for the delimiter
        AfterDelimiter,   // just after "--boundary": "--", padding or line end follow
        AfterDelimiterDash,
        DelimiterLineEnd, // skipping transport padding to the end of the line
        Epilogue,         // after the closing delimiter: ignored
        Failed,
    };
    enum class Role { Envelope, Image, Skipped };

    bool failWith(std::string message);
    bool feedPlain(const char *data, size_t length);
    bool feedUndecided(const char *data, size_t length);
    // Each returns how many bytes it consumed, or -1 on failure.
    long consumePreamble(const char *data, size_t length);
    long consumeHeaders(const char *data, size_t length);
    long consumeBody(const char *data, size_t length);
    long consumeAfterDelimiter(const char *data, size_t length);

    bool setBoundary(std::string_view boundary);
    void beginHeaders();
    bool headerLine(std::string_view line);
    bool startPart();
    bool endPart();
    bool partData(const char *data, size_t length);
    // A "--boundary" match turned out to be content: give its bytes back.
    bool falseDelimiter(bool withDash);
    // Data before a delimiter minus the line break that belongs to it.
    bool emitBeforeDelimiter(const char *data, size_t length);
    size_t holdBackLength(const char *data, size_t length) const;

    Handler &handler_;
    State state_ = State::Preamble;
    bool multipart_ = false;
    std::string error_;

    std::string delimiter_;  // "--" + boundary
    std::string startId_;    // root Content-ID from the start parameter, normalised
    std::string line_;       // preamble or header line being collected
    size_t headerBlockSize_ = 0;
    size_t preambleSize_ = 0;

    // Current part.
    std::string partContentType_;
    std::string partContentId_;
    std::string *lastHeader_ = nullptr;  // for folded header lines
    bool sawHeader_ = false;
    Role role_ = Role::Skipped;
    size_t partCount_ = 0;
    size_t delimiterLineJunk_ = 0;
    // The line break found before a delimiter candidate, given back with it
    // when the candidate is not a delimiter after all.
    const char *delimiterBreak_ = "";

    // At most delimiter + line break bytes that might begin a delimiter.
    std::string held_;
    std::string window_;  // held_ plus the start of the next chunk

    std::string envelope_;  // root part, or the whole plain body
    bool rootSeen_ = false;
    bool envelopeDone_ = false;
    std::string includeHref_;  // normalised Content-ID from xop:Include
    bool imageStarted_ = false;
    bool imageEnded_ = false;
    std::uint64_t imageBytes_ = 0;
};

}  // namespace wsd
