#include "suites.h"

#include "wsd/mtom.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace {

struct Recorder : wsd::MtomParser::Handler {
    std::string envelope;
    int envelopes = 0;
    std::string contentType;
    int imageStarts = 0;
    std::string image;
    int imageEnds = 0;
    bool acceptEnd = true;       // what the decoder would say at the image's end
    size_t abortAfterBytes = 0;  // 0: never abort

    bool onEnvelope(std::string_view xml) override
    {
        envelope = std::string(xml);
        ++envelopes;
        return true;
    }
    bool onImageStart(std::string_view type) override
    {
        contentType = std::string(type);
        ++imageStarts;
        return true;
    }
    bool onImageData(const uint8_t *data, size_t length) override
    {
        image.append(reinterpret_cast<const char *>(data), length);
        return abortAfterBytes == 0 || image.size() < abortAfterBytes;
    }
    bool onImageEnd() override
    {
        ++imageEnds;
        return acceptEnd;
    }
};

struct Outcome {
    bool fed = true;
    bool finished = false;
    bool closed = false;
    bool multipart = false;
    std::string error;
    Recorder rec;
};

Outcome runSplit(const std::string &contentType, const std::string &body, const std::vector<size_t> &cuts,
                 bool acceptEnd = true)
{
    Outcome out;
    out.rec.acceptEnd = acceptEnd;
    wsd::MtomParser parser(contentType, out.rec);
    size_t pos = 0;
    for (size_t cut : cuts) {
        if (out.fed)
            out.fed = parser.feed(body.data() + pos, cut - pos);
        pos = cut;
    }
    if (out.fed)
        out.fed = parser.feed(body.data() + pos, body.size() - pos);
    out.finished = out.fed && parser.finish();
    out.closed = parser.closed();
    out.multipart = parser.isMultipart();
    out.error = parser.error();
    return out;
}

Outcome runChunked(const std::string &contentType, const std::string &body, size_t chunk, bool acceptEnd = true)
{
    std::vector<size_t> cuts;
    for (size_t at = chunk; at < body.size(); at += chunk)
        cuts.push_back(at);
    return runSplit(contentType, body, cuts, acceptEnd);
}

// Every chunk size from 1 to the body's length, then random splits with a
// fixed seed: the result must never depend on where the body was cut.
template <typename Check>
void forEverySplit(const std::string &contentType, const std::string &body, Check check, bool acceptEnd = true)
{
    for (size_t chunk = 1; chunk <= body.size(); ++chunk)
        check(runChunked(contentType, body, chunk, acceptEnd), chunk);
    std::mt19937 rng(20261123);
    for (int round = 0; round < 300; ++round) {
        std::vector<size_t> cuts;
        std::uniform_int_distribution<size_t> pick(1, body.size() - 1);
        size_t count = round % 20 + 1;
        for (size_t i = 0; i < count; ++i)
            cuts.push_back(pick(rng));
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        check(runSplit(contentType, body, cuts, acceptEnd), 1000 + round);
    }
}

const char *Boundary = "uuid:0f1d2c3b-aaaa-4bbb-8ccc-123456789abc";

std::string envelopeXml(const char *xopNamespace, const char *href)
{
    return std::string("<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                       "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""
                       " xmlns:x=\"") +
           xopNamespace +
           "\" xmlns:sc=\"http://schemas.microsoft.com/windows/2006/08/wdp/scan\"><s:Body>"
           "<sc:RetrieveImageResponse><sc:ScanData><x:Include href=\"" +
           href + "\"/></sc:ScanData></sc:RetrieveImageResponse></s:Body></s:Envelope>";
}

// Binary content that tries hard to look like a delimiter: every byte value,
// line breaks, dashes and prefixes of the delimiter itself.
std::string trickyImage()
{
    std::string image = "\xFF\xD8\xFF\xE0";
    for (int i = 0; i < 256; ++i)
        image += static_cast<char>(i);
    std::string delimiter = std::string("--") + Boundary;
    image += "\r\n--\r\n-\n--";
    image += "\r\n" + delimiter.substr(0, delimiter.size() - 1) + "X";
    image += "\n" + delimiter.substr(0, 10);
    image += "\r\r\n\n" + delimiter + "Z";  // followed by a non-delimiter byte
    image += delimiter + "-Q";
    image += "tail\r\n-\xFF\xD9";
    return image;
}

