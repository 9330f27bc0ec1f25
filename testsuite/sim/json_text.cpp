#include "json_text.h"

#include <cctype>
#include <cstdio>

namespace wsdsim::json {

std::string quote(std::string_view text)
{
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

namespace {

class Reader {
public:
    explicit Reader(std::string_view t) : text_(t) {}

    void skipSpace()
    {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
    }
    bool eat(char c)
    {
        skipSpace();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool atEnd()
    {
        skipSpace();
        return pos_ == text_.size();
    }
    std::optional<std::string> string()
    {
        if (!eat('"'))
            return std::nullopt;
        std::string out;
        while (pos_ < text_.size()) {
            char c = text_[pos_++];
            if (c == '"')
                return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= text_.size())
                return std::nullopt;
            char e = text_[pos_++];
            switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'u': return std::nullopt;  // knob values never need it
            default: out += e;
            }
        }
        return std::nullopt;
    }
    // true, false, null or a number, as written.
    std::optional<std::string> bare()
    {
        skipSpace();
        size_t start = pos_;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                       text_[pos_] == '-' || text_[pos_] == '.' || text_[pos_] == '+'))
            ++pos_;
        if (pos_ == start)
            return std::nullopt;
        return std::string(text_.substr(start, pos_ - start));
    }
    bool peek(char c)
    {
        skipSpace();
        return pos_ < text_.size() && text_[pos_] == c;
    }

private:
    std::string_view text_;
    size_t pos_ = 0;
};

}  // namespace

std::optional<std::map<std::string, std::string>> parseFlatObject(std::string_view text, std::string *error)
{
    auto failed = [&](const char *why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    Reader r(text);
    std::map<std::string, std::string> out;
    if (!r.eat('{'))
        return failed("expected a JSON object");
    if (r.eat('}'))
        return r.atEnd() ? std::optional(out) : failed("text after the object");
    for (;;) {
        auto key = r.string();
        if (!key)
            return failed("expected a string key");
        if (!r.eat(':'))
            return failed("expected ':'");
        std::optional<std::string> value = r.peek('"') ? r.string() : r.bare();
        if (!value)
            return failed("expected a string, number or boolean value");
        out[*key] = *value;
        if (r.eat(','))
            continue;
        if (r.eat('}'))
            break;
        return failed("expected ',' or '}'");
    }
    if (!r.atEnd())
        return failed("text after the object");
    return out;
}

}  // namespace wsdsim::json
