#include "wsd/xml.h"

#include "wsd/strings.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace wsd::xml {

namespace {

const char *str(const xmlChar *s) { return reinterpret_cast<const char *>(s); }
const xmlChar *xstr(const char *s) { return reinterpret_cast<const xmlChar *>(s); }

// A DOCTYPE in a SOAP message is forbidden (SOAP 1.2 part 1 §5) and is the
// door to entity expansion and external entities: stop at the first sight.
void refuseInternalSubset(void *ctx, const xmlChar *, const xmlChar *, const xmlChar *)
{
    auto *ctxt = static_cast<xmlParserCtxtPtr>(ctx);
    *static_cast<bool *>(ctxt->_private) = true;
    xmlStopParser(ctxt);
}

struct ParserCtxtFree {
    void operator()(xmlParserCtxtPtr c) const { xmlFreeParserCtxt(c); }
};

}  // namespace

std::string_view Node::localName() const
{
    return node_ && node_->name ? std::string_view(str(node_->name)) : std::string_view();
}

std::string_view Node::nsUri() const
{
    return node_ && node_->ns && node_->ns->href ? std::string_view(str(node_->ns->href))
                                                 : std::string_view();
}

bool Node::is(const char *ns, const char *local) const
{
    return node_ && node_->type == XML_ELEMENT_NODE && localName() == local && nsUri() == ns;
}

bool Node::isAny(std::initializer_list<const char *> nss, const char *local) const
{
    for (const char *ns : nss)
        if (is(ns, local))
            return true;
    return false;
}

Node Node::child(const char *ns, const char *local) const
{
    if (!node_)
        return Node();
    for (xmlNodePtr c = node_->children; c; c = c->next)
        if (Node(c).is(ns, local))
            return Node(c);
    return Node();
}

Node Node::child(std::initializer_list<const char *> nss, const char *local) const
{
    if (!node_)
        return Node();
    for (xmlNodePtr c = node_->children; c; c = c->next)
        if (Node(c).isAny(nss, local))
            return Node(c);
    return Node();
}

std::vector<Node> Node::children(const char *ns, const char *local) const
{
    std::vector<Node> out;
    if (!node_)
        return out;
    for (xmlNodePtr c = node_->children; c; c = c->next)
        if (Node(c).is(ns, local))
            out.emplace_back(c);
    return out;
}

std::vector<Node> Node::elements() const
{
    std::vector<Node> out;
    if (!node_)
        return out;
    for (xmlNodePtr c = node_->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            out.emplace_back(c);
    return out;
}

Node Node::firstElement() const
{
    if (!node_)
        return Node();
    for (xmlNodePtr c = node_->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return Node(c);
    return Node();
}

Node Node::path(const char *ns, std::initializer_list<const char *> locals) const
{
    Node n = *this;
    for (const char *local : locals) {
        n = n.child(ns, local);
        if (!n)
            break;
    }
    return n;
}

Node Node::descendant(const char *ns, const char *local) const
{
    if (!node_)
        return Node();
    for (xmlNodePtr c = node_->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (Node(c).is(ns, local))
            return Node(c);
        if (Node found = Node(c).descendant(ns, local))
            return found;
    }
    return Node();
}

std::string Node::text() const
{
    if (!node_)
        return std::string();
    xmlChar *content = xmlNodeGetContent(node_);
    if (!content)
        return std::string();
    std::string out(trim(str(content)));
    xmlFree(content);
    return out;
}

std::optional<std::string> Node::attr(const char *local) const
{
    if (!node_ || node_->type != XML_ELEMENT_NODE)
        return std::nullopt;
    for (xmlAttrPtr a = node_->properties; a; a = a->next) {
        if (!a->name || std::strcmp(str(a->name), local) != 0)
            continue;
        xmlChar *value = xmlNodeListGetString(node_->doc, a->children, 1);
        std::string out = value ? str(value) : "";
        xmlFree(value);
        return out;
    }
    return std::nullopt;
}

QName Node::resolveQName(std::string_view value) const
{
    value = trim(value);
    QName q;
    std::string prefix;
    std::size_t colon = value.find(':');
    if (colon == std::string_view::npos) {
        q.local = std::string(value);
    } else {
        prefix = std::string(value.substr(0, colon));
        q.local = std::string(value.substr(colon + 1));
    }
    if (!node_)
        return q;
    xmlNsPtr ns = xmlSearchNs(node_->doc, node_, prefix.empty() ? nullptr : xstr(prefix.c_str()));
    if (ns && ns->href)
        q.ns = str(ns->href);
    return q;
}

std::vector<QName> Node::resolveQNameList(std::string_view value) const
{
    std::vector<QName> out;
    for (std::string_view word : splitWhitespace(value))
        out.push_back(resolveQName(word));
    return out;
}

void initialize()
{
    static std::once_flag initOnce;
    std::call_once(initOnce, [] { xmlInitParser(); });
}

Document Document::parse(std::string_view bytes, std::string *error)
{
    initialize();

    Document result;
    if (bytes.size() > MaxDocumentSize) {
        if (error)
            *error = "document of " + std::to_string(bytes.size()) + " bytes exceeds the limit";
        return result;
    }
    std::unique_ptr<xmlParserCtxt, ParserCtxtFree> ctxt(xmlNewParserCtxt());
    if (!ctxt) {
        if (error)
            *error = "out of memory";
        return result;
    }
    bool sawDoctype = false;
    ctxt->_private = &sawDoctype;
    ctxt->sax->internalSubset = refuseInternalSubset;

    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()),
                                      nullptr, nullptr, options);
    result.doc_.reset(doc);
    if (sawDoctype || (doc && (doc->intSubset || doc->extSubset))) {
        result.doc_.reset();
        if (error)
            *error = "document has a DOCTYPE (refused)";
        return result;
    }
    if (!doc || !ctxt->wellFormed || !xmlDocGetRootElement(doc)) {
        result.doc_.reset();
        if (error) {
            const xmlError *e = xmlCtxtGetLastError(ctxt.get());
            *error = e && e->message ? std::string(trim(e->message)) : "malformed XML";
            if (e)
                *error += " (line " + std::to_string(e->line) + ")";
        }
    }
    return result;
}

