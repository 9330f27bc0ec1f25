// The SANE option table of one device, built from its WS-Scan capabilities:
// well-known option names (saneopts.h), constraints from the selected
// source, and the sane_control_option rules of the SANE standard (INVAL for a
// bad index, action or inactive option; SANE_INFO_INEXACT when a value was
// rounded; reloads when the source changes). Pure: no network.
//
// Longer than ~250 lines on purpose: most of it is the table itself, one row
// per option (descriptor, getter, setter, source-dependent constraint) in
// options.cpp, and splitting the rows from the values they read and write
// would spread one option over several places. The per-source constraints
// (option_constraints.cpp) and the settings the values ask for
// (option_settings.cpp) are apart.
#pragma once

#include "wsd/capabilities.h"
#include "wsd/option_constraints.h"
#include "wsd/scan_modes.h"
#include "wsd/scan_settings.h"

#include <sane/sane.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wsd {

class ScanOptions {
public:
    explicit ScanOptions(const ScannerElements &elements);
    ScanOptions(const ScanOptions &) = delete;  // descriptors point into this object
    ScanOptions &operator=(const ScanOptions &) = delete;

    SANE_Int count() const { return static_cast<SANE_Int>(rows_.size()); }
    // nullptr for an index out of range. The pointer stays valid for the
    // lifetime of this object; its constraint changes after
    // SANE_INFO_RELOAD_OPTIONS.
    const SANE_Option_Descriptor *descriptor(SANE_Int option) const;
    SANE_Status control(SANE_Int option, SANE_Action action, void *value, SANE_Int *info);

    // What sane_start sends (job and user names are left to the caller).
    ScanSettings settings() const;
    // The formats worth trying for the current mode, best first: the
    // user's choice when it suits the mode, then what "auto" prefers among
    // the device's formats. settings().format is the first; the others are
    // fallbacks when the device refuses it (ClientErrorFormatNotSupported, or
    // a ValidateScanTicket answer without a usable format).
    std::vector<std::string> formatChoices() const;
    // Set when the current mode is lineart the backend makes itself from a
    // gray scan (the device has no BlackAndWhite1 for the source, or no
    // format we decode that carries it): the threshold in percent.
    std::optional<int> localThreshold() const;
    // The device's formats the backend decodes; sane_open refuses a device
    // with none (a ticket always names its Format).
    static std::vector<std::string> decodableFormats(const ScannerCapabilities &caps);

    // The frame the settings should give, computed as the device does
    // (pixels = extent in 1/1000 inch * dpi / 1000).
    SANE_Parameters parameters() const;
    // Refreshes the read-only status options (scanner state, sensors).
    void updateStatus(const ScannerStatusInfo &status);

    // Adds the panel's sensor options (a group, `scan`, `panel-source`) as
    // button daemons such as scanbd poll them; button() is called on each
    // read of `scan` (and clears the press it reports), source() gives the
    // pending press's WS-Scan InputSource. Call before any descriptor is
    // handed out: the table grows.
    void addPanelOptions(std::function<bool()> button, std::function<std::string()> source);

    // Index of an option by name, -1 if this device has no such option
    // (for tests and for the entry points' logging).
    SANE_Int find(const std::string &name) const;

private:
    static constexpr const char *CompressionAuto = "auto";
    // scanner-state holds a ScannerState word; longer text is cut.
    static constexpr SANE_Int StateSize = 64;
    static constexpr SANE_Word DefaultThreshold = 50;
    // A single-image format the backend decodes.
    static bool formatDecodable(const std::string &format);
    // The mode the ticket asks for: the selected one, or gray (colour where
    // the source has no gray) when lineart is made locally.
    ColorMode ticketMode() const;
    bool thresholdsLocally() const;
    // The threshold option is active only while lineart is made locally.
    void updateThresholdActivity();

    // One option: its descriptor and what reading, writing and the source
    // selection do to it. Groups have only the descriptor.
    struct Row {
        SANE_Option_Descriptor descriptor;
        std::function<void(void *value)> get;
        // Empty for read-only options. Sets *info as sane_control_option does.
        std::function<SANE_Status(void *value, SANE_Int *info)> set;
        // Empty without SANE_CAP_AUTOMATIC.
        std::function<void()> setAuto;
        // Points the descriptor's constraint (or its INACTIVE flag) at what
        // the selected source allows; empty when the source changes nothing.
        std::function<void(SANE_Option_Descriptor &, const SourceConstraints &)> followSource;
    };

    void buildTable(const ScannerElements &elements);
    void addModeOptions();
    void addContentTypeOption(const ScannerElements &elements);
    void addGeometryOptions();
    void addEnhancementOptions(const ScannerCapabilities &caps);
    void addStatusOptions(const ScannerCapabilities &caps);
    void applyDefaults(const ScannerElements &elements);
    // Points the constraints at the selected source and re-clamps the
    // values to it (a full-area selection stays the full area).
    void selectSource(std::size_t index);
    SANE_Status setSource(const char *name, SANE_Int *info);
    void setFullArea();
    bool clampGeometry();
    bool isFullArea() const;
    const SourceConstraints &source() const { return sources_[source_]; }

    std::vector<Row> rows_;
    std::vector<SourceConstraints> sources_;
    std::vector<SANE_String_Const> sourceNames_;       // NULL-terminated
    std::vector<std::string> formats_;                 // decodable device formats
    std::vector<SANE_String_Const> compressionNames_;  // "auto" + formats_, NULL-terminated
    std::vector<std::string> contentTypes_;            // ContentTypesSupported, as listed
    std::vector<SANE_String_Const> contentTypeNames_;  // contentTypes_, NULL-terminated
    SANE_Range brightnessRange_{-100, 100, 1};
    SANE_Range contrastRange_{-100, 100, 1};
    SANE_Range thresholdRange_{0, 100, 1};
    std::size_t thresholdRow_ = 0;

    // Current values.
    std::size_t source_ = 0;
    ColorMode mode_ = ColorMode::Color;
    SANE_Word resolution_ = 0;
    std::string compression_;  // "auto" or a format keyword
    std::string contentType_;  // a ContentTypeValue of the device; empty when it lists none
    SANE_Fixed tlx_ = 0, tly_ = 0, brx_ = 0, bry_ = 0;
    SANE_Word brightness_ = 0, contrast_ = 0;
    bool brightnessSet_ = false, contrastSet_ = false;
    SANE_Word threshold_ = DefaultThreshold;
    std::string scannerState_;
    bool pageLoaded_ = true, coverOpen_ = false;
};

}  // namespace wsd
