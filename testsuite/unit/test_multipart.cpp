// The generic multipart reader (RFC 2046 section 5.1) under MTOM: framing,
// part headers, content handed on in any chunking, the broken framing real
// devices send, truncation, limits.
#include "suites.h"

#include "wsd/multipart.h"

#include <random>
#include <string>
#include <vector>

namespace {

struct Part {
    std::string contentType, contentId, content;
    bool ended = false;
};

struct Recorder : wsd::MultipartReader::Handler {
    std::vector<Part> parts;
    std::size_t abortAfterBytes = 0;  // 0: never abort
    std::size_t bytes = 0;

    bool onPartStart(const wsd::MultipartReader::Headers &headers) override
    {
        ck_assert(parts.empty() || parts.back().ended);
        parts.push_back({headers.get("content-type"), headers.get("content-id"), {}, false});
        return true;
    }
    bool onPartData(const char *data, std::size_t length) override
    {
        ck_assert(!parts.empty() && !parts.back().ended && length > 0);
        parts.back().content.append(data, length);
        bytes += length;
        return abortAfterBytes == 0 || bytes < abortAfterBytes;
    }
    bool onPartEnd() override
    {
        ck_assert(!parts.empty() && !parts.back().ended);
        parts.back().ended = true;
        return true;
    }
};

struct Outcome {
    bool fed = true, finished = false, closed = false;
    wsd::MultipartReader::Ending ending = wsd::MultipartReader::Ending::InsidePart;
    std::string error;
    Recorder rec;
};

Outcome run(const std::string &boundary, const std::string &body, std::size_t chunk)
{
    Outcome out;
    wsd::MultipartReader reader(boundary, out.rec);
    for (std::size_t at = 0; at < body.size() && out.fed; at += chunk)
        out.fed = reader.feed(body.data() + at, std::min(chunk, body.size() - at));
    out.finished = out.fed && reader.finish();
    out.closed = reader.closed();
    out.ending = reader.ending();
    out.error = reader.error();
    return out;
}

// The outcome must not depend on where the body was cut.
template <typename Check>
void forEveryChunking(const std::string &boundary, const std::string &body, Check check)
{
    for (std::size_t chunk = 1; chunk <= body.size(); ++chunk)
        check(run(boundary, body, chunk), chunk);
}

void assertPart(const Outcome &o, std::size_t index, const char *content, bool ended, std::size_t chunk)
{
    ck_assert_msg(o.rec.parts.size() > index, "chunk %zu: %zu parts", chunk, o.rec.parts.size());
    const Part &p = o.rec.parts[index];
    ck_assert_msg(p.content == content, "chunk %zu, part %zu: [%s]", chunk, index, p.content.c_str());
    ck_assert_msg(p.ended == ended, "chunk %zu, part %zu: ended %d", chunk, index, p.ended);
}

}  // namespace

START_TEST(parts_headers_and_content)
{
    const std::string body = "preamble, ignored\r\n"
                             "--frontier\r\n"
                             "Content-Type: text/plain\r\n"
                             "CONTENT-id: <a@x>\r\n"
                             "\r\n"
                             "first\r\n--frontie r\r\n"  // not a delimiter: content
                             "\r\n--frontier  \t\r\n"     // transport padding
                             "content-type: application/octet-stream;\r\n"
                             "\tname=blob\r\n"  // folded
                             "\r\n"
                             "\r\n"  // empty first line of content
                             "\r\n--frontier\r\n"
                             "X: y\r\n"
                             "\r\n"
                             "\r\n--frontier--\r\n"
                             "epilogue, ignored\r\n--frontier\r\n";
    forEveryChunking("frontier", body, [](const Outcome &o, std::size_t chunk) {
        ck_assert_msg(o.finished, "chunk %zu: %s", chunk, o.error.c_str());
        ck_assert(o.closed && o.ending == wsd::MultipartReader::Ending::Closed);
        ck_assert_uint_eq(o.rec.parts.size(), 3);
        assertPart(o, 0, "first\r\n--frontie r\r\n", true, chunk);
        assertPart(o, 1, "\r\n", true, chunk);
        assertPart(o, 2, "", true, chunk);
        ck_assert_str_eq(o.rec.parts[0].contentType.c_str(), "text/plain");
        ck_assert_str_eq(o.rec.parts[0].contentId.c_str(), "<a@x>");
        ck_assert_str_eq(o.rec.parts[1].contentType.c_str(), "application/octet-stream; name=blob");
    });
}
END_TEST

START_TEST(broken_framing_of_real_devices)
{
    // No line break before the first delimiter, LF alone, a stray blank line
    // after a delimiter line, a delimiter straight after content (Xerox
    // WorkCentre 3025), and no boundary parameter: the first line names it.
    const std::string body = "--b\n"
                             "\n"
                             "Content-ID: <r>\n"
                             "\n"
                             "root--b\r\n"
                             "\r\n"
                             "Content-Type: image/jpeg\r\n"
                             "\r\n"
                             "\xff\xd8--\n-b\r\r\n\xff\xd9\n--b--";
    for (const char *boundary : {"b", ""})
        forEveryChunking(boundary, body, [](const Outcome &o, std::size_t chunk) {
            ck_assert_msg(o.finished, "chunk %zu: %s", chunk, o.error.c_str());
            ck_assert(o.closed);
            ck_assert_uint_eq(o.rec.parts.size(), 2);
            assertPart(o, 0, "root", true, chunk);
            assertPart(o, 1, "\xff\xd8--\n-b\r\r\n\xff\xd9", true, chunk);
        });
}
END_TEST

