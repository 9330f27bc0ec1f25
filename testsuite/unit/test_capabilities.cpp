#include "suites.h"
#include "test_files.h"

#include "wsd/capabilities.h"
#include "wsd/namespaces.h"
#include "wsd/soap.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

std::string envelope(const std::string &declarations, const std::string &body)
{
    return "<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope' " + declarations +
           "><soap:Body>" + body + "</soap:Body></soap:Envelope>";
}

std::optional<wsd::ScannerElements> parseElements(const std::string &text, std::string *error = nullptr)
{
    std::string parseError;
    std::optional<wsd::soap::Message> m = wsd::soap::parse(text, &parseError);
    ck_assert_msg(m.has_value(), "envelope does not parse: %s", parseError.c_str());
    return wsd::parseScannerElements(*m, error);
}

void assertInts(const std::vector<int> &got, std::initializer_list<int> want)
{
    ck_assert_uint_eq(got.size(), want.size());
    std::size_t i = 0;
    for (int w : want)
        ck_assert_int_eq(got[i++], w);
}

void assertWords(const std::vector<std::string> &got, std::initializer_list<const char *> want)
{
    ck_assert_uint_eq(got.size(), want.size());
    std::size_t i = 0;
    for (const char *w : want)
        ck_assert_str_eq(got[i++].c_str(), w);
}

const char *const ScanNs = "xmlns:wscn='http://schemas.microsoft.com/windows/2006/08/wdp/scan'";

