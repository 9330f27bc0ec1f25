#include "suites.h"
#include "test_files.h"

#include "wsd/capabilities.h"
#include "wsd/namespaces.h"
#include "wsd/options.h"
#include "wsd/scan_modes.h"
#include "wsd/soap.h"
#include "wsd/xml.h"

#include <sane/saneopts.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

const char *const Declarations =
    "xmlns:soap='http://www.w3.org/2003/05/soap-envelope' "
    "xmlns:wscn='http://schemas.microsoft.com/windows/2006/08/wdp/scan'";

std::string envelope(const std::string &body)
{
    return std::string("<soap:Envelope ") + Declarations + "><soap:Body>" + body + "</soap:Body></soap:Envelope>";
}

std::string section(const char *name, const std::string &content)
{
    return std::string("<wscn:ElementData Name='wscn:") + name + "' Valid='true'><wscn:" + name + ">" + content +
           "</wscn:" + name + "></wscn:ElementData>";
}

std::string response(const std::string &sections)
{
    return envelope("<wscn:GetScannerElementsResponse><wscn:ScannerElements>" + sections +
                    "</wscn:ScannerElements></wscn:GetScannerElementsResponse>");
}

std::string words(const char *element, std::initializer_list<const char *> values)
{
    std::string out;
    for (const char *v : values)
        out += std::string("<wscn:") + element + ">" + v + "</wscn:" + element + ">";
    return out;
}

std::string size(const std::string &element, int w, int h)
{
    return "<wscn:" + element + "><wscn:Width>" + std::to_string(w) + "</wscn:Width><wscn:Height>" +
           std::to_string(h) + "</wscn:Height></wscn:" + element + ">";
}

// One source (Platen or an ADF side) in the given element name family.
std::string source(const std::string &prefix, std::initializer_list<const char *> widths,
                   std::initializer_list<const char *> heights, std::initializer_list<const char *> colors,
                   int maxWidth, int maxHeight, int minimum)
{
    return "<wscn:" + prefix + "Resolutions><wscn:Widths>" + words("Width", widths) + "</wscn:Widths><wscn:Heights>" +
           words("Height", heights) + "</wscn:Heights></wscn:" + prefix + "Resolutions><wscn:" + prefix + "Color>" +
           words("ColorEntry", colors) + "</wscn:" + prefix + "Color>" + size(prefix + "MinimumSize", minimum, minimum) +
           size(prefix + "MaximumSize", maxWidth, maxHeight);
}

wsd::ScannerElements parseElements(const std::string &text)
{
    std::string error;
    std::optional<wsd::soap::Message> m = wsd::soap::parse(text, &error);
    ck_assert_msg(m.has_value(), "%s", error.c_str());
    std::optional<wsd::ScannerElements> e = wsd::parseScannerElements(*m, &error);
    ck_assert_msg(e.has_value(), "%s", error.c_str());
    return *e;
}

// A flatbed-only scanner: A4 platen, three formats, no enhancement.
wsd::ScannerElements flatbed()
{
    return parseElements(response(section(
        "ScannerConfiguration",
        "<wscn:DeviceSettings><wscn:FormatsSupported>" + words("FormatValue", {"png", "jfif", "pdf-a"}) +
            "</wscn:FormatsSupported></wscn:DeviceSettings><wscn:Platen>" +
            source("Platen", {"150", "300", "600", "1200"}, {"150", "300", "600", "1200"},
                   {"RGB24", "Grayscale8", "BlackAndWhite1"}, 8268, 11693, 100) +
            "</wscn:Platen>")));
}

// An office MFP with a duplex feeder whose lists differ from the platen's.
wsd::ScannerElements duplexMfp()
{
    return parseElements(response(
        section("ScannerConfiguration",
                "<wscn:DeviceSettings><wscn:FormatsSupported>" +
                    words("FormatValue", {"jfif", "tiff-single-g4", "png"}) +
                    "</wscn:FormatsSupported><wscn:ContrastSupported>true</wscn:ContrastSupported>"
                    "</wscn:DeviceSettings><wscn:Platen>" +
                    source("Platen", {"100", "200", "300", "600"}, {"100", "200", "300", "600", "1200"},
                           {"BlackAndWhite1", "Grayscale8", "RGB24"}, 8500, 11693, 100) +
                    "</wscn:Platen><wscn:ADF><wscn:ADFSupportsDuplex>true</wscn:ADFSupportsDuplex><wscn:ADFFront>" +
                    source("ADF", {"200", "300"}, {"200", "300"}, {"Grayscale8", "RGB24"}, 8500, 14000, 2000) +
                    "</wscn:ADFFront><wscn:ADFBack>" +
                    source("ADF", {"300", "600"}, {"300", "600"}, {"Grayscale8", "RGB24"}, 8500, 13000, 2000) +
                    "</wscn:ADFBack></wscn:ADF>") +
        section("ScannerStatus", "<wscn:ScannerState>Idle</wscn:ScannerState><wscn:ActiveConditions>"
                                 "<wscn:DeviceCondition Id='4'><wscn:Name>InputTrayEmpty</wscn:Name>"
                                 "<wscn:Component>ADF</wscn:Component></wscn:DeviceCondition>"
                                 "</wscn:ActiveConditions>")));
}

