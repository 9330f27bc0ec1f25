#include "wsd/mtom.h"

#include "wsd/log.h"
#include "wsd/strings.h"
#include "wsd/xml.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace wsd {
namespace {

struct MediaType {
    std::string type;  // lower case, "multipart/related"
    std::map<std::string, std::string> params;  // names in lower case
};

// Parameters are separated by ';', but devices also separate them by white
// space alone (the Microsoft example does), so both are accepted.
MediaType parseMediaType(std::string_view value)
{
    MediaType result;
    size_t i = 0;
    while (i < value.size() && value[i] != ';' && !isSpace(value[i]))
        ++i;
    result.type = lower(value.substr(0, i));
    while (i < value.size()) {
        while (i < value.size() && (value[i] == ';' || isSpace(value[i])))
            ++i;
        size_t nameStart = i;
        while (i < value.size() && value[i] != '=' && value[i] != ';' && !isSpace(value[i]))
            ++i;
        std::string name = lower(value.substr(nameStart, i - nameStart));
        while (i < value.size() && isSpace(value[i]))
            ++i;
        if (i >= value.size() || value[i] != '=')
            continue;
        ++i;
        while (i < value.size() && isSpace(value[i]))
            ++i;
        std::string param;
        if (i < value.size() && value[i] == '"') {
            for (++i; i < value.size() && value[i] != '"'; ++i) {
                if (value[i] == '\\' && i + 1 < value.size())
                    ++i;
                param += value[i];
            }
            ++i;
        } else {
            while (i < value.size() && value[i] != ';' && !isSpace(value[i]))
                param += value[i++];
        }
        if (!name.empty())
            result.params.emplace(std::move(name), std::move(param));
    }
    return result;
}

// "<id@host>" and " < id@host > " both name "id@host".
std::string normaliseContentId(std::string_view id)
{
    id = trim(id);
    if (!id.empty() && id.front() == '<')
        id.remove_prefix(1);
    if (!id.empty() && id.back() == '>')
        id.remove_suffix(1);
    return std::string(trim(id));
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

// A cid: URL (RFC 2392) is the URL-encoded Content-ID.
std::string contentIdFromHref(std::string_view href)
{
    href = trim(href);
    if (startsWithIgnoreCase(href, "cid:"))
        href.remove_prefix(4);
    std::string decoded;
    for (size_t i = 0; i < href.size(); ++i) {
        if (href[i] == '%' && i + 2 < href.size() && hexValue(href[i + 1]) >= 0 && hexValue(href[i + 2]) >= 0) {
            decoded += static_cast<char>(hexValue(href[i + 1]) * 16 + hexValue(href[i + 2]));
            i += 2;
        } else {
            decoded += href[i];
        }
    }
    return normaliseContentId(decoded);
}

// xop:Include is matched by local name: devices use the 2003/12 and the
// 2004/08 XOP namespaces (W3C XOP; the WS-Scan RetrieveImageResponse example).
std::string findIncludeHref(const xml::Node &node)
{
    for (const xml::Node &child : node.elements()) {
        if (child.localName() == "Include") {
            if (auto href = child.attr("href"))
                return *href;
        }
        std::string found = findIncludeHref(child);
        if (!found.empty())
            return found;
    }
    return {};
}

bool looksLikeXml(std::string_view contentType)
{
    std::string type = lower(contentType);
    return type.find("xml") != std::string::npos || type.compare(0, 5, "text/") == 0;
}

}  // namespace

MtomParser::MtomParser(std::string_view httpContentType, Handler &handler) : handler_(handler)
{
    MediaType media = parseMediaType(trim(httpContentType));
    if (media.type.compare(0, 10, "multipart/") != 0) {
        // Not announced as multipart: a fault, or a device with a wrong
        // header; the body's first bytes decide.
        state_ = State::Undecided;
        return;
    }
    multipart_ = true;
    state_ = State::Preamble;
    auto boundary = media.params.find("boundary");
    if (boundary != media.params.end() && !boundary->second.empty())
        setBoundary(boundary->second);
    auto start = media.params.find("start");
    if (start != media.params.end())
        startId_ = normaliseContentId(start->second);
}

bool MtomParser::failWith(std::string message)
{
    if (state_ != State::Failed) {
        error_ = std::move(message);
        state_ = State::Failed;
    }
    return false;
}

bool MtomParser::setBoundary(std::string_view boundary)
{
    // RFC 2046 limits a boundary to 70 characters; allow some slack, but the
    // hold-back buffer is sized by it, so it must stay small.
    if (boundary.empty() || boundary.size() > 200)
        return failWith("invalid multipart boundary");
    delimiter_ = "--";
    delimiter_.append(boundary);
    held_.reserve(delimiter_.size() + 2);
    window_.reserve(2 * delimiter_.size() + 4);
    return true;
}

bool MtomParser::feed(const char *data, size_t length)
{
    if (state_ == State::Failed)
        return false;
    if (state_ == State::Undecided)
        return feedUndecided(data, length);
    if (state_ == State::Plain)
        return feedPlain(data, length);

    size_t pos = 0;
    while (pos < length) {
        long used = 0;
        switch (state_) {
        case State::Preamble:
            used = consumePreamble(data + pos, length - pos);
            break;
        case State::Headers:
            used = consumeHeaders(data + pos, length - pos);
            break;
        case State::Body:
            used = consumeBody(data + pos, length - pos);
            break;
        case State::AfterDelimiter:
        case State::AfterDelimiterDash:
        case State::DelimiterLineEnd:
            used = consumeAfterDelimiter(data + pos, length - pos);
            break;
        case State::Epilogue:
            return true;
        default:
            return false;
        }
        if (used < 0)
            return false;
        pos += static_cast<size_t>(used);
    }
    return true;
}

bool MtomParser::feedUndecided(const char *data, size_t length)
{
    if (!feedPlain(data, length))
        return false;
    std::string_view start = trim(envelope_);
    if (start.size() < 2)
        return true;
    if (start.compare(0, 2, "--") != 0) {
        state_ = State::Plain;
        return true;
    }
    WSD_WARN("RetrieveImage: body is multipart although Content-Type does not say so");
    multipart_ = true;
    state_ = State::Preamble;
    std::string buffered = std::move(envelope_);
    envelope_.clear();
    return feed(buffered.data(), buffered.size());
}

bool MtomParser::feedPlain(const char *data, size_t length)
{
    if (envelope_.size() + length > MaxEnvelopeSize)
        return failWith("SOAP body larger than " + std::to_string(MaxEnvelopeSize) + " bytes");
    envelope_.append(data, length);
    return true;
}

long MtomParser::consumePreamble(const char *data, size_t length)
{
    const char *newline = static_cast<const char *>(std::memchr(data, '\n', length));
    size_t used = newline ? static_cast<size_t>(newline - data) + 1 : length;
    preambleSize_ += used;
    if (preambleSize_ > MaxPreambleSize)
        return failWith("no multipart delimiter in the first " + std::to_string(MaxPreambleSize) + " bytes"), -1;
    line_.append(data, newline ? used - 1 : used);
    if (!newline)
        return static_cast<long>(used);

    std::string_view line = trim(line_);
    if (delimiter_.empty()) {
        // No boundary parameter: the first "--" line names it.
        if (line.size() > 2 && line.compare(0, 2, "--") == 0) {
            if (!setBoundary(line.substr(2)))
                return -1;
            WSD_DETAIL("RetrieveImage: multipart boundary taken from the body");
            beginHeaders();
        }
    } else {
        // The delimiter is searched anywhere in the line, not only at its
        // start: some devices omit the line break before it.
        size_t at = line.find(delimiter_);
        if (at != std::string_view::npos) {
            std::string_view rest = line.substr(at + delimiter_.size());
            if (rest.compare(0, 2, "--") == 0)
                state_ = State::Epilogue;
            else
                beginHeaders();
        }
    }
    line_.clear();
    return static_cast<long>(used);
}

void MtomParser::beginHeaders()
{
    state_ = State::Headers;
    line_.clear();
    headerBlockSize_ = 0;
    sawHeader_ = false;
    partContentType_.clear();
    partContentId_.clear();
    lastHeader_ = nullptr;
}

long MtomParser::consumeHeaders(const char *data, size_t length)
{
    const char *newline = static_cast<const char *>(std::memchr(data, '\n', length));
    size_t used = newline ? static_cast<size_t>(newline - data) + 1 : length;
    headerBlockSize_ += used;
    if (headerBlockSize_ > MaxHeaderBlockSize)
        return failWith("part headers larger than " + std::to_string(MaxHeaderBlockSize) + " bytes"), -1;
    line_.append(data, newline ? used - 1 : used);
    if (!newline)
        return static_cast<long>(used);
    if (!line_.empty() && line_.back() == '\r')
        line_.pop_back();
    bool ok;
    if (trim(line_).empty()) {
        // A blank line before any header is skipped: devices emit a stray
        // one after the delimiter line (as in the WS-Scan RetrieveImageResponse
        // example).
        ok = sawHeader_ ? startPart() : true;
    } else {
        ok = headerLine(line_);
    }
    line_.clear();
    return ok ? static_cast<long>(used) : -1;
}

bool MtomParser::headerLine(std::string_view line)
{
    if (line.front() == ' ' || line.front() == '\t') {
        // Folded continuation of the previous header.
        if (lastHeader_) {
            lastHeader_->push_back(' ');
            lastHeader_->append(trim(line));
        }
        return true;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
        WSD_DETAIL("RetrieveImage: ignoring part header line without a colon");
        lastHeader_ = nullptr;
        return true;
    }
    sawHeader_ = true;
    std::string name = lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-type") {
        partContentType_ = std::string(value);
        lastHeader_ = &partContentType_;
    } else if (name == "content-id") {
        partContentId_ = std::string(value);
        lastHeader_ = &partContentId_;
    } else {
        lastHeader_ = nullptr;
    }
    return true;
}