// An office MFP with a duplex feeder, written with the conventional
// prefixes and the namespace-qualified attributes of the docs example.
const char *const DuplexMfp =
    "<wscn:GetScannerElementsResponse><wscn:ScannerElements>"
    "<wscn:ElementData wscn:Name='wscn:ScannerDescription' wscn:Valid='true'><wscn:ScannerDescription>"
    "<wscn:ScannerName xml:lang='de'>Kopierraum</wscn:ScannerName>"
    "<wscn:ScannerName xml:lang='en'>Copy room</wscn:ScannerName>"
    "<wscn:ScannerInfo>Office MFP</wscn:ScannerInfo><wscn:ScannerLocation>Floor 2</wscn:ScannerLocation>"
    "</wscn:ScannerDescription></wscn:ElementData>"
    "<wscn:ElementData wscn:Name='wscn:ScannerConfiguration' wscn:Valid='true'><wscn:ScannerConfiguration>"
    "<wscn:DeviceSettings><wscn:FormatsSupported><wscn:FormatValue>jfif</wscn:FormatValue>"
    "<wscn:FormatValue>png</wscn:FormatValue><wscn:FormatValue>tiff-single-g4</wscn:FormatValue>"
    "<wscn:FormatValue>pdf-a</wscn:FormatValue></wscn:FormatsSupported>"
    "<wscn:CompressionQualityFactorSupported><wscn:MinValue>10</wscn:MinValue><wscn:MaxValue>100</wscn:MaxValue>"
    "</wscn:CompressionQualityFactorSupported>"
    "<wscn:ContentTypesSupported><wscn:ContentTypeValue>Auto</wscn:ContentTypeValue>"
    "<wscn:ContentTypeValue>Text</wscn:ContentTypeValue><wscn:ContentTypeValue>Photo</wscn:ContentTypeValue>"
    "</wscn:ContentTypesSupported>"
    "<wscn:DocumentSizeAutoDetectSupported>false</wscn:DocumentSizeAutoDetectSupported>"
    "<wscn:AutoExposureSupported>false</wscn:AutoExposureSupported>"
    "<wscn:BrightnessSupported>true</wscn:BrightnessSupported><wscn:ContrastSupported>true</wscn:ContrastSupported>"
    "<wscn:ScalingRangeSupported><wscn:ScalingWidth><wscn:MinValue>100</wscn:MinValue><wscn:MaxValue>100</wscn:MaxValue>"
    "</wscn:ScalingWidth><wscn:ScalingHeight><wscn:MinValue>100</wscn:MinValue><wscn:MaxValue>100</wscn:MaxValue>"
    "</wscn:ScalingHeight></wscn:ScalingRangeSupported>"
    "<wscn:RotationsSupported><wscn:RotationValue>0</wscn:RotationValue><wscn:RotationValue>180</wscn:RotationValue>"
    "</wscn:RotationsSupported></wscn:DeviceSettings>"
    "<wscn:Platen><wscn:PlatenOpticalResolution><wscn:Width>1200</wscn:Width><wscn:Height>2400</wscn:Height>"
    "</wscn:PlatenOpticalResolution><wscn:PlatenResolutions><wscn:Widths><wscn:Width>600</wscn:Width>"
    "<wscn:Width>100</wscn:Width><wscn:Width>300</wscn:Width><wscn:Width>1200</wscn:Width></wscn:Widths>"
    "<wscn:Heights><wscn:Height>100</wscn:Height><wscn:Height>300</wscn:Height><wscn:Height>600</wscn:Height>"
    "<wscn:Height>1200</wscn:Height><wscn:Height>2400</wscn:Height></wscn:Heights></wscn:PlatenResolutions>"
    "<wscn:PlatenColor><wscn:ColorEntry>BlackAndWhite1</wscn:ColorEntry><wscn:ColorEntry>Grayscale8</wscn:ColorEntry>"
    "<wscn:ColorEntry>RGB24</wscn:ColorEntry></wscn:PlatenColor>"
    "<wscn:PlatenMinimumSize><wscn:Width>100</wscn:Width><wscn:Height>100</wscn:Height></wscn:PlatenMinimumSize>"
    "<wscn:PlatenMaximumSize><wscn:Width>8500</wscn:Width><wscn:Height>11693</wscn:Height></wscn:PlatenMaximumSize>"
    "</wscn:Platen>"
    "<wscn:ADF><wscn:ADFSupportsDuplex>true</wscn:ADFSupportsDuplex>"
    "<wscn:ADFFront><wscn:ADFOpticalResolution><wscn:Width>600</wscn:Width></wscn:ADFOpticalResolution>"
    "<wscn:ADFResolutions><wscn:Widths><wscn:Width>200</wscn:Width><wscn:Width>300</wscn:Width>"
    "<wscn:Width>600</wscn:Width></wscn:Widths><wscn:Heights><wscn:Height>300</wscn:Height>"
    "<wscn:Height>600</wscn:Height></wscn:Heights></wscn:ADFResolutions>"
    "<wscn:ADFColor><wscn:ColorEntry>Grayscale8</wscn:ColorEntry><wscn:ColorEntry>RGB24</wscn:ColorEntry></wscn:ADFColor>"
    "<wscn:ADFMinimumSize><wscn:Width>5800</wscn:Width><wscn:Height>4100</wscn:Height></wscn:ADFMinimumSize>"
    "<wscn:ADFMaximumSize><wscn:Width>8500</wscn:Width><wscn:Height>14000</wscn:Height></wscn:ADFMaximumSize>"
    "</wscn:ADFFront>"
    "<wscn:ADFBack><wscn:ADFOpticalResolution><wscn:Width>600</wscn:Width><wscn:Height>600</wscn:Height>"
    "</wscn:ADFOpticalResolution><wscn:ADFResolutions><wscn:Widths><wscn:Width>300</wscn:Width></wscn:Widths>"
    "<wscn:Heights><wscn:Height>300</wscn:Height></wscn:Heights></wscn:ADFResolutions>"
    "<wscn:ADFColor><wscn:ColorEntry>RGB24</wscn:ColorEntry></wscn:ADFColor>"
    "<wscn:ADFMinimumSize><wscn:Width>5800</wscn:Width><wscn:Height>4100</wscn:Height></wscn:ADFMinimumSize>"
    "<wscn:ADFMaximumSize><wscn:Width>8500</wscn:Width><wscn:Height>14000</wscn:Height></wscn:ADFMaximumSize>"
    "</wscn:ADFBack></wscn:ADF>"
    "</wscn:ScannerConfiguration></wscn:ElementData>"
    "<wscn:ElementData wscn:Name='wscn:ScannerStatus' wscn:Valid='true'><wscn:ScannerStatus>"
    "<wscn:ScannerCurrentTime>0001-01-01T00:10:00Z</wscn:ScannerCurrentTime>"
    "<wscn:ScannerState>Stopped</wscn:ScannerState>"
    "<wscn:ScannerStateReasons><wscn:ScannerStateReason>MediaJam</wscn:ScannerStateReason></wscn:ScannerStateReasons>"
    "<wscn:ActiveConditions><wscn:DeviceCondition wscn:Id='1384'><wscn:Time>0001-01-01T00:09:00Z</wscn:Time>"
    "<wscn:Name>MediaJam</wscn:Name><wscn:Component>ADF</wscn:Component><wscn:Severity>Critical</wscn:Severity>"
    "</wscn:DeviceCondition></wscn:ActiveConditions></wscn:ScannerStatus></wscn:ElementData>"
    "<wscn:ElementData wscn:Name='wscn:DefaultScanTicket' wscn:Valid='true'><wscn:DefaultScanTicket>"
    "<wscn:JobDescription><wscn:JobName>Scan Job</wscn:JobName><wscn:JobOriginatingUserName/>"
    "</wscn:JobDescription><wscn:DocumentParameters><wscn:Format>jfif</wscn:Format>"
    "<wscn:ImagesToTransfer>1</wscn:ImagesToTransfer><wscn:InputSource>Platen</wscn:InputSource>"
    "<wscn:ContentType>Auto</wscn:ContentType><wscn:InputSize><wscn:InputMediaSize><wscn:Width>8500</wscn:Width>"
    "<wscn:Height>11693</wscn:Height></wscn:InputMediaSize></wscn:InputSize>"
    "<wscn:MediaSides><wscn:MediaFront><wscn:ColorProcessing>RGB24</wscn:ColorProcessing>"
    "<wscn:Resolution><wscn:Width>300</wscn:Width></wscn:Resolution></wscn:MediaFront></wscn:MediaSides>"
    "</wscn:DocumentParameters></wscn:DefaultScanTicket></wscn:ElementData>"
    "</wscn:ScannerElements></wscn:GetScannerElementsResponse>";

}  // namespace