Node Document::root() const { return doc_ ? Node(xmlDocGetRootElement(doc_.get())) : Node(); }

std::optional<bool> parseBool(std::string_view text)
{
    text = trim(text);
    if (text == "true" || text == "1")
        return true;
    if (text == "false" || text == "0")
        return false;
    return std::nullopt;
}

std::optional<long> parseInt(std::string_view text, long min, long max)
{
    std::string s(trim(text));
    if (s.empty())
        return std::nullopt;
    errno = 0;
    char *end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return std::nullopt;
    return static_cast<long>(v);
}

Writer::Writer() : buffer_((initialize(), xmlBufferCreate())), writer_(nullptr)
{
    if (!buffer_)
        throw std::bad_alloc();
    writer_ = xmlNewTextWriterMemory(buffer_, 0);
    if (!writer_) {
        xmlBufferFree(buffer_);
        throw std::bad_alloc();
    }
}

Writer::~Writer()
{
    xmlFreeTextWriter(writer_);
    xmlBufferFree(buffer_);
}

Writer &Writer::start(const char *prefix, const char *local)
{
    xmlTextWriterStartElementNS(writer_, prefix ? xstr(prefix) : nullptr, xstr(local), nullptr);
    return *this;
}

Writer &Writer::declare(const char *prefix, const char *nsUri)
{
    std::string name = prefix && *prefix ? std::string("xmlns:") + prefix : std::string("xmlns");
    xmlTextWriterWriteAttribute(writer_, xstr(name.c_str()), xstr(nsUri));
    return *this;
}

Writer &Writer::attr(const char *name, std::string_view value)
{
    std::string v(value);
    xmlTextWriterWriteAttribute(writer_, xstr(name), xstr(v.c_str()));
    return *this;
}

Writer &Writer::text(std::string_view value)
{
    // libxml2 writes a line break in text as it is; a character reference
    // keeps the document on one line (see quirks.h) with the same content.
    std::size_t start = 0;
    for (;;) {
        const std::size_t lf = value.find('\n', start);
        std::string v(value.substr(start, lf == std::string_view::npos ? std::string_view::npos : lf - start));
        xmlTextWriterWriteString(writer_, xstr(v.c_str()));
        if (lf == std::string_view::npos)
            break;
        xmlTextWriterWriteRaw(writer_, xstr("&#10;"));
        start = lf + 1;
    }
    return *this;
}

Writer &Writer::end()
{
    xmlTextWriterEndElement(writer_);
    return *this;
}

Writer &Writer::element(const char *prefix, const char *local, std::string_view value)
{
    return start(prefix, local).text(value).end();
}

Writer &Writer::raw(std::string_view xml)
{
    std::string v(xml);
    xmlTextWriterWriteRaw(writer_, xstr(v.c_str()));
    return *this;
}

std::string Writer::finish()
{
    xmlTextWriterEndDocument(writer_);
    xmlTextWriterFlush(writer_);
    std::string out(str(xmlBufferContent(buffer_)), static_cast<std::size_t>(xmlBufferLength(buffer_)));
    while (!out.empty() && out.back() == '\n')  // the writer ends the document with one
        out.pop_back();
    return out;
}

std::string serialize(Node node)
{
    if (!node)
        return std::string();
    // Copying into a document of its own re-declares the namespaces that the
    // subtree inherited from its ancestors, so the text stands alone.
    std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(xmlNewDoc(xstr("1.0")), xmlFreeDoc);
    if (!doc)
        throw std::bad_alloc();
    xmlNodePtr copy = xmlDocCopyNode(node.raw(), doc.get(), 1);
    if (!copy)
        throw std::bad_alloc();
    xmlDocSetRootElement(doc.get(), copy);
    xmlBufferPtr buf = xmlBufferCreate();
    if (!buf)
        throw std::bad_alloc();
    xmlNodeDump(buf, doc.get(), copy, 0, 0);
    std::string out(str(xmlBufferContent(buf)), static_cast<std::size_t>(xmlBufferLength(buf)));
    xmlBufferFree(buf);
    return out;
}

}  // namespace wsd::xml