// An inkjet written with the prefixes "s" and "x", 0/1 booleans, a default
// namespace and a DefaultScanTicket (150 dpi gray).
wsd::ScannerElements inkjet()
{
    const char *text =
        "<x:Envelope xmlns:x='http://www.w3.org/2003/05/soap-envelope'><x:Body>"
        "<s:GetScannerElementsResponse xmlns:s='http://schemas.microsoft.com/windows/2006/08/wdp/scan'>"
        "<s:ScannerElements>"
        "<s:ElementData Valid='1' Name='s:DefaultScanTicket'><s:DefaultScanTicket><s:DocumentParameters>"
        "<s:InputSource>Platen</s:InputSource><s:MediaSides><s:MediaFront><s:ColorProcessing>Grayscale8"
        "</s:ColorProcessing><s:Resolution><s:Width>150</s:Width></s:Resolution></s:MediaFront></s:MediaSides>"
        "<s:Exposure><s:ExposureSettings><s:Brightness>200</s:Brightness></s:ExposureSettings></s:Exposure>"
        "</s:DocumentParameters></s:DefaultScanTicket></s:ElementData>"
        "<ElementData xmlns='http://schemas.microsoft.com/windows/2006/08/wdp/scan' Name='ScannerConfiguration' "
        "Valid='1'><ScannerConfiguration><DeviceSettings><FormatsSupported><FormatValue>jfif</FormatValue>"
        "</FormatsSupported><BrightnessSupported>1</BrightnessSupported><ContrastSupported>1</ContrastSupported>"
        "</DeviceSettings><Platen><PlatenResolutions><Widths><Width>75</Width><Width>150</Width><Width>300</Width>"
        "<Width>1200</Width></Widths><Heights><Height>75</Height><Height>150</Height><Height>300</Height>"
        "<Height>600</Height></Heights></PlatenResolutions><PlatenColor><ColorEntry>RGB24</ColorEntry>"
        "<ColorEntry>Grayscale8</ColorEntry></PlatenColor><PlatenMinimumSize><Width>1</Width><Height>1</Height>"
        "</PlatenMinimumSize><PlatenMaximumSize><Width>8500</Width><Height>11700</Height></PlatenMaximumSize>"
        "</Platen><ADF><ADFSupportsDuplex>0</ADFSupportsDuplex><ADFFront><ADFResolutions><Widths><Width>300</Width>"
        "</Widths></ADFResolutions><ADFColor><ColorEntry>RGB24</ColorEntry></ADFColor><ADFMaximumSize>"
        "<Width>8500</Width><Height>14000</Height></ADFMaximumSize></ADFFront></ADF></ScannerConfiguration>"
        "</ElementData></s:ScannerElements></s:GetScannerElementsResponse></x:Body></x:Envelope>";
    return parseElements(text);
}

// Option names in table order; groups appear as "[title]".
std::string optionList(const wsd::ScanOptions &o)
{
    std::string out;
    for (SANE_Int i = 1; i < o.count(); ++i) {
        const SANE_Option_Descriptor *d = o.descriptor(i);
        out += (out.empty() ? "" : " ");
        out += d->type == SANE_TYPE_GROUP ? "[" + std::string(d->title) + "]" : std::string(d->name);
    }
    return out;
}

std::string stringList(const SANE_Option_Descriptor *d)
{
    ck_assert_int_eq(d->constraint_type, SANE_CONSTRAINT_STRING_LIST);
    std::string out;
    for (const SANE_String_Const *s = d->constraint.string_list; *s; ++s)
        out += (out.empty() ? "" : ",") + std::string(*s);
    return out;
}

std::string wordList(const SANE_Option_Descriptor *d)
{
    ck_assert_int_eq(d->constraint_type, SANE_CONSTRAINT_WORD_LIST);
    std::string out;
    for (SANE_Word i = 1; i <= d->constraint.word_list[0]; ++i)
        out += (out.empty() ? "" : ",") + std::to_string(d->constraint.word_list[i]);
    return out;
}

void assertText(const std::string &got, const char *want) { ck_assert_str_eq(got.c_str(), want); }

SANE_Int index(const wsd::ScanOptions &o, const char *name)
{
    SANE_Int i = o.find(name);
    ck_assert_msg(i > 0, "no option %s", name);
    return i;
}

std::string getString(wsd::ScanOptions &o, const char *name)
{
    SANE_Int i = index(o, name);
    std::vector<char> buffer(static_cast<std::size_t>(o.descriptor(i)->size));
    ck_assert_int_eq(o.control(i, SANE_ACTION_GET_VALUE, buffer.data(), nullptr), SANE_STATUS_GOOD);
    return buffer.data();
}

SANE_Word getWord(wsd::ScanOptions &o, const char *name)
{
    SANE_Word w = 0;
    ck_assert_int_eq(o.control(index(o, name), SANE_ACTION_GET_VALUE, &w, nullptr), SANE_STATUS_GOOD);
    return w;
}

SANE_Int setString(wsd::ScanOptions &o, const char *name, const char *value, SANE_Status want = SANE_STATUS_GOOD)
{
    SANE_Int i = index(o, name);
    std::vector<char> buffer(static_cast<std::size_t>(o.descriptor(i)->size) + std::strlen(value) + 1);
    std::strcpy(buffer.data(), value);
    SANE_Int info = -1;
    ck_assert_int_eq(o.control(i, SANE_ACTION_SET_VALUE, buffer.data(), &info), want);
    return info;
}

SANE_Int setWord(wsd::ScanOptions &o, const char *name, SANE_Word &value, SANE_Status want = SANE_STATUS_GOOD)
{
    SANE_Int info = -1;
    ck_assert_int_eq(o.control(index(o, name), SANE_ACTION_SET_VALUE, &value, &info), want);
    return info;
}