START_TEST(parses_duplex_mfp)
{
    std::string error;
    auto e = parseElements(envelope(ScanNs, DuplexMfp), &error);
    ck_assert_msg(e.has_value(), "%s", error.c_str());
    ck_assert_str_eq(e->description.name.c_str(), "Kopierraum");
    ck_assert_str_eq(e->description.info.c_str(), "Office MFP");
    ck_assert_str_eq(e->description.location.c_str(), "Floor 2");

    const wsd::ScannerCapabilities &c = e->caps;
    assertWords(c.formats, {"jfif", "png", "tiff-single-g4", "pdf-a"});
    assertWords(c.contentTypes, {"Auto", "Text", "Photo"});
    ck_assert_int_eq(c.compressionMin, 10);
    ck_assert_int_eq(c.compressionMax, 100);
    ck_assert(c.brightness && c.contrast);
    ck_assert(!c.autoExposure && !c.documentSizeAutoDetect);
    assertInts(c.rotations, {0, 180});

    ck_assert(c.platen.has_value());
    assertInts(c.platen->xResolutions, {100, 300, 600, 1200});  // sorted
    assertInts(c.platen->yResolutions, {100, 300, 600, 1200, 2400});
    ck_assert_int_eq(c.platen->opticalX, 1200);
    ck_assert_int_eq(c.platen->opticalY, 2400);
    assertWords(c.platen->colorEntries, {"BlackAndWhite1", "Grayscale8", "RGB24"});
    ck_assert_int_eq(c.platen->minSize.width, 100);
    ck_assert_int_eq(c.platen->maxSize.width, 8500);
    ck_assert_int_eq(c.platen->maxSize.height, 11693);

    ck_assert(c.adfDuplex);
    ck_assert(c.adfFront.has_value() && c.adfBack.has_value());
    assertInts(c.adfFront->xResolutions, {200, 300, 600});
    assertInts(c.adfFront->yResolutions, {300, 600});
    ck_assert_int_eq(c.adfFront->opticalX, 600);
    ck_assert_int_eq(c.adfFront->opticalY, 600);  // Height omitted: same as Width
    assertWords(c.adfFront->colorEntries, {"Grayscale8", "RGB24"});
    ck_assert_int_eq(c.adfFront->minSize.width, 5800);
    ck_assert_int_eq(c.adfFront->minSize.height, 4100);
    ck_assert_int_eq(c.adfFront->maxSize.height, 14000);
    assertInts(c.adfBack->xResolutions, {300});
    ck_assert(!c.film.has_value());

    ck_assert_str_eq(e->status.state.c_str(), "Stopped");
    assertWords(e->status.reasons, {"MediaJam"});
    ck_assert_uint_eq(e->status.conditions.size(), 1);
    ck_assert_int_eq(e->status.conditions[0].id, 1384);
    ck_assert_str_eq(e->status.conditions[0].name.c_str(), "MediaJam");
    ck_assert_str_eq(e->status.conditions[0].component.c_str(), "ADF");
    ck_assert_str_eq(e->status.conditions[0].severity.c_str(), "Critical");

    ck_assert(e->defaults.has_value());
    ck_assert_str_eq(e->defaults->source.c_str(), "Platen");
    ck_assert_str_eq(e->defaults->format.c_str(), "jfif");
    ck_assert_str_eq(e->defaults->colorEntry.c_str(), "RGB24");
    ck_assert_int_eq(e->defaults->xResolution, 300);
    ck_assert_int_eq(e->defaults->yResolution, 300);
    ck_assert_int_eq(e->defaults->width, 8500);  // no ScanRegion: the InputMediaSize
    ck_assert_int_eq(e->defaults->height, 11693);
    ck_assert_str_eq(e->defaults->jobName.c_str(), "Scan Job");
}
END_TEST

