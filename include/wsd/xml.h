// libxml2 behind RAII, hardened for untrusted input, with lookups by
// namespace URI and local name only. A device may bind any prefix to any
// namespace, so nothing here ever compares a prefix.
#pragma once

#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsd::xml {

// Upper bound for any XML body we parse (SOAP envelopes are capped at 32 KiB
// by DPWS; real capability documents stay far below this).
constexpr std::size_t MaxDocumentSize = 1024 * 1024;

struct QName {
    std::string ns;
    std::string local;
    bool operator==(const QName &o) const { return ns == o.ns && local == o.local; }
};

class Node {
public:
    Node() = default;
    explicit Node(xmlNodePtr node) : node_(node) {}

    explicit operator bool() const { return node_ != nullptr; }
    xmlNodePtr raw() const { return node_; }

    std::string_view localName() const;
    std::string_view nsUri() const;  // empty when the element has no namespace
    bool is(const char *ns, const char *local) const;
    // Matches either of two namespace URIs (e.g. a 2005 and a 2009 version).
    bool isAny(std::initializer_list<const char *> nss, const char *local) const;

    // First child element with this namespace and local name.
    Node child(const char *ns, const char *local) const;
    Node child(std::initializer_list<const char *> nss, const char *local) const;
    std::vector<Node> children(const char *ns, const char *local) const;
    std::vector<Node> elements() const;  // all child elements
    Node firstElement() const;
    // Follows a path of child elements in one namespace: path(ns, {"a","b"}).
    Node path(const char *ns, std::initializer_list<const char *> locals) const;
    // First descendant (depth first, self excluded) with this name.
    Node descendant(const char *ns, const char *local) const;

    // Text content with surrounding white space removed.
    std::string text() const;
    // An attribute by local name, unqualified or in any namespace (devices
    // write both Name="..." and wscn:Name="...").
    std::optional<std::string> attr(const char *local) const;

    // Resolves "prefix:local" (or an unprefixed name, through the default
    // namespace) against the namespace declarations in scope at this node.
    QName resolveQName(std::string_view value) const;
    // Splits a white-space separated list of QNames (WS-Discovery Types).
    std::vector<QName> resolveQNameList(std::string_view value) const;

private:
    xmlNodePtr node_ = nullptr;
};

class Document {
public:
    Document() = default;
    // Parses untrusted bytes: no network, no DTD (a document with one is
    // refused, which also refuses entity expansion), bounded size. Returns an
    // empty Document and sets *error on failure.
    static Document parse(std::string_view bytes, std::string *error = nullptr);

    explicit operator bool() const { return doc_ != nullptr; }
    Node root() const;
    xmlDocPtr raw() const { return doc_.get(); }

private:
    struct Free {
        void operator()(xmlDocPtr d) const { xmlFreeDoc(d); }
    };
    std::unique_ptr<xmlDoc, Free> doc_;
};

// Initialises libxml2 once (xmlInitParser). Its first use in a thread sets
// up its globals without a lock: two of our threads meeting it first at once
// leaked a mutex (LeakSanitizer). Called before any thread of ours starts
// (sane_init) and at every entry below.
void initialize();

// Accepts true/false/1/0 (Brother devices send 0/1), with white space.
std::optional<bool> parseBool(std::string_view text);
// Decimal integer within [min, max]; nullopt otherwise.
std::optional<long> parseInt(std::string_view text, long min = -2147483647L - 1, long max = 2147483647L);

// Streams compact XML through libxml2's text writer: one line, no
// indentation, as some firmware parses nothing else (see quirks.h).
class Writer {
public:
    Writer();
    ~Writer();
    Writer(const Writer &) = delete;
    Writer &operator=(const Writer &) = delete;

    // Starts an element "prefix:local". Declare namespaces with declare().
    Writer &start(const char *prefix, const char *local);
    Writer &declare(const char *prefix, const char *nsUri);
    Writer &attr(const char *name, std::string_view value);
    Writer &text(std::string_view value);
    Writer &end();
    // <prefix:local>text</prefix:local>
    Writer &element(const char *prefix, const char *local, std::string_view value);
    // Inserts already serialised XML (a section copied from a profile file).
    Writer &raw(std::string_view xml);
    // Ends every open element and returns the document text (no XML declaration).
    std::string finish();

private:
    xmlBufferPtr buffer_;
    xmlTextWriterPtr writer_;
};

// Serialises an element subtree (used to copy capability sections verbatim).
std::string serialize(Node node);

}  // namespace wsd::xml