double mm(SANE_Fixed f) { return SANE_UNFIX(f); }

}  // namespace

START_TEST(flatbed_only_profile)
{
    wsd::ScanOptions o(flatbed());
    assertText(optionList(o), "[Scan Mode] source mode resolution threshold compression [Geometry] tl-x tl-y br-x br-y "
                              "[Status] scanner-state cover-open");
    SANE_Word n = 0;
    ck_assert_int_eq(o.control(0, SANE_ACTION_GET_VALUE, &n, nullptr), SANE_STATUS_GOOD);
    ck_assert_int_eq(n, o.count());
    ck_assert_int_eq(o.count(), 15);

    assertText(stringList(o.descriptor(index(o, "source"))), "Flatbed");
    assertText(stringList(o.descriptor(index(o, "mode"))), "Color,Gray,Lineart");
    assertText(wordList(o.descriptor(index(o, "resolution"))), "150,300,600,1200");
    ck_assert_int_eq(o.descriptor(index(o, "resolution"))->unit, SANE_UNIT_DPI);
    // pdf-a is a multi-page format the backend does not decode.
    assertText(stringList(o.descriptor(index(o, "compression"))), "auto,png,jfif");

    const SANE_Option_Descriptor *brx = o.descriptor(index(o, "br-x"));
    ck_assert_int_eq(brx->type, SANE_TYPE_FIXED);
    ck_assert_int_eq(brx->unit, SANE_UNIT_MM);
    ck_assert_int_eq(brx->constraint_type, SANE_CONSTRAINT_RANGE);
    ck_assert_int_eq(brx->constraint.range->min, 0);
    ck_assert_double_eq_tol(mm(brx->constraint.range->max), 210.0, 0.01);  // 8268/1000 in
    ck_assert_double_eq_tol(mm(o.descriptor(index(o, "br-y"))->constraint.range->max), 297.0, 0.01);
    ck_assert_int_eq(brx->cap, SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT);
    ck_assert_int_eq(o.descriptor(index(o, "scanner-state"))->cap, SANE_CAP_SOFT_DETECT);

    // Defaults without a DefaultScanTicket: the first source, colour, 300 dpi, the whole platen.
    assertText(getString(o, "source"), "Flatbed");
    assertText(getString(o, "mode"), "Color");
    ck_assert_int_eq(getWord(o, "resolution"), 300);
    assertText(getString(o, "compression"), "auto");
    ck_assert_int_eq(getWord(o, "tl-x"), 0);
    ck_assert_int_eq(getWord(o, "br-x"), brx->constraint.range->max);

    wsd::ScanSettings s = o.settings();
    assertText(s.source, "Platen");
    assertText(s.format, "jfif");
    assertText(s.colorEntry, "RGB24");
    ck_assert_int_eq(s.xResolution, 300);
    ck_assert_int_eq(s.yResolution, 300);
    ck_assert_int_eq(s.xOffset, 0);
    ck_assert_int_eq(s.width, 8268);
    ck_assert_int_eq(s.height, 11693);
    ck_assert_int_eq(s.imagesToTransfer, 1);
    ck_assert(!s.brightness && !s.contrast);

    SANE_Parameters p = o.parameters();
    ck_assert_int_eq(p.format, SANE_FRAME_RGB);
    ck_assert_int_eq(p.depth, 8);
    ck_assert_int_eq(p.pixels_per_line, 2480);  // 8268 * 300 / 1000
    ck_assert_int_eq(p.lines, 3507);
    ck_assert_int_eq(p.bytes_per_line, 7440);
    ck_assert(p.last_frame);

    // Lineart: 1 bit, and a format that carries it (png; the device has no G4).
    ck_assert_int_eq(setString(o, "mode", "lineart"), SANE_INFO_RELOAD_PARAMS);  // case-insensitive
    assertText(getString(o, "mode"), "Lineart");
    p = o.parameters();
    ck_assert_int_eq(p.format, SANE_FRAME_GRAY);
    ck_assert_int_eq(p.depth, 1);
    ck_assert_int_eq(p.bytes_per_line, 310);
    assertText(o.settings().format, "png");
    assertText(o.settings().colorEntry, "BlackAndWhite1");
    // jfif cannot carry lineart: the choice gives way.
    ck_assert_int_eq(setString(o, "compression", "jfif"), 0);
    assertText(o.settings().format, "png");
    setString(o, "mode", "Gray");
    assertText(o.settings().format, "jfif");
    ck_assert_int_eq(o.parameters().bytes_per_line, 2480);
    ck_assert_int_eq(o.control(index(o, "compression"), SANE_ACTION_SET_AUTO, nullptr, nullptr), SANE_STATUS_INVAL);
    ck_assert_int_eq(setString(o, "compression", "auto"), 0);
    assertText(getString(o, "compression"), "auto");
    assertText(o.settings().format, "jfif");

    // Fallbacks when the device refuses the first choice.
    auto joined = [](const std::vector<std::string> &list) {
        std::string out;
        for (const std::string &w : list)
            out += (out.empty() ? "" : ",") + w;
        return out;
    };
    assertText(joined(o.formatChoices()), "jfif,png");
    setString(o, "compression", "png");
    assertText(joined(o.formatChoices()), "png,jfif");
    setString(o, "mode", "Lineart");
    assertText(joined(o.formatChoices()), "png");
}
END_TEST