START_TEST(accepts_odd_prefixes_order_and_booleans)
{
    // An inkjet-style answer: prefix "sc" for the scan namespace, unqualified
    // Name/Valid in reverse order, the default namespace used for some
    // elements, 0/1 booleans, a vendor section, unknown elements and a Name
    // whose prefix is not declared.
    const char *body =
        "<sc:GetScannerElementsResponse xmlns:v='urn:vendor'><sc:ScannerElements>"
        "<sc:ElementData Valid='1' Name='v:Consumables'><v:Ink>80</v:Ink></sc:ElementData>"
        "<sc:ElementData Valid='0' Name='sc:DefaultScanTicket'/>"
        "<sc:ElementData Name='undeclared:ScannerDescription'><sc:ScannerDescription><sc:ScannerName>Ink 1"
        "</sc:ScannerName></sc:ScannerDescription></sc:ElementData>"
        "<ElementData xmlns='http://schemas.microsoft.com/windows/2006/08/wdp/scan' Valid='1' "
        "Name='ScannerConfiguration'><ScannerConfiguration><DeviceSettings>"
        "<FormatsSupported><FormatValue>jfif</FormatValue><FormatValue>jfif</FormatValue></FormatsSupported>"
        "<BrightnessSupported>1</BrightnessSupported><ContrastSupported>0</ContrastSupported>"
        "<v:Sharpening>yes</v:Sharpening></DeviceSettings>"
        "<Platen><PlatenResolutions><Widths><Width>75</Width><Width>150</Width><Width>300</Width><Width>bogus</Width>"
        "</Widths></PlatenResolutions><PlatenColor><ColorEntry>RGB24</ColorEntry><ColorEntry>Grayscale8</ColorEntry>"
        "</PlatenColor><PlatenMaximumSize><Width>8500</Width><Height>11700</Height></PlatenMaximumSize>"
        "</Platen></ScannerConfiguration></ElementData>"
        "<sc:ElementData Name=' sc:ScannerStatus ' Valid='true'><sc:ScannerStatus><sc:ScannerState>Idle</sc:ScannerState>"
        "<sc:ScannerStateReasons><sc:ScannerStateReason>None</sc:ScannerStateReason></sc:ScannerStateReasons>"
        "</sc:ScannerStatus></sc:ElementData>"
        "</sc:ScannerElements></sc:GetScannerElementsResponse>";
    std::string error;
    auto e = parseElements(envelope("xmlns:sc='http://schemas.microsoft.com/windows/2006/08/wdp/scan'", body), &error);
    ck_assert_msg(e.has_value(), "%s", error.c_str());
    assertWords(e->caps.formats, {"jfif"});
    ck_assert(e->caps.brightness);
    ck_assert(!e->caps.contrast);
    assertInts(e->caps.rotations, {0});
    ck_assert(e->caps.platen.has_value());
    assertInts(e->caps.platen->xResolutions, {75, 150, 300});
    assertInts(e->caps.platen->yResolutions, {75, 150, 300});  // no Heights: same as Widths
    assertWords(e->caps.platen->colorEntries, {"RGB24", "Grayscale8"});
    ck_assert_int_eq(e->caps.platen->minSize.width, 1);  // no minimum given
    ck_assert_int_eq(e->caps.platen->maxSize.height, 11700);
    ck_assert(!e->caps.adfFront.has_value());
    ck_assert_str_eq(e->status.state.c_str(), "Idle");
    ck_assert(e->status.reasons.empty());
    ck_assert(!e->defaults.has_value());  // Valid='0'
    // A Name with an undeclared prefix (and no Valid): the element inside decides.
    ck_assert_str_eq(e->description.name.c_str(), "Ink 1");
}
END_TEST

START_TEST(accepts_prerelease_namespace)
{
    // The MicrosoftDocs examples use the 2006/01 namespace (WS-Scan element reference).
    const char *body =
        "<wscn:GetScannerElementsResponse><wscn:ScannerElements>"
        "<wscn:ElementData wscn:Name='wscn:ScannerConfiguration' wscn:Valid='true'><wscn:ScannerConfiguration>"
        "<wscn:DeviceSettings><wscn:DocumentSizeAutoDetectSupported>\n true\n </wscn:DocumentSizeAutoDetectSupported>"
        "</wscn:DeviceSettings><wscn:ADF><wscn:ADFSupportsDuplex>false</wscn:ADFSupportsDuplex><wscn:ADFFront>"
        "<wscn:ADFResolutions><wscn:Widths><wscn:Width>300</wscn:Width></wscn:Widths></wscn:ADFResolutions>"
        "<wscn:ADFColor><wscn:ColorEntry>BlackAndWhite1</wscn:ColorEntry></wscn:ADFColor>"
        "<wscn:ADFMinimumSize><wscn:Width>4000</wscn:Width><wscn:Height>6000</wscn:Height></wscn:ADFMinimumSize>"
        "<wscn:ADFMaximumSize><wscn:Width>8500</wscn:Width><wscn:Height>11000</wscn:Height></wscn:ADFMaximumSize>"
        "</wscn:ADFFront></wscn:ADF></wscn:ScannerConfiguration></wscn:ElementData>"
        "</wscn:ScannerElements></wscn:GetScannerElementsResponse>";
    std::string error;
    auto e = parseElements(
        envelope("xmlns:wscn='http://schemas.microsoft.com/windows/2006/01/wdp/scan'", body), &error);
    ck_assert_msg(e.has_value(), "%s", error.c_str());
    ck_assert(e->caps.documentSizeAutoDetect);
    ck_assert(!e->caps.platen.has_value());
    ck_assert(e->caps.adfFront.has_value());
    ck_assert(!e->caps.adfDuplex);
    assertWords(e->caps.adfFront->colorEntries, {"BlackAndWhite1"});
    ck_assert_int_eq(e->caps.adfFront->minSize.height, 6000);
}
END_TEST