bool MtomParser::startPart()
{
    if (++partCount_ > MaxParts)
        return failWith("more than " + std::to_string(MaxParts) + " parts");
    std::string id = normaliseContentId(partContentId_);

    bool isRoot = false;
    if (!rootSeen_) {
        if (!startId_.empty() && equalsIgnoreCase(id, startId_))
            isRoot = true;
        else if (partCount_ == 1)
            // The first part is the root unless the start parameter names
            // another part and this one does not look like the envelope.
            isRoot = startId_.empty() || id.empty() || looksLikeXml(partContentType_);
    }

    if (isRoot) {
        rootSeen_ = true;
        role_ = Role::Envelope;
    } else if (imageStarted_) {
        WSD_DETAIL("RetrieveImage: ignoring extra part <%s>", id.c_str());
        role_ = Role::Skipped;
    } else if (!includeHref_.empty() && !equalsIgnoreCase(id, includeHref_) && looksLikeXml(partContentType_)) {
        // Not the referenced part and plainly not an image: wait for the
        // referenced one.
        WSD_DETAIL("RetrieveImage: skipping part <%s> (%s), xop:Include names <%s>", id.c_str(),
                   partContentType_.c_str(), includeHref_.c_str());
        role_ = Role::Skipped;
    } else {
        if (!includeHref_.empty() && !equalsIgnoreCase(id, includeHref_))
            // A stream cannot wait to see whether a later part matches: take
            // the first non-root part, as real devices send only one.
            WSD_WARN("RetrieveImage: xop:Include names <%s> but the image part is <%s>; using it",
                     includeHref_.c_str(), id.c_str());
        role_ = Role::Image;
        imageStarted_ = true;
        if (!handler_.onImageStart(partContentType_))
            return failWith("image rejected at its start");
    }
    held_.clear();
    state_ = State::Body;
    return true;
}

