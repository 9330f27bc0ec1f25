// The refusal table: ScannerStatus words and NotAcceptingJobs -> SANE
// status and message; the settings a refused ticket names.
#include "suites.h"

#include "wsd/job_refusal.h"

#include <string>

namespace {

wsd::ScannerStatusInfo statusOf(const char *state, std::vector<std::string> reasons,
                                std::vector<std::string> conditions = {})
{
    wsd::ScannerStatusInfo s;
    s.state = state;
    s.reasons = std::move(reasons);
    for (std::string &c : conditions)
        s.conditions.push_back(wsd::DeviceCondition{1, std::move(c), "Platen", "Warning"});
    return s;
}

void assertNames(const std::vector<std::string> &names, const char *expected)
{
    const std::string joined = wsd::joinSettingNames(names);
    ck_assert_msg(joined == expected, "'%s', not '%s'", joined.c_str(), expected);
}

bool mentions(const std::string &message, const char *word) { return message.find(word) != std::string::npos; }

// A colour JPEG ticket at dpi for a width x height region (1/1000 inch).
wsd::ScanSettings colourTicket(int dpi, int width, int height)
{
    wsd::ScanSettings t;
    t.format = "jfif";
    t.colorEntry = "RGB24";
    t.xResolution = t.yResolution = dpi;
    t.width = width;
    t.height = height;
    return t;
}

}  // namespace

START_TEST(maps_every_scanner_state_reason)
{
    struct Row {
        const char *word;
        SANE_Status status;
        bool warming;
        const char *says;
    };
    const Row rows[] = {
        {"MediaJam", SANE_STATUS_JAMMED, false, "jammed"},
        {"MultipleFeedError", SANE_STATUS_JAMMED, false, "several sheets"},
        {"CoverOpen", SANE_STATUS_COVER_OPEN, false, "cover"},
        {"InterlockOpen", SANE_STATUS_COVER_OPEN, false, "interlock"},
        {"InputTrayEmpty", SANE_STATUS_NO_DOCS, false, "feeder is empty"},
        {"LampError", SANE_STATUS_IO_ERROR, false, "lamp failure"},
        {"InternalStorageFull", SANE_STATUS_NO_MEM, false, "storage is full"},
        {"AttentionRequired", SANE_STATUS_DEVICE_BUSY, false, "attention"},
        {"Paused", SANE_STATUS_DEVICE_BUSY, false, "paused"},
        {"Calibrating", SANE_STATUS_DEVICE_BUSY, true, "calibrating"},
        {"LampWarming", SANE_STATUS_DEVICE_BUSY, true, "warming up"},
        {"LampWarning", SANE_STATUS_DEVICE_BUSY, true, "warming up"},  // the XSD's spelling
    };
    for (const Row &r : rows) {
        std::optional<wsd::Refusal> meaning = wsd::meaningOfStatusWord(r.word, true);
        ck_assert_msg(meaning.has_value(), "%s", r.word);
        ck_assert_int_eq(meaning->status, r.status);
        ck_assert_int_eq(meaning->warmingUp, r.warming);
        ck_assert_msg(mentions(meaning->message, r.says), "%s: %s", r.word, meaning->message.c_str());
    }
    // Case differences are ignored; an empty tray does not stop the platen;
    // a vendor's own word is not guessed at.
    ck_assert_int_eq(wsd::meaningOfStatusWord("lamperror", false)->status, SANE_STATUS_IO_ERROR);
    ck_assert(!wsd::meaningOfStatusWord("InputTrayEmpty", false));
    ck_assert(!wsd::meaningOfStatusWord("TonerLow", true));
    ck_assert(!wsd::meaningOfStatusWord("None", true));
}
END_TEST