std::string standardBody(const std::string &image)
{
    std::string b = Boundary;
    return "--" + b +
           "\r\n"
           "Content-Type: application/xop+xml; type=\"application/soap+xml\"; charset=UTF-8\r\n"
           "Content-Transfer-Encoding: binary\r\n"
           "Content-ID: <root@example>\r\n"
           "\r\n" +
           envelopeXml("http://www.w3.org/2004/08/xop/include", "cid:image@example") + "\r\n--" + b +
           "\r\n"
           "Content-Type: image/jpeg\r\n"
           "Content-Transfer-Encoding: binary\r\n"
           "Content-ID: <image@example>\r\n"
           "\r\n" +
           image + "\r\n--" + b + "--\r\n";
}

std::string standardContentType()
{
    return std::string("multipart/related; type=\"application/xop+xml\"; boundary=\"") + Boundary +
           "\"; start=\"<root@example>\"; start-info=\"application/soap+xml\"";
}

}  // namespace

START_TEST(well_formed_in_every_split)
{
    const std::string image = trickyImage();
    const std::string body = standardBody(image);
    const std::string envelope = envelopeXml("http://www.w3.org/2004/08/xop/include", "cid:image@example");
    forEverySplit(standardContentType(), body, [&](const Outcome &o, size_t split) {
        ck_assert_msg(o.finished, "split %zu: %s", split, o.error.c_str());
        ck_assert(o.multipart);
        ck_assert(o.closed);
        ck_assert_int_eq(o.rec.envelopes, 1);
        ck_assert(o.rec.envelope == envelope);
        ck_assert_str_eq(o.rec.contentType.c_str(), "image/jpeg");
        ck_assert_int_eq(o.rec.imageStarts, 1);
        ck_assert_int_eq(o.rec.imageEnds, 1);
        ck_assert_msg(o.rec.image == image, "split %zu: image differs (%zu vs %zu bytes)", split,
                      o.rec.image.size(), image.size());
    });
}
END_TEST

START_TEST(microsoft_example_quirks)
{
    // The documentation's example: unquoted parameters on folded header
    // lines, LF line endings, a parameter list without ';', a stray blank
    // line after the delimiter, "image/jpeg;" and a space inside the
    // Content-ID brackets, the 2003/12 XOP namespace, plus a preamble.
    const std::string b = "4aa7d814-adc1-47a2-8e1c-07585b9892a4";
    const std::string image = "\xFF\xD8 binary \n-- scan \r\n data \xFF\xD9";
    const std::string envelope =
        envelopeXml("http://www.w3.org/2003/12/xop/include", "cid:1c696bd7-005a-48d9-9ee9-9adca11f8892@uuid");
    const std::string body = "This is a preamble.\n--" + b +
                             "\n"
                             "Content-Type: application/xop+xml; type=\"application/soap+xml\"\n"
                             "                                   charset=UTF-8\n"
                             "Content-Transfer-Encoding: binary\n"
                             "CONTENT-ID: <14629f74-2047-436c-8046-5cac76d280fc@uuid>\n"
                             "\n" +
                             envelope + "\n--" + b +
                             "\n"
                             "\n"
                             "Content-Type: image/jpeg;\n"
                             "Content-Transfer-Encoding: binary\n"
                             "Content-ID: <1c696bd7-005a-48d9-9ee9-9adca11f8892@uuid >\n"
                             "\n" +
                             image + "\n--" + b + "--\n";
    const std::string contentType = "multipart/related;\r\n    type=application/xop+xml;\r\n    boundary=" + b +
                                    ";\r\n    start=\"<14629f74-2047-436c-8046-5cac76d280fc@uuid>\";\r\n"
                                    "    startinfo=application/soap+xml";
    forEverySplit(contentType, body, [&](const Outcome &o, size_t split) {
        ck_assert_msg(o.finished, "split %zu: %s", split, o.error.c_str());
        ck_assert(o.rec.envelope == envelope);
        ck_assert_str_eq(o.rec.contentType.c_str(), "image/jpeg;");
        ck_assert_msg(o.rec.image == image, "split %zu", split);
    });
}
END_TEST

START_TEST(boundary_learnt_from_body)
{
    const std::string image = trickyImage();
    const std::string body = standardBody(image);
    forEverySplit("multipart/related; type=\"application/xop+xml\"", body, [&](const Outcome &o, size_t split) {
        ck_assert_msg(o.finished, "split %zu: %s", split, o.error.c_str());
        ck_assert(o.rec.image == image);
        ck_assert_int_eq(o.rec.envelopes, 1);
    });
}
END_TEST

START_TEST(multipart_without_multipart_header)
{
    // A device that labels the multipart body application/soap+xml.
    const std::string image = trickyImage();
    const std::string body = "\r\n" + standardBody(image);
    Outcome o = runChunked("application/soap+xml", body, 7);
    ck_assert_msg(o.finished, "%s", o.error.c_str());
    ck_assert(o.multipart);
    ck_assert(o.rec.image == image);
}
END_TEST