bool MtomParser::endPart()
{
    switch (role_) {
    case Role::Envelope: {
        envelopeDone_ = true;
        if (!handler_.onEnvelope(envelope_))
            return failWith("SOAP envelope rejected");
        xml::Document doc = xml::Document::parse(envelope_);
        if (doc) {
            std::string href = findIncludeHref(doc.root());
            if (!href.empty())
                includeHref_ = contentIdFromHref(href);
        }
        envelope_.clear();
        envelope_.shrink_to_fit();
        break;
    }
    case Role::Image:
        imageEnded_ = true;
        if (!handler_.onImageEnd())
            return failWith("image incomplete or invalid");
        break;
    case Role::Skipped:
        break;
    }
    role_ = Role::Skipped;
    return true;
}

bool MtomParser::partData(const char *data, size_t length)
{
    if (length == 0)
        return true;
    switch (role_) {
    case Role::Envelope:
        if (envelope_.size() + length > MaxEnvelopeSize)
            return failWith("SOAP envelope part larger than " + std::to_string(MaxEnvelopeSize) + " bytes");
        envelope_.append(data, length);
        return true;
    case Role::Image:
        imageBytes_ += length;
        if (!handler_.onImageData(reinterpret_cast<const uint8_t *>(data), length))
            return failWith("image data rejected");
        return true;
    case Role::Skipped:
        return true;
    }
    return true;
}