// The panel's sensors as button daemons (scanbd) poll them: `scan` a
// readable, not settable bool with SANE_CAP_HARD_SELECT, true once per press;
// `panel-source` the press's source in SANE's words.
START_TEST(panel_options)
{
    wsd::ScanOptions o(duplexMfp());
    const SANE_Int before = o.count();
    bool pressed = false;
    std::string source;
    o.addPanelOptions([&] { return std::exchange(pressed, false); }, [&] { return source; });
    ck_assert_int_eq(o.count(), before + 3);  // the group and two options
    SANE_Word count = 0;
    ck_assert_int_eq(o.control(0, SANE_ACTION_GET_VALUE, &count, nullptr), SANE_STATUS_GOOD);
    ck_assert_int_eq(count, before + 3);
    const SANE_Option_Descriptor *scan = o.descriptor(index(o, SANE_NAME_SCAN));
    ck_assert_int_eq(scan->type, SANE_TYPE_BOOL);
    ck_assert(scan->cap & SANE_CAP_HARD_SELECT);
    ck_assert(scan->cap & SANE_CAP_SOFT_DETECT);
    ck_assert(!(scan->cap & SANE_CAP_SOFT_SELECT));
    SANE_Word w = SANE_TRUE;
    setWord(o, SANE_NAME_SCAN, w, SANE_STATUS_INVAL);  // a sensor: not settable
    ck_assert_int_eq(getWord(o, SANE_NAME_SCAN), SANE_FALSE);
    pressed = true;
    source = "ADFDuplex";
    ck_assert_int_eq(getWord(o, SANE_NAME_SCAN), SANE_TRUE);
    ck_assert_int_eq(getWord(o, SANE_NAME_SCAN), SANE_FALSE);  // read once
    const std::string chosen = getString(o, "panel-source");
    ck_assert_str_eq(chosen.c_str(), "ADF Duplex");
    source = "VendorTray";  // a word we have no SANE name for is shown as it came
    const std::string vendor = getString(o, "panel-source");
    ck_assert_str_eq(vendor.c_str(), "VendorTray");
    setString(o, "panel-source", "ADF", SANE_STATUS_INVAL);
}
END_TEST

START_TEST(sane_control_rules)
{
    wsd::ScanOptions o(flatbed());
    SANE_Word w = 300;
    SANE_Int info = -1;
    ck_assert(o.descriptor(-1) == nullptr);
    ck_assert(o.descriptor(o.count()) == nullptr);
    ck_assert_int_eq(o.control(o.count(), SANE_ACTION_GET_VALUE, &w, &info), SANE_STATUS_INVAL);
    ck_assert_int_eq(o.control(-1, SANE_ACTION_GET_VALUE, &w, &info), SANE_STATUS_INVAL);
    ck_assert_int_eq(o.control(1, SANE_ACTION_GET_VALUE, &w, &info), SANE_STATUS_INVAL);  // a group
    ck_assert_int_eq(o.control(0, SANE_ACTION_SET_VALUE, &w, &info), SANE_STATUS_INVAL);  // read-only
    ck_assert_int_eq(o.control(index(o, "resolution"), static_cast<SANE_Action>(7), &w, &info), SANE_STATUS_INVAL);
    ck_assert_int_eq(o.control(index(o, "resolution"), SANE_ACTION_SET_AUTO, nullptr, &info), SANE_STATUS_INVAL);
    ck_assert_int_eq(o.control(index(o, "resolution"), SANE_ACTION_GET_VALUE, nullptr, &info), SANE_STATUS_INVAL);
    setString(o, "scanner-state", "Idle", SANE_STATUS_INVAL);
    setString(o, "mode", "Sepia", SANE_STATUS_INVAL);
    setString(o, "source", "ADF", SANE_STATUS_INVAL);

    // A resolution between list values is rounded, written back and flagged.
    w = 400;
    ck_assert_int_eq(setWord(o, "resolution", w), SANE_INFO_INEXACT | SANE_INFO_RELOAD_PARAMS);
    ck_assert_int_eq(w, 300);
    w = 600;
    ck_assert_int_eq(setWord(o, "resolution", w), SANE_INFO_RELOAD_PARAMS);
    ck_assert_int_eq(getWord(o, "resolution"), 600);

    // Geometry beyond the platen is clamped; corners in any order work.
    SANE_Fixed x = SANE_FIX(500.0);
    ck_assert_int_eq(setWord(o, "br-x", x), SANE_INFO_INEXACT | SANE_INFO_RELOAD_PARAMS);
    ck_assert_double_eq_tol(mm(x), 210.0, 0.01);
    SANE_Fixed v = SANE_FIX(100.0);
    setWord(o, "tl-x", v);
    v = SANE_FIX(25.4);
    setWord(o, "br-x", v);  // left of tl-x
    v = SANE_FIX(50.8);
    setWord(o, "tl-y", v);
    v = SANE_FIX(50.8 + 25.4 * 2);
    setWord(o, "br-y", v);
    wsd::ScanSettings s = o.settings();
    ck_assert_int_eq(s.xOffset, 1000);
    ck_assert_int_eq(s.width, 2937);  // 100 mm - 25.4 mm
    ck_assert_int_eq(s.yOffset, 2000);
    ck_assert_int_eq(s.height, 2000);
    SANE_Parameters p = o.parameters();
    ck_assert_int_eq(p.pixels_per_line, 1762);  // 2937 * 600 / 1000
    ck_assert_int_eq(p.lines, 1200);
    // A region below the device minimum (0.1 in) grows to it.
    v = SANE_FIX(50.8);
    setWord(o, "br-y", v);
    ck_assert_int_eq(o.settings().height, 100);
}
END_TEST

