#include "wsd/mtom.h"

#include "wsd/log.h"
#include "wsd/strings.h"
#include "wsd/xml.h"

namespace wsd {
namespace {

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
    MediaType media = parseMediaType(httpContentType);
    if (media.type.compare(0, 10, "multipart/") != 0)
        return;  // a fault, or a device with a wrong header: the body's first bytes decide
    auto start = media.params.find("start");
    if (start != media.params.end())
        startId_ = normaliseContentId(start->second);
    auto boundary = media.params.find("boundary");
    startMultipart(boundary != media.params.end() ? boundary->second : std::string());
}

void MtomParser::startMultipart(std::string_view boundary)
{
    multipart_ = true;
    state_ = State::Multipart;
    reader_.emplace(boundary, static_cast<MultipartReader::Handler &>(*this));
    if (reader_->failed())
        failWith(reader_->error());
}

bool MtomParser::failWith(std::string message)
{
    if (state_ != State::Failed) {
        error_ = std::move(message);
        state_ = State::Failed;
    }
    return false;
}

bool MtomParser::closed() const
{
    if (state_ == State::Failed)
        return false;
    return reader_ ? reader_->closed() : state_ == State::Done;
}

bool MtomParser::feed(const char *data, size_t length)
{
    switch (state_) {
    case State::Undecided:
        return feedUndecided(data, length);
    case State::Plain:
        return feedPlain(data, length);
    case State::Multipart:
        if (reader_->feed(data, length))
            return true;
        return failWith(reader_->error());  // keeps a reason of our own given first
    case State::Done:
    case State::Failed:
        break;
    }
    return false;
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
    startMultipart(std::string_view());
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

bool MtomParser::onPartStart(const MultipartReader::Headers &headers)
{
    const std::string contentType = headers.get("content-type");
    const std::string id = normaliseContentId(headers.get("content-id"));
    ++partCount_;
    bool isRoot = false;
    if (!rootSeen_) {
        if (!startId_.empty() && equalsIgnoreCase(id, startId_))
            isRoot = true;
        else if (partCount_ == 1)
            // The first part is the root unless the start parameter names
            // another part and this one does not look like the envelope.
            isRoot = startId_.empty() || id.empty() || looksLikeXml(contentType);
    }

    if (isRoot) {
        rootSeen_ = true;
        role_ = Role::Envelope;
    } else if (imageStarted_) {
        WSD_DETAIL("RetrieveImage: ignoring extra part <%s>", id.c_str());
        role_ = Role::Skipped;
    } else if (!includeHref_.empty() && !equalsIgnoreCase(id, includeHref_) && looksLikeXml(contentType)) {
        // Not the referenced part and plainly not an image: wait for the
        // referenced one.
        WSD_DETAIL("RetrieveImage: skipping part <%s> (%s), xop:Include names <%s>", id.c_str(),
                   contentType.c_str(), includeHref_.c_str());
        role_ = Role::Skipped;
    } else {
        if (!includeHref_.empty() && !equalsIgnoreCase(id, includeHref_))
            // A stream cannot wait to see whether a later part matches: take
            // the first non-root part, as real devices send only one.
            WSD_WARN("RetrieveImage: xop:Include names <%s> but the image part is <%s>; using it",
                     includeHref_.c_str(), id.c_str());
        role_ = Role::Image;
        imageStarted_ = true;
        if (!handler_.onImageStart(contentType))
            return failWith("image rejected at its start");
    }
    return true;
}

bool MtomParser::onPartData(const char *data, size_t length)
{
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

bool MtomParser::onPartEnd()
{
    switch (role_) {
    case Role::Envelope:
        if (!endEnvelope())
            return false;
        break;
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

bool MtomParser::endEnvelope()
{
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
    return true;
}

bool MtomParser::finish()
{
    switch (state_) {
    case State::Failed:
        return false;
    case State::Done:
        return true;
    case State::Undecided:
    case State::Plain:
        if (trim(envelope_).empty())
            return failWith("empty response body");
        if (!handler_.onEnvelope(envelope_))
            return failWith("SOAP body rejected");
        state_ = State::Done;
        return true;
    case State::Multipart:
        if (!finishMultipart())
            return false;
        state_ = State::Done;
        return true;
    }
    return false;
}

bool MtomParser::finishMultipart()
{
    if (!reader_->finish())
        return failWith(reader_->error());
    switch (reader_->ending()) {
    case MultipartReader::Ending::InsideHeaders:
        if (!(imageEnded_ && envelopeDone_))
            return failWith("body ended inside part headers");
        WSD_DETAIL("RetrieveImage: body ended after the image without the closing delimiter");
        break;
    case MultipartReader::Ending::InsidePart:
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
    case MultipartReader::Ending::OnDelimiterLine:
    case MultipartReader::Ending::Closed:
        break;
    }
    if (!envelopeDone_)
        return failWith("multipart body without a SOAP envelope part");
    if (!imageStarted_)
        return failWith("multipart body without an image part");
    return true;
}

}  // namespace wsd
