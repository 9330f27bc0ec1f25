#include "profile.h"

#include "wsd/namespaces.h"
#include "wsd/xml.h"

#include <libxml/tree.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

namespace wsdsim {

using wsd::xml::Node;
namespace ns = wsd::ns;

namespace {

constexpr size_t MaxProfileSize = wsd::xml::MaxDocumentSize;

std::vector<int> intList(Node parent, const char *local)
{
    std::vector<int> out;
    for (Node n : parent.children(ns::Scan, local))
        if (auto v = wsd::xml::parseInt(n.text(), 1, 1000000))
            out.push_back(static_cast<int>(*v));
    return out;
}

void readSize(Node sizeNode, int &width, int &height)
{
    width = static_cast<int>(wsd::xml::parseInt(sizeNode.child(ns::Scan, "Width").text(), 0).value_or(0));
    height = static_cast<int>(wsd::xml::parseInt(sizeNode.child(ns::Scan, "Height").text(), 0).value_or(0));
}

// Platen and the ADF sides share one layout under different element names.
SourceCaps readSource(Node node, const std::string &prefix)
{
    SourceCaps c;
    if (!node)
        return c;
    c.present = true;
    Node resolutions = node.child(ns::Scan, (prefix + "Resolutions").c_str());
    c.xResolutions = intList(resolutions.child(ns::Scan, "Widths"), "Width");
    c.yResolutions = intList(resolutions.child(ns::Scan, "Heights"), "Height");
    for (Node e : node.child(ns::Scan, (prefix + "Color").c_str()).children(ns::Scan, "ColorEntry"))
        c.colors.push_back(e.text());
    readSize(node.child(ns::Scan, (prefix + "MinimumSize").c_str()), c.minWidth, c.minHeight);
    readSize(node.child(ns::Scan, (prefix + "MaximumSize").c_str()), c.maxWidth, c.maxHeight);
    if (c.xResolutions.empty() || c.colors.empty() || c.maxWidth <= 0 || c.maxHeight <= 0)
        throw std::runtime_error(prefix + " section lacks resolutions, colours or a maximum size");
    if (c.yResolutions.empty())
        c.yResolutions = c.xResolutions;
    return c;
}

bool isFile(const std::string &path)
{
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The configuration as a device that sends its maximum sizes transposed
// would serialize it. Edits the document in place.
std::string transposeMaxSizes(Node configuration)
{
    const std::string_view suffix = "MaximumSize";
    std::vector<Node> pending{configuration};
    while (!pending.empty()) {
        Node n = pending.back();
        pending.pop_back();
        for (Node e : n.elements())
            pending.push_back(e);
        std::string_view local = n.localName();
        if (n.nsUri() != ns::Scan || local.size() < suffix.size() ||
            local.substr(local.size() - suffix.size()) != suffix)
            continue;
        Node width = n.child(ns::Scan, "Width"), height = n.child(ns::Scan, "Height");
        if (!width || !height)
            continue;
        const std::string w = width.text(), h = height.text();
        xmlNodeSetContent(width.raw(), reinterpret_cast<const xmlChar *>(h.c_str()));
        xmlNodeSetContent(height.raw(), reinterpret_cast<const xmlChar *>(w.c_str()));
    }
    return wsd::xml::serialize(configuration);
}

}  // namespace

bool Profile::supportsSource(const std::string &source) const
{
    if (source == "Platen")
        return platen.present;
    if (source == "ADF")
        return adfPresent;
    if (source == "ADFDuplex")
        return adfPresent && (adfDuplex || adfBack.present);
    return false;
}

const SourceCaps &Profile::caps(const std::string &source, bool back) const
{
    if (source == "Platen")
        return platen;
    if (back && adfBack.present)
        return adfBack;
    return adfFront;
}

Profile loadProfileText(const std::string &xml, const std::string &name)
{
    std::string error;
    wsd::xml::Document doc = wsd::xml::Document::parse(xml, &error);
    if (!doc)
        throw std::runtime_error("profile " + name + ": " + error);
    Node root = doc.root();
    auto section = [&](const char *local) {
        return root.is(ns::Scan, local) ? root : root.descendant(ns::Scan, local);
    };
    Profile p;
    p.name = name;
    Node description = section("ScannerDescription");
    Node configuration = section("ScannerConfiguration");
    Node defaults = section("DefaultScanTicket");
    if (!configuration)
        throw std::runtime_error("profile " + name + ": no wscn:ScannerConfiguration");
    p.scannerDescriptionXml = wsd::xml::serialize(description);
    p.scannerConfigurationXml = wsd::xml::serialize(configuration);
    p.defaultScanTicketXml = wsd::xml::serialize(defaults);
    p.scannerName = description.child(ns::Scan, "ScannerName").text();
    if (p.scannerName.empty())
        p.scannerName = "WSD Simulator";

    try {
        Node settings = configuration.child(ns::Scan, "DeviceSettings");
        for (Node f : settings.path(ns::Scan, {"FormatsSupported"}).children(ns::Scan, "FormatValue"))
            p.formats.push_back(f.text());
        if (p.formats.empty())
            throw std::runtime_error("no FormatsSupported/FormatValue");
        Node quality = settings.child(ns::Scan, "CompressionQualityFactorSupported");
        p.qualityMin = static_cast<int>(wsd::xml::parseInt(quality.child(ns::Scan, "MinValue").text(), 0, 100).value_or(0));
        p.qualityMax = static_cast<int>(wsd::xml::parseInt(quality.child(ns::Scan, "MaxValue").text(), 0, 100).value_or(100));
        for (Node c : settings.child(ns::Scan, "ContentTypesSupported").children(ns::Scan, "ContentTypeValue"))
            p.contentTypes.push_back(c.text());

        p.platen = readSource(configuration.child(ns::Scan, "Platen"), "Platen");
        Node adf = configuration.child(ns::Scan, "ADF");
        if (adf) {
            p.adfPresent = true;
            p.adfDuplex = wsd::xml::parseBool(adf.child(ns::Scan, "ADFSupportsDuplex").text()).value_or(false);
            p.adfFront = readSource(adf.child(ns::Scan, "ADFFront"), "ADF");
            p.adfBack = readSource(adf.child(ns::Scan, "ADFBack"), "ADF");
            if (!p.adfFront.present)
                throw std::runtime_error("ADF without ADFFront");
        }
        if (!p.platen.present && !p.adfPresent)
            throw std::runtime_error("neither Platen nor ADF");
    } catch (const std::runtime_error &e) {
        throw std::runtime_error("profile " + name + ": " + e.what());
    }
    if (defaults) {
        std::string ticketError;
        Node ticket = defaults.child(ns::Scan, "ScanTicket") ? defaults.child(ns::Scan, "ScanTicket") : defaults;
        if (!parseScanTicket(ticket, p.defaults, &ticketError))
            throw std::runtime_error("profile " + name + ": DefaultScanTicket: " + ticketError);
    }
    // Last: it edits the parsed document.
    p.transposedConfigurationXml = transposeMaxSizes(configuration);
    return p;
}

Profile loadProfileFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read profile " + path);
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > MaxProfileSize)
        throw std::runtime_error("profile " + path + " is too large");
    std::string stem = path.substr(path.find_last_of('/') + 1);
    if (auto dot = stem.rfind('.'); dot != std::string::npos)
        stem.resize(dot);
    return loadProfileText(text.str(), stem);
}

std::string findProfile(const std::string &fileOrName)
{
    if (isFile(fileOrName))
        return fileOrName;
    if (fileOrName.find('/') == std::string::npos) {
        for (const char *dir : {WSDSIM_PROFILE_DIR, WSD_SOURCE_DIR "/testsuite/sim/profiles"}) {
            std::string candidate = std::string(dir) + "/" + fileOrName + ".xml";
            if (isFile(candidate))
                return candidate;
        }
    }
    throw std::runtime_error("no profile file or bundled profile named '" + fileOrName + "'");
}

}  // namespace wsdsim