START_TEST(adf_duplex_mfp)
{
    wsd::ScanOptions o(duplexMfp());
    assertText(optionList(o), "[Scan Mode] source mode resolution threshold compression [Geometry] tl-x tl-y br-x br-y "
                              "[Enhancement] contrast [Status] scanner-state page-loaded cover-open");
    assertText(stringList(o.descriptor(index(o, "source"))), "Flatbed,ADF,ADF Duplex");
    ck_assert_int_eq(o.descriptor(index(o, "source"))->size, 11);
    assertText(wordList(o.descriptor(index(o, "resolution"))), "100,200,300,600");  // 1200 is Heights-only
    assertText(stringList(o.descriptor(index(o, "compression"))), "auto,jfif,tiff-single-g4,png");
    // The feeder's sensor is meaningless on the platen.
    SANE_Int pageLoaded = index(o, "page-loaded");
    ck_assert(o.descriptor(pageLoaded)->cap & SANE_CAP_INACTIVE);
    SANE_Bool loaded = SANE_TRUE;
    ck_assert_int_eq(o.control(pageLoaded, SANE_ACTION_GET_VALUE, &loaded, nullptr), SANE_STATUS_INVAL);

    setString(o, "mode", "Lineart");
    assertText(o.settings().format, "tiff-single-g4");
    SANE_Word w = 600;
    setWord(o, "resolution", w);

    // Switching to the feeder reloads: its own lists and sizes, values re-clamped.
    const SANE_Option_Descriptor *brx = o.descriptor(index(o, "br-y"));
    ck_assert_int_eq(setString(o, "source", "ADF Duplex"), SANE_INFO_RELOAD_OPTIONS | SANE_INFO_RELOAD_PARAMS);
    ck_assert(o.descriptor(index(o, "br-y")) == brx);  // same descriptor, new constraint
    assertText(stringList(o.descriptor(index(o, "mode"))), "Color,Gray,Lineart");
    assertText(getString(o, "mode"), "Lineart");  // made from gray scans on this feeder
    // Both sides scan with one setting: only what front and back share.
    assertText(wordList(o.descriptor(index(o, "resolution"))), "300");
    ck_assert_int_eq(getWord(o, "resolution"), 300);
    ck_assert_double_eq_tol(mm(brx->constraint.range->max), 330.2, 0.01);
    ck_assert_int_eq(getWord(o, "br-y"), brx->constraint.range->max);  // full area stays full
    ck_assert(!(o.descriptor(pageLoaded)->cap & SANE_CAP_INACTIVE));
    ck_assert_int_eq(o.control(pageLoaded, SANE_ACTION_GET_VALUE, &loaded, nullptr), SANE_STATUS_GOOD);
    ck_assert_int_eq(loaded, SANE_FALSE);  // InputTrayEmpty reported

    wsd::ScanSettings s = o.settings();
    assertText(s.source, "ADFDuplex");
    ck_assert(s.duplex());
    ck_assert_int_eq(s.imagesToTransfer, 0);
    ck_assert_int_eq(s.width, 8500);
    ck_assert_int_eq(s.height, 13000);
    assertText(s.format, "jfif");

    // Same value again: nothing to reload.
    ck_assert_int_eq(setString(o, "source", "ADF Duplex"), 0);
    ck_assert_int_eq(setString(o, "source", "ADF"), SANE_INFO_RELOAD_OPTIONS | SANE_INFO_RELOAD_PARAMS);
    assertText(o.settings().source, "ADF");
    assertText(wordList(o.descriptor(index(o, "resolution"))), "200,300");
    ck_assert_int_eq(o.settings().height, 14000);
    // A partial region is clamped, not reset, when going back to the platen.
    SANE_Fixed v = SANE_FIX(320.0);
    setWord(o, "br-y", v);
    setString(o, "source", "Flatbed");
    ck_assert_double_eq_tol(mm(getWord(o, "br-y")), 297.0, 0.01);
    ck_assert(o.descriptor(pageLoaded)->cap & SANE_CAP_INACTIVE);

    // Contrast: -100..100 in SANE, ten device steps per unit.
    SANE_Word c = 150;
    ck_assert_int_eq(setWord(o, "contrast", c), SANE_INFO_INEXACT);
    ck_assert_int_eq(c, 100);
    ck_assert(o.settings().contrast && *o.settings().contrast == 1000);
    ck_assert_int_eq(o.control(index(o, "contrast"), SANE_ACTION_SET_AUTO, nullptr, nullptr), SANE_STATUS_GOOD);
    ck_assert(!o.settings().contrast);
    ck_assert_int_eq(getWord(o, "contrast"), 0);

    wsd::ScannerStatusInfo jam{"Stopped", {"CoverOpen"}, {}};
    o.updateStatus(jam);
    assertText(getString(o, "scanner-state"), "Stopped");
    ck_assert_int_eq(getWord(o, "cover-open"), SANE_TRUE);
    setString(o, "source", "ADF");
    ck_assert_int_eq(getWord(o, "page-loaded"), SANE_TRUE);
}
END_TEST