START_TEST(corrects_sizes)
{
    auto platen = [](const std::string &sizes) {
        std::string body = "<wscn:GetScannerElementsResponse><wscn:ScannerElements><wscn:ElementData Name='wscn:ScannerConfiguration' "
                           "Valid='true'><wscn:ScannerConfiguration><wscn:Platen>" +
                           sizes + "</wscn:Platen></wscn:ScannerConfiguration></wscn:ElementData></wscn:ScannerElements>"
                                   "</wscn:GetScannerElementsResponse>";
        auto e = parseElements(envelope(ScanNs, body));
        ck_assert(e && e->caps.platen);
        return *e->caps.platen;
    };
    auto size = [](const char *which, int w, int h) {
        return std::string("<wscn:Platen") + which + "Size><wscn:Width>" + std::to_string(w) + "</wscn:Width><wscn:Height>" +
               std::to_string(h) + "</wscn:Height></wscn:Platen" + which + "Size>";
    };
    // A landscape maximum is read as the portrait area it stands for.
    wsd::SourceCaps c = platen(size("Minimum", 100, 100) + size("Maximum", 11693, 8268));
    ck_assert_int_eq(c.maxSize.width, 8268);
    ck_assert_int_eq(c.maxSize.height, 11693);
    ck_assert(c.maxTransposed && !c.minTransposed);
    // Width and Height swapped in the maximum only.
    c = platen(size("Minimum", 4000, 9000) + size("Maximum", 11000, 8500));
    ck_assert_int_eq(c.maxSize.width, 8500);
    ck_assert_int_eq(c.maxSize.height, 11000);
    ck_assert_int_eq(c.minSize.width, 4000);
    // Minimum and maximum exchanged.
    c = platen(size("Minimum", 8500, 11693) + size("Maximum", 200, 200));
    ck_assert_int_eq(c.minSize.width, 200);
    ck_assert_int_eq(c.maxSize.height, 11693);
    // Nonsense values (zero, negative) are ignored: the defaults apply.
    c = platen(size("Minimum", 0, -5) + size("Maximum", -1, 0));
    ck_assert_int_eq(c.minSize.width, 1);
    ck_assert_int_eq(c.maxSize.width, 8500);
    ck_assert_int_eq(c.maxSize.height, 11693);
    // Nothing at all: resolutions and colours get defaults too.
    c = platen("");
    assertInts(c.xResolutions, {300});
    assertWords(c.colorEntries, {"RGB24"});
}
END_TEST

// Modelled on a Kyocera ECOSYS answer: a Legal-long document area (216 x
// 356 mm) on the platen and the feeder, both sent landscape, the platen's
// minimum landscape too; and a film unit, which is landscape for real.
const char *const LandscapeSizes =
    "<wscn:GetScannerElementsResponse><wscn:ScannerElements>"
    "<wscn:ElementData Name='wscn:ScannerConfiguration' Valid='true'><wscn:ScannerConfiguration>"
    "<wscn:DeviceSettings><wscn:FormatsSupported><wscn:FormatValue>jfif</wscn:FormatValue>"
    "</wscn:FormatsSupported></wscn:DeviceSettings>"
    "<wscn:Platen><wscn:PlatenOpticalResolution><wscn:Width>600</wscn:Width><wscn:Height>600</wscn:Height>"
    "</wscn:PlatenOpticalResolution><wscn:PlatenResolutions><wscn:Widths><wscn:Width>300</wscn:Width>"
    "</wscn:Widths><wscn:Heights><wscn:Height>300</wscn:Height></wscn:Heights></wscn:PlatenResolutions>"
    "<wscn:PlatenColor><wscn:ColorEntry>RGB24</wscn:ColorEntry></wscn:PlatenColor>"
    "<wscn:PlatenMinimumSize><wscn:Width>1000</wscn:Width><wscn:Height>500</wscn:Height></wscn:PlatenMinimumSize>"
    "<wscn:PlatenMaximumSize><wscn:Width>14000</wscn:Width><wscn:Height>8500</wscn:Height></wscn:PlatenMaximumSize>"
    "</wscn:Platen><wscn:ADF><wscn:ADFSupportsDuplex>false</wscn:ADFSupportsDuplex><wscn:ADFFront>"
    "<wscn:ADFResolutions><wscn:Widths><wscn:Width>300</wscn:Width></wscn:Widths><wscn:Heights>"
    "<wscn:Height>300</wscn:Height></wscn:Heights></wscn:ADFResolutions>"
    "<wscn:ADFColor><wscn:ColorEntry>RGB24</wscn:ColorEntry></wscn:ADFColor>"
    "<wscn:ADFMinimumSize><wscn:Width>2000</wscn:Width><wscn:Height>2000</wscn:Height></wscn:ADFMinimumSize>"
    "<wscn:ADFMaximumSize><wscn:Width>14000</wscn:Width><wscn:Height>8500</wscn:Height></wscn:ADFMaximumSize>"
    "</wscn:ADFFront></wscn:ADF>"
    "<wscn:Film><wscn:FilmMaximumSize><wscn:Width>9000</wscn:Width><wscn:Height>1400</wscn:Height>"
    "</wscn:FilmMaximumSize></wscn:Film></wscn:ScannerConfiguration></wscn:ElementData>"
    "</wscn:ScannerElements></wscn:GetScannerElementsResponse>";