START_TEST(most_pressing_word_wins)
{
    // A jam outranks a warm-up, whether it comes as a reason or a condition.
    auto jamWhileWarming = statusOf("Stopped", {"Calibrating"}, {"MediaJam"});
    ck_assert_int_eq(wsd::refusalFromStatus(jamWhileWarming, "Platen")->status, SANE_STATUS_JAMMED);
    auto warming = statusOf("Processing", {"LampWarming"});
    ck_assert(wsd::refusalFromStatus(warming, "Platen")->warmingUp);
    ck_assert(!wsd::refusalFromStatus(statusOf("Idle", {}), "ADF"));
}
END_TEST

// The check before a scan reads the same table, for the source asked: a
// condition on another component does not stop it, Processing is busy.
START_TEST(checks_status_before_scan)
{
    auto statusBefore = [](const wsd::ScannerStatusInfo &s, const char *source) {
        std::optional<wsd::Refusal> r = wsd::refusalBeforeScan(s, source);
        return r ? r->status : SANE_STATUS_GOOD;
    };
    auto warmingBefore = [](const wsd::ScannerStatusInfo &s) {
        std::optional<wsd::Refusal> r = wsd::refusalBeforeScan(s, "Platen");
        return r && r->warmingUp;
    };
    wsd::ScannerStatusInfo idle{"Idle", {}, {}};
    ck_assert_int_eq(statusBefore(idle, "Platen"), SANE_STATUS_GOOD);

    wsd::ScannerStatusInfo adfJam{"Stopped", {}, {{7, "MediaJam", "ADF", "Critical"}}};
    ck_assert_int_eq(statusBefore(adfJam, "ADF"), SANE_STATUS_JAMMED);
    ck_assert_int_eq(statusBefore(adfJam, "ADFDuplex"), SANE_STATUS_JAMMED);
    ck_assert_int_eq(statusBefore(adfJam, "Platen"), SANE_STATUS_GOOD);  // the platen still works
    wsd::ScannerStatusInfo pathJam{"Stopped", {}, {{8, "MediaJam", "MediaPath", "Critical"}}};
    ck_assert_int_eq(statusBefore(pathJam, "Platen"), SANE_STATUS_GOOD);
    ck_assert_int_eq(statusBefore(pathJam, "ADF"), SANE_STATUS_JAMMED);

    wsd::ScannerStatusInfo jamReason{"Stopped", {"MultipleFeedError"}, {}};
    ck_assert_int_eq(statusBefore(jamReason, "Platen"), SANE_STATUS_JAMMED);

    wsd::ScannerStatusInfo cover{"Stopped", {"CoverOpen"}, {}};
    ck_assert_int_eq(statusBefore(cover, "ADF"), SANE_STATUS_COVER_OPEN);
    wsd::ScannerStatusInfo interlock{"Stopped", {}, {{1, "InterlockOpen", "Platen", "Critical"}}};
    ck_assert_int_eq(statusBefore(interlock, "Platen"), SANE_STATUS_COVER_OPEN);
    ck_assert_int_eq(statusBefore(interlock, "ADF"), SANE_STATUS_GOOD);

    wsd::ScannerStatusInfo empty{"Idle", {}, {{2, "InputTrayEmpty", "ADF", "Informational"}}};
    ck_assert_int_eq(statusBefore(empty, "ADF"), SANE_STATUS_NO_DOCS);
    ck_assert_int_eq(statusBefore(empty, "Platen"), SANE_STATUS_GOOD);
    wsd::ScannerStatusInfo emptyReason{"Idle", {"InputTrayEmpty"}, {}};
    ck_assert_int_eq(statusBefore(emptyReason, "Platen"), SANE_STATUS_GOOD);
    ck_assert_int_eq(statusBefore(emptyReason, "ADFDuplex"), SANE_STATUS_NO_DOCS);

    // The words the old pre-scan check did not know come from the table too.
    wsd::ScannerStatusInfo full{"Stopped", {"InternalStorageFull"}, {}};
    ck_assert_int_eq(statusBefore(full, "Platen"), SANE_STATUS_NO_MEM);

    wsd::ScannerStatusInfo busy{"Processing", {}, {}};
    ck_assert_int_eq(statusBefore(busy, "Platen"), SANE_STATUS_DEVICE_BUSY);
    ck_assert(!warmingBefore(busy));
    wsd::ScannerStatusInfo warming{"Idle", {"LampWarming"}, {}};
    ck_assert_int_eq(statusBefore(warming, "Platen"), SANE_STATUS_DEVICE_BUSY);
    ck_assert(warmingBefore(warming));
    wsd::ScannerStatusInfo xsdSpelling{"Idle", {}, {{3, "LampWarning", "Platen", "Informational"}}};
    ck_assert(warmingBefore(xsdSpelling));
    wsd::ScannerStatusInfo calibrating{"Idle", {"Calibrating"}, {}};
    ck_assert(warmingBefore(calibrating));

    // A jam outranks everything else.
    wsd::ScannerStatusInfo both{"Processing", {"CoverOpen", "LampWarming"}, {{9, "MediaJam", "", "Critical"}}};
    ck_assert_int_eq(statusBefore(both, "Platen"), SANE_STATUS_JAMMED);
}
END_TEST