START_TEST(inkjet_with_odd_prefixes)
{
    wsd::ScanOptions o(inkjet());
    // One format only: nothing to choose, no compression option.
    assertText(optionList(o), "[Scan Mode] source mode resolution threshold [Geometry] tl-x tl-y br-x br-y "
                              "[Enhancement] brightness contrast [Status] scanner-state page-loaded cover-open");
    assertText(stringList(o.descriptor(index(o, "source"))), "Flatbed,ADF");
    assertText(stringList(o.descriptor(index(o, "mode"))), "Color,Gray,Lineart");
    assertText(wordList(o.descriptor(index(o, "resolution"))), "75,150,300");
    const SANE_Option_Descriptor *b = o.descriptor(index(o, "brightness"));
    ck_assert_int_eq(b->constraint_type, SANE_CONSTRAINT_RANGE);
    ck_assert_int_eq(b->constraint.range->min, -100);
    ck_assert_int_eq(b->constraint.range->max, 100);
    ck_assert(b->cap & SANE_CAP_AUTOMATIC);
    // Defaults come from the DefaultScanTicket.
    assertText(getString(o, "mode"), "Gray");
    ck_assert_int_eq(getWord(o, "resolution"), 150);
    ck_assert_int_eq(getWord(o, "brightness"), 20);
    wsd::ScanSettings s = o.settings();
    assertText(s.format, "jfif");
    assertText(s.colorEntry, "Grayscale8");
    ck_assert(!s.brightness);  // the device's default is not echoed back
    SANE_Word v = -35;
    ck_assert_int_eq(setWord(o, "brightness", v), 0);
    ck_assert(o.settings().brightness && *o.settings().brightness == -350);

    // The feeder has no minimum size and no Heights list: defaults apply.
    setString(o, "source", "adf");
    assertText(getString(o, "source"), "ADF");
    assertText(wordList(o.descriptor(index(o, "resolution"))), "300");
    assertText(getString(o, "mode"), "Color");
    ck_assert_int_eq(o.settings().width, 8500);
}
END_TEST

namespace {

// wsd-sim profiles come in three shapes: a whole envelope, a bare
// GetScannerElementsResponse, or bare sections under any root. The last two
// are put into an envelope here the way the simulator answers.
wsd::ScannerElements loadProfile(const char *name)
{
    std::string text = readTestFile(std::string(WSD_SOURCE_DIR) + "/testsuite/sim/profiles/" + name + ".xml");
    std::string error;
    wsd::xml::Document doc = wsd::xml::Document::parse(text, &error);
    ck_assert_msg(static_cast<bool>(doc), "%s: %s", name, error.c_str());
    wsd::xml::Node root = doc.root();
    if (root.is(wsd::ns::Soap, "Envelope"))
        return parseElements(text);
    if (root.is(wsd::ns::Scan, "GetScannerElementsResponse"))
        return parseElements(envelope(wsd::xml::serialize(root)));
    std::string sections;
    for (const wsd::xml::Node &c : root.elements())
        if (c.nsUri() == wsd::ns::Scan)
            sections += "<wscn:ElementData Name='wscn:" + std::string(c.localName()) + "' Valid='true'>" +
                        wsd::xml::serialize(c) + "</wscn:ElementData>";
    return parseElements(response(sections));
}

}  // namespace

// ContentType (WS-Scan ContentTypesSupported): the device's own words,
// Auto first choice, then the device's default, then its first word.
wsd::ScannerElements contentTypes(std::initializer_list<const char *> values, const char *deviceDefault)
{
    std::string defaults = deviceDefault ? section("DefaultScanTicket",
                                                   std::string("<wscn:DocumentParameters><wscn:ContentType>") +
                                                       deviceDefault + "</wscn:ContentType></wscn:DocumentParameters>")
                                         : std::string();
    return parseElements(response(
        defaults + section("ScannerConfiguration",
                           "<wscn:DeviceSettings><wscn:FormatsSupported>" + words("FormatValue", {"jfif"}) +
                               "</wscn:FormatsSupported><wscn:ContentTypesSupported>" +
                               words("ContentTypeValue", values) +
                               "</wscn:ContentTypesSupported></wscn:DeviceSettings><wscn:Platen>" +
                               source("Platen", {"300"}, {"300"}, {"RGB24"}, 8500, 11693, 100) + "</wscn:Platen>")));
}

START_TEST(content_type_option)
{
    // Not listed: no option, nothing in the ticket.
    wsd::ScanOptions plain(flatbed());
    ck_assert_int_eq(plain.find("content-type"), -1);
    ck_assert(plain.settings().contentType.empty());

    wsd::ScanOptions o(contentTypes({"Text", "Photo", "Auto", "Text", "Mixed"}, "Photo"));
    const SANE_Option_Descriptor *d = o.descriptor(index(o, "content-type"));
    assertText(stringList(d), "Text,Photo,Auto,Mixed");  // as listed, once each
    ck_assert(SANE_OPTION_IS_SETTABLE(d->cap) && SANE_OPTION_IS_ACTIVE(d->cap));
    ck_assert_int_eq(d->size, 6);
    assertText(getString(o, "content-type"), "Auto");
    assertText(o.settings().contentType, "Auto");
    ck_assert_int_eq(setString(o, "content-type", "text"), 0);  // any case, stored as the device spells it
    assertText(getString(o, "content-type"), "Text");
    assertText(o.settings().contentType, "Text");
    char halftone[] = "Halftone";  // not listed by this device
    ck_assert_int_eq(o.control(index(o, "content-type"), SANE_ACTION_SET_VALUE, halftone, nullptr), SANE_STATUS_INVAL);
    assertText(o.settings().contentType, "Text");

    // No Auto: the device's DefaultScanTicket, else its first word.
    wsd::ScanOptions photo(contentTypes({"Text", "Photo"}, "Photo"));
    assertText(photo.settings().contentType, "Photo");
    wsd::ScanOptions first(contentTypes({"Text", "Photo"}, "Halftone"));
    assertText(first.settings().contentType, "Text");
    wsd::ScanOptions none(contentTypes({"Mixed", "Photo"}, nullptr));
    assertText(none.settings().contentType, "Mixed");
}
END_TEST