START_TEST(landscape_maximum_is_transposed)
{
    std::string error;
    auto e = parseElements(envelope(ScanNs, LandscapeSizes), &error);
    ck_assert_msg(e.has_value(), "%s", error.c_str());
    const wsd::SourceCaps &platen = *e->caps.platen;
    ck_assert_int_eq(platen.maxSize.width, 8500);
    ck_assert_int_eq(platen.maxSize.height, 14000);
    ck_assert_int_eq(platen.minSize.width, 500);  // landscape too: turned with the maximum
    ck_assert_int_eq(platen.minSize.height, 1000);
    const wsd::SourceCaps &adf = *e->caps.adfFront;
    ck_assert_int_eq(adf.maxSize.width, 8500);
    ck_assert_int_eq(adf.maxSize.height, 14000);
    ck_assert(adf.maxTransposed && !adf.minTransposed);  // a square minimum stays
    ck_assert(!e->caps.adfDuplex);  // no ADFBack: simplex
    // A film strip holder really is wider than long.
    ck_assert_int_eq(e->caps.film->maxSize.width, 9000);
    ck_assert(!e->caps.film->maxTransposed);

    // The quirk landscape-max-size: the sizes as the device sent them.
    wsd::trustLandscapeSizes(e->caps);
    ck_assert_int_eq(e->caps.platen->maxSize.width, 14000);
    ck_assert_int_eq(e->caps.platen->maxSize.height, 8500);
    ck_assert_int_eq(e->caps.platen->minSize.width, 1000);
    ck_assert_int_eq(e->caps.adfFront->maxSize.width, 14000);
    ck_assert_int_eq(e->caps.adfFront->minSize.width, 2000);
    // A minimum the portrait reading had to shrink stays within the maximum as sent.
    wsd::ScannerCapabilities odd;
    odd.platen = wsd::SourceCaps{};
    odd.platen->minSize = {8500, 9000};
    odd.platen->maxSize = {8500, 14000};
    odd.platen->maxTransposed = true;
    wsd::trustLandscapeSizes(odd);
    ck_assert_int_eq(odd.platen->maxSize.height, 8500);
    ck_assert_int_eq(odd.platen->minSize.height, 8500);
    // Twice is harmless: nothing is left marked transposed.
    wsd::trustLandscapeSizes(e->caps);
    ck_assert_int_eq(e->caps.platen->maxSize.width, 14000);
}
END_TEST

// Modelled on the Brother MFC-9340CDW / MFC-9370CDW (sane-airscan#346): a
// single-pass two-sided feeder that says ADFSupportsDuplex false (it has no
// duplexer) and still describes ADFBack.
START_TEST(adf_back_means_duplex)
{
    auto feeder = [](const char *supportsDuplex, bool back) {
        std::string side = "<wscn:ADFResolutions><wscn:Widths><wscn:Width>300</wscn:Width></wscn:Widths>"
                           "<wscn:Heights><wscn:Height>300</wscn:Height></wscn:Heights></wscn:ADFResolutions>"
                           "<wscn:ADFColor><wscn:ColorEntry>RGB24</wscn:ColorEntry></wscn:ADFColor>"
                           "<wscn:ADFMaximumSize><wscn:Width>8500</wscn:Width><wscn:Height>14000</wscn:Height>"
                           "</wscn:ADFMaximumSize>";
        std::string body = std::string("<wscn:GetScannerElementsResponse><wscn:ScannerElements>"
                                       "<wscn:ElementData Name='wscn:ScannerConfiguration' Valid='true'>"
                                       "<wscn:ScannerConfiguration><wscn:ADF><wscn:ADFSupportsDuplex>") +
                           supportsDuplex + "</wscn:ADFSupportsDuplex><wscn:ADFFront>" + side + "</wscn:ADFFront>" +
                           (back ? "<wscn:ADFBack>" + side + "</wscn:ADFBack>" : "") +
                           "</wscn:ADF></wscn:ScannerConfiguration></wscn:ElementData>"
                           "</wscn:ScannerElements></wscn:GetScannerElementsResponse>";
        auto e = parseElements(envelope(ScanNs, body));
        ck_assert(e && e->caps.adfFront);
        return e->caps;
    };
    wsd::ScannerCapabilities c = feeder("false", true);
    ck_assert(c.adfDuplex && c.adfBack);
    c = feeder("0", true);
    ck_assert(c.adfDuplex);
    c = feeder("false", false);
    ck_assert(!c.adfDuplex);
    c = feeder("true", false);  // a duplexer without a separate back description
    ck_assert(c.adfDuplex && !c.adfBack);
}
END_TEST

