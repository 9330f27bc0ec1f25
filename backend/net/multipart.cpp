#include "wsd/multipart.h"

#include "wsd/log.h"
#include "wsd/strings.h"

#include <algorithm>
#include <cstring>

namespace wsd {

MediaType parseMediaType(std::string_view value)
{
    value = trim(value);
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

std::string MultipartReader::Headers::get(std::string_view lowerCaseName) const
{
    for (const auto &[name, value] : fields_)
        if (name == lowerCaseName)
            return value;
    return std::string();
}

MultipartReader::MultipartReader(std::string_view boundary, Handler &handler) : handler_(handler)
{
    if (!boundary.empty())
        setBoundary(boundary);
}

bool MultipartReader::failWith(std::string message)
{
    if (state_ != State::Failed) {
        error_ = std::move(message);
        state_ = State::Failed;
    }
    return false;
}

bool MultipartReader::setBoundary(std::string_view boundary)
{
    // RFC 2046 limits a boundary to 70 characters; allow some slack, but the
    // hold-back buffer is sized by it, so it must stay small.
    if (boundary.empty() || boundary.size() > MaxBoundaryLength)
        return failWith("invalid multipart boundary");
    delimiter_ = "--";
    delimiter_.append(boundary);
    held_.reserve(delimiter_.size() + 2);
    window_.reserve(2 * delimiter_.size() + 4);
    return true;
}

bool MultipartReader::feed(const char *data, size_t length)
{
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
        case State::Failed:
            return false;
        }
        if (used < 0)
            return false;
        pos += static_cast<size_t>(used);
    }
    return state_ != State::Failed;
}

long MultipartReader::collectLine(const char *data, size_t length, size_t &total, size_t limit, bool &complete)
{
    const char *newline = static_cast<const char *>(std::memchr(data, '\n', length));
    size_t used = newline ? static_cast<size_t>(newline - data) + 1 : length;
    total += used;
    if (total > limit)
        return -1;
    line_.append(data, newline ? used - 1 : used);
    complete = newline != nullptr;
    return static_cast<long>(used);
}

long MultipartReader::consumePreamble(const char *data, size_t length)
{
    bool complete = false;
    const long used = collectLine(data, length, preambleSize_, MaxPreambleSize, complete);
    if (used < 0)
        return failWith("no multipart delimiter in the first " + std::to_string(MaxPreambleSize) + " bytes"), -1;
    if (!complete)
        return used;

    std::string_view line = trim(line_);
    if (delimiter_.empty()) {
        // No boundary parameter: the first "--" line names it.
        if (line.size() > 2 && line.compare(0, 2, "--") == 0) {
            if (!setBoundary(line.substr(2)))
                return -1;
            WSD_DETAIL("multipart boundary taken from the body");
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
    return used;
}

void MultipartReader::beginHeaders()
{
    state_ = State::Headers;
    line_.clear();
    headerBlockSize_ = 0;
    headers_.fields_.clear();
    lastHeaderOpen_ = false;
}

long MultipartReader::consumeHeaders(const char *data, size_t length)
{
    bool complete = false;
    const long used = collectLine(data, length, headerBlockSize_, MaxHeaderBlockSize, complete);
    if (used < 0)
        return failWith("part headers larger than " + std::to_string(MaxHeaderBlockSize) + " bytes"), -1;
    if (!complete)
        return used;
    if (!line_.empty() && line_.back() == '\r')
        line_.pop_back();
    bool ok = true;
    if (trim(line_).empty()) {
        // A blank line before any header is skipped: devices emit a stray
        // one after the delimiter line (as in the WS-Scan RetrieveImageResponse
        // example).
        if (!headers_.fields_.empty())
            ok = startPart();
    } else {
        headerLine(line_);
    }
    line_.clear();
    return ok ? used : -1;
}

void MultipartReader::headerLine(std::string_view line)
{
    if (line.front() == ' ' || line.front() == '\t') {
        // Folded continuation of the previous field.
        if (lastHeaderOpen_) {
            std::string &value = headers_.fields_.back().second;
            value.push_back(' ');
            value.append(trim(line));
        }
        return;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
        WSD_DETAIL("multipart: ignoring part header line without a colon");
        lastHeaderOpen_ = false;
        return;
    }
    headers_.fields_.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    lastHeaderOpen_ = true;
}

bool MultipartReader::startPart()
{
    if (++partCount_ > MaxParts)
        return failWith("more than " + std::to_string(MaxParts) + " parts");
    if (!handler_.onPartStart(headers_))
        return failWith("part rejected at its start");
    held_.clear();
    state_ = State::Body;
    return true;
}

bool MultipartReader::endPart()
{
    if (!handler_.onPartEnd())
        return failWith("part rejected at its end");
    return true;
}

bool MultipartReader::partData(const char *data, size_t length)
{
    if (length == 0)
        return true;
    if (!handler_.onPartData(data, length))
        return failWith("part content rejected");
    return true;
}

bool MultipartReader::emitBeforeDelimiter(const char *data, size_t length)
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

size_t MultipartReader::holdBackLength(const char *data, size_t length) const
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

long MultipartReader::consumeBody(const char *data, size_t length)
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

bool MultipartReader::falseDelimiter(bool withDash)
{
    WSD_DETAIL("multipart: boundary string inside part content");
    if (!partData(delimiterBreak_, std::strlen(delimiterBreak_)) ||
        !partData(delimiter_.data(), delimiter_.size()) || (withDash && !partData("-", 1)))
        return false;
    state_ = State::Body;
    return true;
}

long MultipartReader::consumeAfterDelimiter(const char *data, size_t length)
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

bool MultipartReader::finish()
{
    switch (state_) {
    case State::Failed:
        return false;
    case State::Preamble:
        return failWith(delimiter_.empty() ? "multipart body without any delimiter line"
                                       : "multipart body ended before its first delimiter");
    case State::Headers:
        ending_ = Ending::InsideHeaders;
        return true;
    case State::Body: {
        // Held bytes that start like a delimiter are a truncated one.
        std::string_view held = held_;
        size_t breakSize = held.compare(0, 2, "\r\n") == 0 ? 2 : held.compare(0, 1, "\n") == 0 ? 1 : 0;
        if (held.substr(breakSize).compare(0, 2, "--") != 0 && !partData(held_.data(), held_.size()))
            return false;
        held_.clear();
        ending_ = Ending::InsidePart;
        return true;
    }
    case State::AfterDelimiter:
    case State::AfterDelimiterDash:
        if (!endPart())
            return false;
        ending_ = Ending::OnDelimiterLine;
        return true;
    case State::DelimiterLineEnd:
        ending_ = Ending::OnDelimiterLine;
        return true;
    case State::Epilogue:
        ending_ = Ending::Closed;
        return true;
    }
    return true;
}

}  // namespace wsd