START_TEST(bundled_simulator_profiles)
{
    wsd::ScannerElements flat = loadProfile("flatbed");
    wsd::ScanOptions f(flat);
    assertText(flat.description.name, "WSD Sim Flatbed 100");
    assertText(optionList(f), "[Scan Mode] source mode resolution threshold compression content-type [Geometry] tl-x "
                              "tl-y br-x br-y [Status] scanner-state cover-open");
    assertText(stringList(f.descriptor(index(f, "source"))), "Flatbed");
    assertText(stringList(f.descriptor(index(f, "mode"))), "Color,Gray,Lineart");
    assertText(wordList(f.descriptor(index(f, "resolution"))), "100,150,200,300,600");
    assertText(stringList(f.descriptor(index(f, "compression"))),
               "auto,jfif,png,tiff-single-uncompressed,dib");
    ck_assert_int_eq(f.settings().width, 8500);
    ck_assert_int_eq(f.settings().height, 11690);

    wsd::ScannerElements mfp = loadProfile("office-mfp");
    wsd::ScanOptions m(mfp);
    assertText(optionList(m), "[Scan Mode] source mode resolution threshold compression content-type [Geometry] tl-x "
                              "tl-y br-x br-y [Status] scanner-state page-loaded cover-open");
    assertText(stringList(m.descriptor(index(m, "content-type"))), "Auto,Text,Photo,Mixed");
    assertText(stringList(m.descriptor(index(m, "source"))), "Flatbed,ADF,ADF Duplex");
    assertText(stringList(m.descriptor(index(m, "mode"))), "Color,Gray,Lineart");
    assertText(wordList(m.descriptor(index(m, "resolution"))), "75,100,150,200,300,600");
    assertText(stringList(m.descriptor(index(m, "compression"))),
               "auto,jfif,exif,png,tiff-single-uncompressed,tiff-single-g4,dib");
    ck_assert_int_eq(getWord(m, "resolution"), 300);
    setString(m, "source", "ADF Duplex");
    assertText(wordList(m.descriptor(index(m, "resolution"))), "100,150,200,300,600");
    ck_assert_int_eq(m.settings().height, 14000);

    wsd::ScannerElements ink = loadProfile("inkjet");
    wsd::ScanOptions k(ink);
    assertText(optionList(k), "[Scan Mode] source mode resolution threshold compression content-type [Geometry] tl-x "
                              "tl-y br-x br-y [Enhancement] brightness contrast [Status] scanner-state page-loaded "
                              "cover-open");
    assertText(stringList(k.descriptor(index(k, "source"))), "Flatbed,ADF");
    assertText(stringList(k.descriptor(index(k, "mode"))), "Color,Gray,Lineart");
    assertText(wordList(k.descriptor(index(k, "resolution"))), "75,150,300,600");
    assertText(stringList(k.descriptor(index(k, "compression"))), "auto,jfif,exif,png");
    ck_assert_int_eq(getWord(k, "resolution"), 150);
    setString(k, "source", "ADF");
    assertText(wordList(k.descriptor(index(k, "resolution"))), "150,300");
}
END_TEST

// Each source and mode has one SANE name and one WS-Scan keyword, and both
// lead back to it.
// A device modelled on the JPEG+PDF office scanners: no bilevel format, and
// no BlackAndWhite1 entry either.
wsd::ScannerElements jpegPdfOnly(std::initializer_list<const char *> colors)
{
    return parseElements(response(section(
        "ScannerConfiguration",
        "<wscn:DeviceSettings><wscn:FormatsSupported>" + words("FormatValue", {"jfif", "pdf-a"}) +
            "</wscn:FormatsSupported></wscn:DeviceSettings><wscn:Platen>" +
            source("Platen", {"150", "300"}, {"150", "300"}, colors, 8500, 11693, 100) + "</wscn:Platen>")));
}