bool MtomParser::emitBeforeDelimiter(const char *data, size_t length)
{
    // RFC 2046: the line break before a delimiter belongs to the delimiter.
    // LF alone is accepted; so is no line break at all (Xerox WorkCentre 3025).
    delimiterBreak_ = "";
    if (length >= 1 && data[length - 1] == '\n') {
        delimiterBreak_ = length >= 2 && data[length - 2] == '\r' ? "\r\n" : "\n";
        length -= std::strlen(delimiterBreak_);
    }
    return partData(data, length);
}

size_t MtomParser::holdBackLength(const char *data, size_t length) const
{
    // The longest tail that may begin a delimiter...
    size_t hold = std::min(length, delimiter_.size() - 1);
    for (; hold > 0; --hold) {
        if (std::memcmp(data + length - hold, delimiter_.data(), hold) == 0)
            break;
    }
    // ...with the line break before it, or a trailing line break alone.
    size_t before = length - hold;
    if (before >= 1 && data[before - 1] == '\n') {
        ++hold;
        if (before >= 2 && data[before - 2] == '\r')
            ++hold;
    } else if (hold == 0 && before >= 1 && data[before - 1] == '\r') {
        ++hold;
    }
    return hold;
}

long MtomParser::consumeBody(const char *data, size_t length)
{
    const size_t delimiterSize = delimiter_.size();
    if (!held_.empty()) {
        // The held bytes and the start of this chunk, searched together.
        const size_t heldSize = held_.size();
        const size_t take = std::min(length, delimiterSize + 2);
        window_.assign(held_);
        window_.append(data, take);
        size_t at = window_.find(delimiter_);
        if (at != std::string::npos) {
            held_.clear();
            if (!emitBeforeDelimiter(window_.data(), at))
                return -1;
            state_ = State::AfterDelimiter;
            return static_cast<long>(at + delimiterSize - heldSize);
        }
        if (take == length && take < delimiterSize + 2) {
            size_t hold = holdBackLength(window_.data(), window_.size());
            if (!partData(window_.data(), window_.size() - hold))
                return -1;
            held_.assign(window_, window_.size() - hold, hold);
            return static_cast<long>(length);
        }
        // No delimiter begins in the held bytes: they were content.
        std::string content;
        content.swap(held_);
        bool ok = partData(content.data(), content.size());
        content.clear();
        held_.swap(content);  // keeps the reserved capacity
        return ok ? 0 : -1;
    }

    const void *hit = memmem(data, length, delimiter_.data(), delimiterSize);
    if (hit) {
        size_t at = static_cast<size_t>(static_cast<const char *>(hit) - data);
        if (!emitBeforeDelimiter(data, at))
            return -1;
        state_ = State::AfterDelimiter;
        return static_cast<long>(at + delimiterSize);
    }
    size_t hold = holdBackLength(data, length);
    if (!partData(data, length - hold))
        return -1;
    held_.assign(data + length - hold, hold);
    return static_cast<long>(length);
}