START_TEST(explains_not_accepting_jobs)
{
    // Kyocera in WSD mode: idle, nothing reported, the platen selected.
    auto idle = statusOf("Idle", {});
    wsd::Refusal panel = wsd::explainNotAcceptingJobs(&idle, "Platen");
    ck_assert_int_eq(panel.status, SANE_STATUS_DEVICE_BUSY);
    ck_assert(!panel.warmingUp);
    ck_assert_msg(mentions(panel.message, "only scans started at its panel"), "%s", panel.message.c_str());
    // Canon MF410: the same refusal, idle, with the feeder selected.
    wsd::Refusal feeder = wsd::explainNotAcceptingJobs(&idle, "ADF");
    ck_assert_int_eq(feeder.status, SANE_STATUS_NO_DOCS);
    ck_assert_msg(mentions(feeder.message, "feeder"), "%s", feeder.message.c_str());
    // Busy with another job: not the feeder's fault.
    auto processing = statusOf("Processing", {});
    ck_assert_int_eq(wsd::explainNotAcceptingJobs(&processing, "ADF").status, SANE_STATUS_DEVICE_BUSY);
    // Warming up: retried by the caller.
    auto calibrating = statusOf("Processing", {"Calibrating"});
    ck_assert(wsd::explainNotAcceptingJobs(&calibrating, "ADF").warmingUp);
    // A reason the status names decides.
    auto full = statusOf("Stopped", {"InternalStorageFull"});
    ck_assert_int_eq(wsd::explainNotAcceptingJobs(&full, "Platen").status, SANE_STATUS_NO_MEM);
    // Status unknown: busy, with the panel-only hint.
    wsd::Refusal unknown = wsd::explainNotAcceptingJobs(nullptr, "ADF");
    ck_assert_int_eq(unknown.status, SANE_STATUS_DEVICE_BUSY);
    ck_assert(mentions(unknown.message, "panel"));
}
END_TEST

START_TEST(names_objected_settings)
{
    wsd::ScanSettings asked = colourTicket(600, 8500, 11000);
    asked.brightness = 300;
    asked.contrast = 0;
    wsd::ScanSettings same = asked;
    ck_assert(wsd::objectedSettings(asked, same).empty());

    // A ValidScanTicket that leaves values out objects to nothing there,
    // except to the exposure settings it drops.
    wsd::ScanSettings sparse;
    assertNames(wsd::objectedSettings(asked, sparse), "Brightness, Contrast");

    wsd::ScanSettings corrected = asked;
    corrected.xResolution = corrected.yResolution = 300;
    corrected.colorEntry = "Grayscale8";
    corrected.brightness = 0;
    assertNames(wsd::objectedSettings(asked, corrected), "ColorProcessing, Resolution, Brightness");
    corrected = asked;
    corrected.format = "pdf-a";
    corrected.height = 10000;
    assertNames(wsd::objectedSettings(asked, corrected), "Format, ScanRegion");
}
END_TEST