START_TEST(parses_brother_fragments)
{
    // The Brother MFC-L2720DW fragments are bare elements with an undeclared
    // wscn prefix: they are wrapped here in a minimal envelope that declares
    // the prefix and puts them where the device sends them.
    std::string platen = readDeviceCapture("brother-mfc-l2720dw/GetScannerElementsResponse-fragment-PlatenColor-truncated.xml");
    std::string adf = readDeviceCapture("brother-mfc-l2720dw/GetScannerElementsResponse-fragment-ADFColor-truncated.xml");
    std::string body =
        "<wscn:GetScannerElementsResponse><wscn:ScannerElements>"
        "<wscn:ElementData Name='wscn:ScannerConfiguration' Valid='true'><wscn:ScannerConfiguration>"
        "<wscn:Platen>" + platen + "</wscn:Platen><wscn:ADF><wscn:ADFFront>" + adf +
        "</wscn:ADFFront></wscn:ADF></wscn:ScannerConfiguration></wscn:ElementData>"
        "</wscn:ScannerElements></wscn:GetScannerElementsResponse>";
    std::string error;
    auto e = parseElements(envelope(ScanNs, body), &error);
    ck_assert_msg(e.has_value(), "%s", error.c_str());
    ck_assert(e->caps.platen && e->caps.adfFront);
    // The device offers colour only (SOURCES.md).
    assertWords(e->caps.platen->colorEntries, {"RGB24"});
    assertWords(e->caps.adfFront->colorEntries, {"RGB24"});
    ck_assert(!e->caps.adfDuplex);
}
END_TEST

START_TEST(rejects_hp_soap_protocol)
{
    // HP's own SOAP scan protocol binds wscn to http://tempuri.org/wscn.xsd;
    // it must not be taken for WS-Scan. The capture is truncated, so it is
    // cut after its first complete element and closed before parsing.
    std::string text = readDeviceCapture("hp-laserjet-m2727dnf/NOT-WS-Scan-HP-SOAP-ScanElements-truncated.xml");
    std::size_t cut = text.find("</FormatSupported>");
    ck_assert(cut != std::string::npos);
    text = text.substr(0, cut + std::string("</FormatSupported>").size()) +
           "</DeviceSettings></ScannerConfiguration></wscn:ScanElements></SOAP-ENV:Body></SOAP-ENV:Envelope>";
    std::string error;
    auto e = parseElements(text, &error);
    ck_assert(!e.has_value());
    ck_assert_msg(error.find("http://tempuri.org/wscn.xsd") != std::string::npos, "%s", error.c_str());
}
END_TEST

START_TEST(parses_ricoh_fault)
{
    // The Ricoh MP C3003 fault was published without its envelope and ends
    // in "</SOAP": it is closed after the last complete element and wrapped
    // in an envelope that declares SOAP-ENV and wscn.
    std::string fault = readDeviceCapture("ricoh-mp-c3003/CreateScanJob-Fault-OperationFailed-truncated.xml");
    const std::string lastText = "</SOAP-ENV:Text>";
    std::size_t cut = fault.rfind(lastText);
    ck_assert(cut != std::string::npos);
    fault = fault.substr(0, cut + lastText.size()) + "</SOAP-ENV:Reason></SOAP-ENV:Fault>";
    std::string text = "<SOAP-ENV:Envelope xmlns:SOAP-ENV='http://www.w3.org/2003/05/soap-envelope' " +
                       std::string(ScanNs) + "><SOAP-ENV:Body>" + fault + "</SOAP-ENV:Body></SOAP-ENV:Envelope>";
    auto m = wsd::soap::parse(text);
    ck_assert(m && m->fault);
    ck_assert_str_eq(m->fault->code.c_str(), "Receiver");
    ck_assert_str_eq(m->fault->subcode.c_str(), "OperationFailed");
    ck_assert_str_eq(m->fault->reason.c_str(), "Service cannot perform the requested operation");
    std::string error;
    ck_assert(!wsd::parseScannerElements(*m, &error));
    ck_assert_msg(error.find("OperationFailed") != std::string::npos, "%s", error.c_str());
}
END_TEST

START_TEST(requires_a_configuration)
{
    std::string error;
    const char *onlyInvalid =
        "<wscn:GetScannerElementsResponse><wscn:ScannerElements><wscn:ElementData Name='wscn:ScannerConfiguration' "
        "Valid='false'/></wscn:ScannerElements></wscn:GetScannerElementsResponse>";
    ck_assert(!parseElements(envelope(ScanNs, onlyInvalid), &error));
    ck_assert(error.find("ScannerConfiguration") != std::string::npos);
    const char *noSource =
        "<wscn:GetScannerElementsResponse><wscn:ScannerElements><wscn:ElementData Name='wscn:ScannerConfiguration' "
        "Valid='true'><wscn:ScannerConfiguration><wscn:DeviceSettings/></wscn:ScannerConfiguration></wscn:ElementData>"
        "</wscn:ScannerElements></wscn:GetScannerElementsResponse>";
    ck_assert(!parseElements(envelope(ScanNs, noSource), &error));
    ck_assert(error.find("Platen") != std::string::npos);
}
END_TEST