bool MtomParser::falseDelimiter(bool withDash)
{
    WSD_DETAIL("RetrieveImage: boundary string inside part content");
    if (!partData(delimiterBreak_, std::strlen(delimiterBreak_)) ||
        !partData(delimiter_.data(), delimiter_.size()) || (withDash && !partData("-", 1)))
        return false;
    state_ = State::Body;
    return true;
}

long MtomParser::consumeAfterDelimiter(const char *data, size_t length)
{
    for (size_t i = 0; i < length; ++i) {
        char c = data[i];
        switch (state_) {
        case State::AfterDelimiter:
            if (c == '-') {
                state_ = State::AfterDelimiterDash;
            } else if (c == '\n') {
                if (!endPart())
                    return -1;
                beginHeaders();
                return static_cast<long>(i + 1);
            } else if (c == ' ' || c == '\t' || c == '\r') {
                if (!endPart())
                    return -1;
                delimiterLineJunk_ = 0;
                state_ = State::DelimiterLineEnd;
            } else {
                return falseDelimiter(false) ? static_cast<long>(i) : -1;
            }
            break;
        case State::AfterDelimiterDash:
            if (c != '-')
                return falseDelimiter(true) ? static_cast<long>(i) : -1;
            if (!endPart())
                return -1;
            state_ = State::Epilogue;
            return static_cast<long>(i + 1);
        case State::DelimiterLineEnd:
            if (c == '\n') {
                beginHeaders();
                return static_cast<long>(i + 1);
            }
            // Transport padding is white space; tolerate other junk up to a bound.
            if (++delimiterLineJunk_ > 1024)
                return failWith("delimiter line too long"), -1;
            break;
        default:
            return static_cast<long>(i);
        }
    }
    return static_cast<long>(length);
}

bool MtomParser::finish()
{
    switch (state_) {
    case State::Failed:
        return false;
    case State::Undecided:
    case State::Plain:
        if (trim(envelope_).empty())
            return failWith("empty response body");
        state_ = State::Epilogue;
        if (!handler_.onEnvelope(envelope_))
            return failWith("SOAP body rejected");
        return true;
    case State::Preamble:
        return failWith(delimiter_.empty() ? "multipart body without any delimiter line"
                                       : "multipart body ended before its first delimiter");
    case State::Headers:
        if (!(imageEnded_ && envelopeDone_))
            return failWith("body ended inside part headers");
        WSD_DETAIL("RetrieveImage: body ended after the image without the closing delimiter");
        break;
    case State::Body: {
        // Held bytes that start like a delimiter are a truncated one.
        std::string_view held = held_;
        size_t breakSize = held.compare(0, 2, "\r\n") == 0 ? 2 : held.compare(0, 1, "\n") == 0 ? 1 : 0;
        if (held.substr(breakSize).compare(0, 2, "--") != 0 && !partData(held_.data(), held_.size()))
            return false;
        held_.clear();
        if (role_ == Role::Envelope)
            return failWith("body ended inside the SOAP envelope part");
        if (role_ == Role::Image) {
            WSD_DETAIL("RetrieveImage: body ended inside the image part, no closing delimiter");
            imageEnded_ = true;
            role_ = Role::Skipped;
            if (!handler_.onImageEnd())
                return failWith("body ended inside the image part and the image is incomplete");
        }
        break;
    }
    case State::AfterDelimiter:
    case State::AfterDelimiterDash:
        if (!endPart())
            return false;
        break;
    case State::DelimiterLineEnd:
    case State::Epilogue:
        break;
    }
    if (!envelopeDone_)
        return failWith("multipart body without a SOAP envelope part");
    if (!imageStarted_)
        return failWith("multipart body without an image part");
    return true;
}

}  // namespace wsd