START_TEST(lineart_made_locally)
{
    wsd::ScanOptions o(jpegPdfOnly({"RGB24", "Grayscale8"}));
    assertText(stringList(o.descriptor(index(o, "mode"))), "Color,Gray,Lineart");
    const SANE_Int threshold = index(o, SANE_NAME_THRESHOLD);
    const SANE_Option_Descriptor *t = o.descriptor(threshold);
    ck_assert_int_eq(t->type, SANE_TYPE_INT);
    ck_assert_int_eq(t->unit, SANE_UNIT_PERCENT);
    ck_assert_int_eq(t->constraint.range->min, 0);
    ck_assert_int_eq(t->constraint.range->max, 100);
    // Colour: the threshold means nothing and nothing is thresholded.
    ck_assert(t->cap & SANE_CAP_INACTIVE);
    ck_assert(!o.localThreshold());

    // Lineart: the ticket asks gray in JPEG (never without a Format), the
    // frame is 1 bit deep, and the threshold becomes active.
    ck_assert_int_eq(setString(o, "mode", "Lineart"), SANE_INFO_RELOAD_PARAMS | SANE_INFO_RELOAD_OPTIONS);
    ck_assert(!(t->cap & SANE_CAP_INACTIVE));
    wsd::ScanSettings s = o.settings();
    assertText(s.colorEntry, "Grayscale8");
    assertText(s.format, "jfif");
    ck_assert(o.localThreshold() && *o.localThreshold() == 50);
    SANE_Parameters p = o.parameters();
    ck_assert_int_eq(p.depth, 1);
    ck_assert_int_eq(p.format, SANE_FRAME_GRAY);
    ck_assert_int_eq(p.bytes_per_line, (p.pixels_per_line + 7) / 8);
    SANE_Word w = 130;
    ck_assert_int_eq(setWord(o, SANE_NAME_THRESHOLD, w), SANE_INFO_INEXACT);
    ck_assert_int_eq(w, 100);
    w = 30;
    setWord(o, SANE_NAME_THRESHOLD, w);
    ck_assert_int_eq(*o.localThreshold(), 30);
    ck_assert_int_eq(setString(o, "mode", "Gray"), SANE_INFO_RELOAD_PARAMS | SANE_INFO_RELOAD_OPTIONS);
    ck_assert(t->cap & SANE_CAP_INACTIVE);
    ck_assert_int_eq(o.control(threshold, SANE_ACTION_GET_VALUE, &w, nullptr), SANE_STATUS_INVAL);

    // Only colour on the source: lineart from an RGB24 scan.
    wsd::ScanOptions rgb(jpegPdfOnly({"RGB24"}));
    setString(rgb, "mode", "Lineart");
    assertText(rgb.settings().colorEntry, "RGB24");
    assertText(rgb.settings().format, "jfif");

    // BlackAndWhite1 listed, but only JPEG to carry it: still made locally.
    wsd::ScanOptions jpegLineart(jpegPdfOnly({"RGB24", "Grayscale8", "BlackAndWhite1"}));
    setString(jpegLineart, "mode", "Lineart");
    assertText(jpegLineart.settings().colorEntry, "Grayscale8");
    ck_assert(jpegLineart.localThreshold());

    // The device's own lineart in a bilevel format it has: used as it is.
    wsd::ScanOptions device(duplexMfp());
    setString(device, "mode", "Lineart");
    assertText(device.settings().colorEntry, "BlackAndWhite1");
    assertText(device.settings().format, "tiff-single-g4");
    ck_assert(!device.localThreshold());
    ck_assert(device.descriptor(index(device, SANE_NAME_THRESHOLD))->cap & SANE_CAP_INACTIVE);
    // Its feeder lists no BlackAndWhite1: there the backend makes lineart.
    setString(device, "source", "ADF");
    assertText(device.settings().colorEntry, "Grayscale8");
    assertText(device.settings().format, "jfif");
    ck_assert(device.localThreshold());
    ck_assert(!(device.descriptor(index(device, SANE_NAME_THRESHOLD))->cap & SANE_CAP_INACTIVE));
}
END_TEST

START_TEST(decodable_formats_only)
{
    wsd::ScannerCapabilities caps;
    caps.formats = {"pdf-a", "xps", "jfif"};
    std::vector<std::string> formats = wsd::ScanOptions::decodableFormats(caps);
    ck_assert_int_eq(formats.size(), 1);
    assertText(formats.front(), "jfif");
    caps.formats = {"pdf-a"};
    ck_assert(wsd::ScanOptions::decodableFormats(caps).empty());
}
END_TEST

START_TEST(name_tables)
{
    for (wsd::InputSource source : wsd::AllInputSources)
        ck_assert(wsd::inputSourceFromKeyword(wsd::keyword(source)) == source);
    ck_assert_str_eq(wsd::keyword(wsd::InputSource::AdfDuplex), "ADFDuplex");
    ck_assert_str_eq(wsd::saneName(wsd::InputSource::AdfDuplex), "ADF Duplex");
    ck_assert_str_eq(wsd::saneName(wsd::InputSource::Platen), "Flatbed");
    ck_assert(!wsd::inputSourceFromKeyword("adf"));  // WS-Scan keywords are case-sensitive
    ck_assert(wsd::isFeeder(wsd::InputSource::Adf) && wsd::isFeeder(wsd::InputSource::AdfDuplex));
    ck_assert(!wsd::isFeeder(wsd::InputSource::Platen) && !wsd::isFeeder(wsd::InputSource::Film));

    for (wsd::ColorMode mode : wsd::AllColorModes) {
        ck_assert(wsd::colorModeFromKeyword(wsd::keyword(mode)) == mode);
        ck_assert(wsd::colorModeFromSaneName(wsd::saneName(mode)) == mode);
    }
    ck_assert_str_eq(wsd::keyword(wsd::ColorMode::Lineart), "BlackAndWhite1");
    ck_assert_str_eq(wsd::saneName(wsd::ColorMode::Gray), SANE_VALUE_SCAN_MODE_GRAY);
    ck_assert(!wsd::colorModeFromKeyword("RGB48"));  // a layout the decoders do not handle
}
END_TEST

Suite *optionsSuite()
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, flatbed_only_profile);
    tcase_add_test(tc, sane_control_rules);
    tcase_add_test(tc, adf_duplex_mfp);
    tcase_add_test(tc, inkjet_with_odd_prefixes);
    tcase_add_test(tc, bundled_simulator_profiles);
    tcase_add_test(tc, content_type_option);
    tcase_add_test(tc, lineart_made_locally);
    tcase_add_test(tc, decodable_formats_only);
    tcase_add_test(tc, name_tables);
    tcase_add_test(tc, panel_options);
    suite_add_tcase(s, tc);
    return s;
}