START_TEST(delimiters_without_line_breaks)
{
    // Xerox WorkCentre 3025 (sane-airscan#71) puts delimiters straight after
    // the content; the body also starts without a leading line break.
    const std::string b = "xerox-boundary";
    const std::string image = "\xFF\xD8 pixels \r\n \xFF\xD9";
    const std::string envelope = envelopeXml("http://www.w3.org/2004/08/xop/include", "cid:img");
    const std::string body = "--" + b + "\r\nContent-ID: <root>\r\nContent-Type: application/xop+xml\r\n\r\n" +
                             envelope + "--" + b + "\r\nContent-ID: <img>\r\nContent-Type: image/jpeg\r\n\r\n" +
                             image + "--" + b + "--";
    forEverySplit("multipart/related; boundary=" + b + "; start=\"<root>\"", body,
                  [&](const Outcome &o, size_t split) {
                      ck_assert_msg(o.finished, "split %zu: %s", split, o.error.c_str());
                      ck_assert(o.closed);
                      ck_assert(o.rec.envelope == envelope);
                      ck_assert(o.rec.image == image);
                  });
}
END_TEST

START_TEST(transport_padding_after_delimiter)
{
    const std::string b = "pad";
    const std::string image = "IMAGE-BYTES";
    const std::string envelope = envelopeXml("http://www.w3.org/2004/08/xop/include", "cid:i");
    const std::string body = "--pad \t \r\nContent-ID: <r>\r\n\r\n" + envelope +
                             "\r\n--pad  \r\nContent-ID: <i>\r\n\r\n" + image + "\r\n--pad-- \r\nepilogue";
    forEverySplit("Multipart/Related; Boundary=pad", body, [&](const Outcome &o, size_t split) {
        ck_assert_msg(o.finished, "split %zu: %s", split, o.error.c_str());
        ck_assert(o.rec.image == image);
        ck_assert(o.rec.envelope == envelope);
    });
}
END_TEST

START_TEST(image_chosen_by_url_encoded_href)
{
    // An extra XML part before the image: the href (URL-encoded) picks the image.
    const std::string b = "bnd";
    const std::string image = "the image";
    const std::string envelope = envelopeXml("urn:any-xop-namespace", "cid:img%40host%2Fx");
    const std::string body = "--bnd\r\nContent-ID: <root@host>\r\nContent-Type: application/xop+xml\r\n\r\n" +
                             envelope +
                             "\r\n--bnd\r\nContent-ID: <meta@host>\r\nContent-Type: text/xml\r\n\r\n<meta/>"
                             "\r\n--bnd\r\nContent-ID: <img@host/x>\r\nContent-Type: application/octet-stream\r\n"
                             "\r\n" +
                             image + "\r\n--bnd--\r\n";
    forEverySplit("multipart/related; boundary=bnd; start=root@host", body, [&](const Outcome &o, size_t split) {
        ck_assert_msg(o.finished, "split %zu: %s", split, o.error.c_str());
        ck_assert(o.rec.image == image);
        ck_assert_str_eq(o.rec.contentType.c_str(), "application/octet-stream");
    });
}
END_TEST

START_TEST(no_closing_delimiter_after_complete_image)
{
    const std::string image = trickyImage();
    std::string body = standardBody(image);
    body.resize(body.size() - (std::string("\r\n--") + Boundary + "--\r\n").size());
    forEverySplit(standardContentType(), body, [&](const Outcome &o, size_t split) {
        ck_assert_msg(o.finished, "split %zu: %s", split, o.error.c_str());
        ck_assert(!o.closed);
        ck_assert_int_eq(o.rec.imageEnds, 1);
        ck_assert(o.rec.image == image);
    });
    // The connection closed in the middle of the final delimiter: the
    // delimiter's bytes are not image data.
    std::string cut = standardBody(image);
    cut.resize(cut.size() - 20);
    Outcome o = runChunked(standardContentType(), cut, 5);
    ck_assert_msg(o.finished, "%s", o.error.c_str());
    ck_assert(o.rec.image == image);
}
END_TEST

START_TEST(truncated_image_is_reported)
{
    const std::string image = trickyImage();
    std::string body = standardBody(image);
    body.resize(body.size() - 100);
    // The decoder says the image is incomplete: the parser reports it.
    Outcome o = runChunked(standardContentType(), body, 13, false);
    ck_assert(!o.finished);
    ck_assert_int_eq(o.rec.imageEnds, 1);
    ck_assert_str_eq(o.error.c_str(), "body ended inside the image part and the image is incomplete");
}
END_TEST