START_TEST(where_a_truncated_body_ended)
{
    using Ending = wsd::MultipartReader::Ending;
    const std::string head = "--b\r\nContent-Type: a/b\r\n\r\ndata";
    struct Case {
        std::string body;
        Ending ending;
        const char *content;
        bool ended;
    } cases[] = {
        {head, Ending::InsidePart, "data", false},
        {head + "\r\n--", Ending::InsidePart, "data", false},  // a delimiter cut short is not content
        {head + "\r\n-x", Ending::InsidePart, "data\r\n-x", false},
        {head + "\r\n--b", Ending::OnDelimiterLine, "data", true},
        {head + "\r\n--b  ", Ending::OnDelimiterLine, "data", true},
        {head + "\r\n--b\r\nContent-", Ending::InsideHeaders, "data", true},
    };
    for (const Case &c : cases)
        forEveryChunking("b", c.body, [&](const Outcome &o, std::size_t chunk) {
            ck_assert_msg(o.finished, "chunk %zu: %s", chunk, o.error.c_str());
            ck_assert(!o.closed);
            ck_assert_int_eq(static_cast<int>(o.ending), static_cast<int>(c.ending));
            assertPart(o, 0, c.content, c.ended, chunk);
        });

    Outcome none = run("b", "no delimiter here\r\n", 4);
    ck_assert(!none.finished);
    ck_assert_str_eq(none.error.c_str(), "multipart body ended before its first delimiter");
    none = run("", "no delimiter line either\r\n", 4);
    ck_assert_str_eq(none.error.c_str(), "multipart body without any delimiter line");
}
END_TEST

START_TEST(bounds_on_untrusted_input)
{
    std::string many;
    for (std::size_t i = 0; i <= wsd::MultipartReader::MaxParts; ++i)
        many += "--b\r\nX: 1\r\n\r\npart\r\n";
    Outcome o = run("b", many, 1000);
    ck_assert(!o.fed);
    ck_assert_str_eq(o.error.c_str(), "more than 64 parts");
    ck_assert_uint_eq(o.rec.parts.size(), wsd::MultipartReader::MaxParts);

    o = run("b", std::string(wsd::MultipartReader::MaxPreambleSize + 1, 'p'), 4096);
    ck_assert(!o.fed);
    ck_assert_str_eq(o.error.c_str(), "no multipart delimiter in the first 65536 bytes");

    o = run(std::string(wsd::MultipartReader::MaxBoundaryLength + 1, 'b'), "--b\r\n", 1);
    ck_assert(!o.fed);
    ck_assert_str_eq(o.error.c_str(), "invalid multipart boundary");

    o = run("b", "--b\r\nX: 1\r\n\r\n--b" + std::string(2000, ' ') + "\r\n", 64);
    ck_assert(!o.fed);
    ck_assert_str_eq(o.error.c_str(), "delimiter line too long");
}
END_TEST

START_TEST(handler_stops_the_reader)
{
    Recorder rec;
    rec.abortAfterBytes = 3;
    wsd::MultipartReader reader("b", rec);
    const std::string body = "--b\r\nX: 1\r\n\r\nabcdef\r\n--b--";
    ck_assert(!reader.feed(body.data(), body.size()));
    ck_assert(reader.failed());
    ck_assert_str_eq(reader.error().c_str(), "part content rejected");
    ck_assert(!reader.feed("x", 1));
    ck_assert(!reader.finish());
}
END_TEST

START_TEST(media_type_parameters)
{
    wsd::MediaType m = wsd::parseMediaType(
        " Multipart/Related; Type=\"application/xop+xml\";boundary=\"a \\\"q\\\" b\" start=<r@x>;start-info=x ");
    ck_assert_str_eq(m.type.c_str(), "multipart/related");
    ck_assert_str_eq(m.params["type"].c_str(), "application/xop+xml");
    ck_assert_str_eq(m.params["boundary"].c_str(), "a \"q\" b");
    ck_assert_str_eq(m.params["start"].c_str(), "<r@x>");
    ck_assert_str_eq(m.params["start-info"].c_str(), "x");
    ck_assert(wsd::parseMediaType("text/xml; charset").params.empty());
}
END_TEST

Suite *multipartSuite()
{
    Suite *s = suite_create("multipart");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, parts_headers_and_content);
    tcase_add_test(tc, broken_framing_of_real_devices);
    tcase_add_test(tc, where_a_truncated_body_ended);
    tcase_add_test(tc, bounds_on_untrusted_input);
    tcase_add_test(tc, handler_stops_the_reader);
    tcase_add_test(tc, media_type_parameters);
    suite_add_tcase(s, tc);
    return s;
}