START_TEST(builds_request_for_all_sections)
{
    std::string text = wsd::buildGetScannerElementsRequest("http://198.18.0.2:5357/scan");
    ck_assert(text.find('\n') == std::string::npos);  // compact
    auto m = wsd::soap::parse(text);
    ck_assert(m.has_value());
    ck_assert_str_eq(m->action.c_str(), "http://schemas.microsoft.com/windows/2006/08/wdp/scan/GetScannerElements");
    ck_assert_str_eq(m->to.c_str(), "http://198.18.0.2:5357/scan");
    ck_assert(m->payload.is(wsd::ns::Scan, "GetScannerElementsRequest"));
    auto names = m->payload.child(wsd::ns::Scan, "RequestedElements").children(wsd::ns::Scan, "Name");
    ck_assert_uint_eq(names.size(), 4);
    const char *want[] = {"ScannerDescription", "ScannerConfiguration", "ScannerStatus", "DefaultScanTicket"};
    for (std::size_t i = 0; i < 4; ++i) {
        wsd::xml::QName q = names[i].resolveQName(names[i].text());
        ck_assert_str_eq(q.ns.c_str(), wsd::ns::Scan);
        ck_assert_str_eq(q.local.c_str(), want[i]);
    }
}
END_TEST

START_TEST(status_only_exchange)
{
    auto m = wsd::soap::parse(wsd::buildGetScannerStatusRequest("http://198.18.0.2:5357/scan"));
    ck_assert(m.has_value());
    auto names = m->payload.child(wsd::ns::Scan, "RequestedElements").children(wsd::ns::Scan, "Name");
    ck_assert_uint_eq(names.size(), 1);
    wsd::xml::QName q = names[0].resolveQName(names[0].text());
    ck_assert_str_eq(q.local.c_str(), "ScannerStatus");

    const char *body =
        "<wscn:GetScannerElementsResponse><wscn:ScannerElements><wscn:ElementData Name='wscn:ScannerStatus' "
        "Valid='true'><wscn:ScannerStatus><wscn:ScannerState>Processing</wscn:ScannerState>"
        "<wscn:ActiveConditions><wscn:DeviceCondition Id='3'><wscn:Name>LampWarming</wscn:Name>"
        "<wscn:Component>Platen</wscn:Component><wscn:Severity>Informational</wscn:Severity>"
        "</wscn:DeviceCondition></wscn:ActiveConditions></wscn:ScannerStatus></wscn:ElementData>"
        "</wscn:ScannerElements></wscn:GetScannerElementsResponse>";
    std::string error;
    auto reply = wsd::soap::parse(envelope(ScanNs, body));
    ck_assert(reply.has_value());
    auto status = wsd::parseScannerStatusResponse(*reply, &error);
    ck_assert_msg(status.has_value(), "%s", error.c_str());
    ck_assert_str_eq(status->state.c_str(), "Processing");
    ck_assert_uint_eq(status->conditions.size(), 1);
    ck_assert_int_eq(status->conditions[0].id, 3);
    ck_assert_str_eq(status->conditions[0].name.c_str(), "LampWarming");
    // The status-only answer is not enough for the full capability parse.
    ck_assert(!wsd::parseScannerElements(*reply, &error));

    const char *invalid =
        "<wscn:GetScannerElementsResponse><wscn:ScannerElements><wscn:ElementData Name='wscn:ScannerStatus' "
        "Valid='false'/></wscn:ScannerElements></wscn:GetScannerElementsResponse>";
    reply = wsd::soap::parse(envelope(ScanNs, invalid));
    ck_assert(!wsd::parseScannerStatusResponse(*reply, &error));
    ck_assert(error.find("ScannerStatus") != std::string::npos);
}
END_TEST

Suite *capabilitiesSuite()
{
    Suite *s = suite_create("capabilities");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, parses_duplex_mfp);
    tcase_add_test(tc, accepts_odd_prefixes_order_and_booleans);
    tcase_add_test(tc, accepts_prerelease_namespace);
    tcase_add_test(tc, corrects_sizes);
    tcase_add_test(tc, landscape_maximum_is_transposed);
    tcase_add_test(tc, adf_back_means_duplex);
    tcase_add_test(tc, parses_brother_fragments);
    tcase_add_test(tc, rejects_hp_soap_protocol);
    tcase_add_test(tc, parses_ricoh_fault);
    tcase_add_test(tc, requires_a_configuration);
    tcase_add_test(tc, builds_request_for_all_sections);
    tcase_add_test(tc, status_only_exchange);
    suite_add_tcase(s, tc);
    return s;
}