START_TEST(truncated_before_image)
{
    const std::string body = standardBody(trickyImage());
    size_t inEnvelope = body.find("RetrieveImageResponse");
    Outcome o = runChunked(standardContentType(), body.substr(0, inEnvelope), 3);
    ck_assert(!o.finished);
    ck_assert_int_eq(o.rec.envelopes, 0);
    ck_assert_str_eq(o.error.c_str(), "body ended inside the SOAP envelope part");

    size_t inHeaders = body.find("Content-Type: image/jpeg") + 5;
    o = runChunked(standardContentType(), body.substr(0, inHeaders), 3);
    ck_assert(!o.finished);
    ck_assert_int_eq(o.rec.envelopes, 1);
    ck_assert_str_eq(o.error.c_str(), "body ended inside part headers");

    o = runChunked(standardContentType(), "", 1);
    ck_assert(!o.finished);
    ck_assert_str_eq(o.error.c_str(), "multipart body ended before its first delimiter");
}
END_TEST

START_TEST(no_image_part)
{
    const std::string envelope = envelopeXml("http://www.w3.org/2004/08/xop/include", "cid:missing");
    const std::string body = "--b\r\nContent-ID: <r>\r\n\r\n" + envelope + "\r\n--b--\r\n";
    Outcome o = runChunked("multipart/related; boundary=b", body, 1);
    ck_assert(!o.finished);
    ck_assert_int_eq(o.rec.envelopes, 1);
    ck_assert(o.rec.envelope == envelope);
    ck_assert_int_eq(o.rec.imageStarts, 0);
    ck_assert_str_eq(o.error.c_str(), "multipart body without an image part");
}
END_TEST

START_TEST(oversize_root_part)
{
    std::string body = "--b\r\nContent-ID: <r>\r\n\r\n<s:Envelope>";
    body.append(wsd::MtomParser::MaxEnvelopeSize, 'x');
    Outcome o = runChunked("multipart/related; boundary=b", body, 4096);
    ck_assert(!o.fed);
    ck_assert_int_eq(o.rec.envelopes, 0);
    ck_assert_str_eq(o.error.c_str(), "SOAP envelope part larger than 262144 bytes");

    std::string headers = "--b\r\nX-Junk: ";
    headers.append(wsd::MultipartReader::MaxHeaderBlockSize, 'h');
    o = runChunked("multipart/related; boundary=b", headers, 100);
    ck_assert(!o.fed);
    ck_assert_str_eq(o.error.c_str(), "part headers larger than 16384 bytes");
}
END_TEST

START_TEST(fault_body_not_multipart)
{
    const std::string fault =
        "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"
        "<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code></s:Fault></s:Body></s:Envelope>";
    forEverySplit("application/soap+xml; charset=utf-8", fault, [&](const Outcome &o, size_t split) {
        ck_assert_msg(o.finished, "split %zu: %s", split, o.error.c_str());
        ck_assert(!o.multipart);
        ck_assert_int_eq(o.rec.envelopes, 1);
        ck_assert(o.rec.envelope == fault);
        ck_assert_int_eq(o.rec.imageStarts, 0);
    });
    Outcome empty = runChunked("application/soap+xml", "", 1);
    ck_assert(!empty.finished);
    ck_assert_str_eq(empty.error.c_str(), "empty response body");
}
END_TEST

START_TEST(handler_abort_stops_parsing)
{
    const std::string body = standardBody(trickyImage());
    Recorder rec;
    rec.abortAfterBytes = 100;
    wsd::MtomParser parser(standardContentType(), rec);
    ck_assert(!parser.feed(body.data(), body.size()));
    ck_assert_str_eq(parser.error().c_str(), "image data rejected");
    ck_assert(!parser.feed("more", 4));
    ck_assert(!parser.finish());
    ck_assert_int_eq(rec.imageEnds, 0);
}
END_TEST

Suite *mtomSuite()
{
    Suite *s = suite_create("mtom");
    TCase *tc = tcase_create("parser");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, well_formed_in_every_split);
    tcase_add_test(tc, microsoft_example_quirks);
    tcase_add_test(tc, boundary_learnt_from_body);
    tcase_add_test(tc, multipart_without_multipart_header);
    tcase_add_test(tc, delimiters_without_line_breaks);
    tcase_add_test(tc, transport_padding_after_delimiter);
    tcase_add_test(tc, image_chosen_by_url_encoded_href);
    tcase_add_test(tc, no_closing_delimiter_after_complete_image);
    tcase_add_test(tc, truncated_image_is_reported);
    tcase_add_test(tc, truncated_before_image);
    tcase_add_test(tc, no_image_part);
    tcase_add_test(tc, oversize_root_part);
    tcase_add_test(tc, fault_body_not_multipart);
    tcase_add_test(tc, handler_abort_stops_parsing);
    suite_add_tcase(s, tc);
    return s;
}