// A region the device clips to its limits or rounds to its grid (each edge
// within 1/50 inch or 1 %) is taken as the device gives it; one it moves
// further is an objection, and a resolution or colour it will not do stays
// one whatever the region.
START_TEST(takes_a_rounded_or_clipped_region)
{
    wsd::ScanSettings asked = colourTicket(300, 8000, 11693);  // A4's 297 mm high
    asked.xOffset = 500;
    wsd::ScanSettings clipped = asked;
    clipped.width = 7995;    // the far edge clipped by 5/1000 inch
    clipped.xOffset = 512;   // the near edge rounded
    clipped.height = 11690;  // rounded to the device's 1/100 inch
    ck_assert(wsd::objectedSettings(asked, clipped).empty());
    wsd::ScanSettings settings = asked;
    ck_assert(wsd::adoptRoundedRegion(settings, clipped));
    ck_assert_int_eq(settings.xOffset, 512);
    ck_assert_int_eq(settings.width, 7995);
    ck_assert_int_eq(settings.height, 11690);
    ck_assert(!wsd::adoptRoundedRegion(settings, clipped));  // nothing left to take

    // Beyond rounding: half a page cut off, or the region shifted by an inch.
    wsd::ScanSettings halved = asked;
    halved.height = 5800;
    assertNames(wsd::objectedSettings(asked, halved), "ScanRegion");
    settings = asked;
    ck_assert(!wsd::adoptRoundedRegion(settings, halved));
    ck_assert_int_eq(settings.height, asked.height);
    wsd::ScanSettings shifted = asked;
    shifted.yOffset = 1000;
    shifted.height = asked.height - 1000;
    assertNames(wsd::objectedSettings(asked, shifted), "ScanRegion");

    // A clipped region does not excuse a resolution or colour the device will not do.
    wsd::ScanSettings lower = clipped;
    lower.xResolution = lower.yResolution = 200;
    assertNames(wsd::objectedSettings(asked, lower), "Resolution");
    wsd::ScanSettings gray = clipped;
    gray.colorEntry = "Grayscale8";
    assertNames(wsd::objectedSettings(asked, gray), "ColorProcessing");

    // A ValidScanTicket without a region leaves it as asked.
    settings = asked;
    ck_assert(!wsd::adoptRoundedRegion(settings, wsd::ScanSettings{}));
    ck_assert_int_eq(settings.width, asked.width);
}
END_TEST

START_TEST(names_settings_in_faults)
{
    wsd::soap::Fault f{"Sender", "ClientErrorInvalidScanTicket", "The ScanTicket is invalid: Brightness is not supported", ""};
    assertNames(wsd::settingsNamedIn(f), "Brightness");
    f.reason = "bad value";
    f.detail = "contrast; resolution";
    assertNames(wsd::settingsNamedIn(f), "Resolution, Contrast");
    f.detail.clear();
    ck_assert(wsd::settingsNamedIn(f).empty());
    // The subcode names the setting, whatever the Reason says.
    assertNames(wsd::settingsNamedIn({"Sender", "ClientErrorFormatNotSupported", "Not supported", "jfif pdf-a"}),
                "Format");
}
END_TEST

Suite *jobRefusalSuite()
{
    Suite *s = suite_create("job_refusal");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, maps_every_scanner_state_reason);
    tcase_add_test(tc, most_pressing_word_wins);
    tcase_add_test(tc, checks_status_before_scan);
    tcase_add_test(tc, explains_not_accepting_jobs);
    tcase_add_test(tc, names_objected_settings);
    tcase_add_test(tc, takes_a_rounded_or_clipped_region);
    tcase_add_test(tc, names_settings_in_faults);
    suite_add_tcase(s, tc);
    return s;
}
