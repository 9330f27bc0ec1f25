// Streaming reader for a MIME multipart body (RFC 2046 section 5.1): finds the
// delimiters, reads each part's header block and hands each part's content
// on as it arrives, never collected. The body may arrive in pieces of any
// size, down to one byte.
//
// Real devices frame their bodies loosely, and the reader takes what they
// send: no line break before the first delimiter, or before any delimiter
// (Xerox WorkCentre 3025), LF instead of CRLF, a stray blank line after a
// delimiter line, transport padding and junk after a delimiter, a body that
// ends without its closing delimiter, and no boundary parameter at all (the
// first "--" line names it).
//
// MultipartReader is longer than ~250 lines on purpose: it is one state
// machine over one hold-back buffer (the bytes that may begin a delimiter,
// which a chunk boundary can split anywhere), and its states hand bytes back
// to each other (a false delimiter returns to the content); cut apart, each
// piece would need the others' state.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsd {

// A Content-Type value: "multipart/related; boundary=x; start=<a@b>".
struct MediaType {
    std::string type;                           // lower case, "multipart/related"
    std::map<std::string, std::string> params;  // names in lower case, values unquoted
};

// Parameters are separated by ';', but devices also separate them by white
// space alone (the Microsoft example does), so both are accepted.
MediaType parseMediaType(std::string_view value);

class MultipartReader {
public:
    // Bounds for what the reader keeps in memory (untrusted input).
    static constexpr std::size_t MaxHeaderBlockSize = 16 * 1024;
    static constexpr std::size_t MaxPreambleSize = 64 * 1024;
    static constexpr std::size_t MaxParts = 64;
    static constexpr std::size_t MaxBoundaryLength = 200;

    // One part's header fields, names in lower case, folded lines joined.
    class Headers {
    public:
        // The field's value, empty when absent.
        std::string get(std::string_view lowerCaseName) const;

    private:
        friend class MultipartReader;
        std::vector<std::pair<std::string, std::string>> fields_;
    };

    class Handler {
    public:
        virtual ~Handler() = default;
        // Each returns false to stop the reader (feed() and finish() fail).
        virtual bool onPartStart(const Headers &headers) = 0;
        // Points into the caller's chunk or the reader's few held-back bytes;
        // valid only during the call. Never called with length 0.
        virtual bool onPartData(const char *data, std::size_t length) = 0;
        // The delimiter after the part was seen.
        virtual bool onPartEnd() = 0;
    };

    // Where the body ended, once finish() succeeded.
    enum class Ending {
        Closed,           // after the closing delimiter
        OnDelimiterLine,  // on a delimiter's line (onPartEnd was called), before its line break
        InsideHeaders,    // after a delimiter line, before the next part's content
        InsidePart,       // inside a part's content: onPartEnd was not called for it
    };

    // boundary: the Content-Type's boundary parameter; empty when it had
    // none, and the body's first "--" line names it.
    MultipartReader(std::string_view boundary, Handler &handler);
    MultipartReader(const MultipartReader &) = delete;
    MultipartReader &operator=(const MultipartReader &) = delete;

    // False on malformed input or when the handler stopped the reader;
    // error() says why, and every later call fails.
    bool feed(const char *data, std::size_t length);
    // End of the body. Content held back as a possible delimiter start is
    // handed on first (unless it is a truncated delimiter). False when the
    // body ended before its first delimiter.
    bool finish();

    const std::string &error() const { return error_; }
    bool failed() const { return state_ == State::Failed; }
    bool closed() const { return state_ == State::Epilogue; }
    Ending ending() const { return ending_; }

private:
    enum class State {
        Preamble,          // before the first delimiter
        Headers,           // part header lines
        Body,              // part content, scanning for the delimiter
        AfterDelimiter,    // just after "--boundary": "--", padding or line end follow
        AfterDelimiterDash,
        DelimiterLineEnd,  // skipping transport padding to the end of the line
        Epilogue,          // after the closing delimiter: ignored
        Failed,
    };

    bool failWith(std::string message);
    bool setBoundary(std::string_view boundary);
    // Adds the rest of the current line to line_ (without its LF; complete
    // once the LF was seen), counting the bytes in total: -1 past limit.
    long collectLine(const char *data, std::size_t length, std::size_t &total, std::size_t limit, bool &complete);
    // Each returns how many bytes it consumed, or -1 on failure.
    long consumePreamble(const char *data, std::size_t length);
    long consumeHeaders(const char *data, std::size_t length);
    long consumeBody(const char *data, std::size_t length);
    long consumeAfterDelimiter(const char *data, std::size_t length);

    void beginHeaders();
    void headerLine(std::string_view line);
    bool startPart();
    bool endPart();
    bool partData(const char *data, std::size_t length);
    // A "--boundary" match turned out to be content: give its bytes back.
    bool falseDelimiter(bool withDash);
    // Data before a delimiter minus the line break that belongs to it.
    bool emitBeforeDelimiter(const char *data, std::size_t length);
    std::size_t holdBackLength(const char *data, std::size_t length) const;

    Handler &handler_;
    State state_ = State::Preamble;
    Ending ending_ = Ending::InsidePart;
    std::string error_;

    std::string delimiter_;  // "--" + boundary
    std::string line_;       // preamble or header line being collected
    std::size_t headerBlockSize_ = 0;
    std::size_t preambleSize_ = 0;

    Headers headers_;  // of the part whose header block is being read
    bool lastHeaderOpen_ = false;  // a folded line continues the last field
    std::size_t partCount_ = 0;
    std::size_t delimiterLineJunk_ = 0;
    // The line break found before a delimiter candidate, given back with it
    // when the candidate is not a delimiter after all.
    const char *delimiterBreak_ = "";

    // At most delimiter + line break bytes that might begin a delimiter.
    std::string held_;
    std::string window_;  // held_ plus the start of the next chunk
};

}  // namespace wsd
