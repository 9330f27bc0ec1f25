// A WS-Scan ScanTicket as the simulator keeps it: every value with whether
// the client gave it, asked the device to honour it, and whether the device
// changed it. Read from requests, written back as DocumentFinalParameters,
// ValidScanTicket or a job's ScanTicket.
#pragma once

#include <string>

#include "page_spec.h"
#include "wsd/xml.h"

namespace wsdsim {

template <typename T>
struct Setting {
    T value{};
    bool given = false;       // present in the ticket (else the device default applies: UsedDefault)
    bool mustHonor = false;   // wscn:MustHonor="true"
    bool overridden = false;  // the device replaced the requested value (Override)

    void set(T v)
    {
        value = v;
        given = true;
    }
};

struct SideTicket {
    Setting<int> xOffset, yOffset, width, height;  // ScanRegion, 1/1000 inch
    Setting<std::string> color;                     // ColorProcessing
    Setting<int> xResolution, yResolution;          // Resolution Width/Height
};

struct ScanTicket {
    std::string jobName, userName, jobInformation;
    Setting<std::string> format;
    Setting<int> quality;            // CompressionQualityFactor
    Setting<int> imagesToTransfer;
    Setting<std::string> inputSource;
    Setting<std::string> contentType;
    Setting<int> mediaWidth, mediaHeight;  // InputSize/InputMediaSize
    Setting<int> contrast, brightness, sharpness;
    Setting<int> scalingWidth, scalingHeight;
    Setting<int> rotation;
    SideTicket front, back;
    bool backGiven = false;
};

// Reads a wscn:ScanTicket (or DefaultScanTicket) element. Elements are found
// by namespace, booleans accept 0/1. False with *error for a value that is not
// a number where one is needed, or a required element that is missing.
bool parseScanTicket(wsd::xml::Node ticketNode, ScanTicket &out, std::string *error);

enum class TicketStyle {
    Request,         // plain values (ValidScanTicket, a job's ScanTicket)
    FinalParameters  // DocumentFinalParameters: every child, Override/UsedDefault marked
};
// Writes <wscn:ScanTicket> (JobDescription + DocumentParameters).
void writeScanTicket(wsd::xml::Writer &w, const ScanTicket &t);
// Writes <wscn:elementName> holding the DocumentParameters children.
void writeDocumentParameters(wsd::xml::Writer &w, const char *elementName, const ScanTicket &t, TicketStyle style);

// Whether ticket's side is the back of a duplex sheet matters for the region
// and colour used; sheet numbers start at 1.
PageSpec pageSpecFor(const ScanTicket &t, int sheet, bool back);

// <wscn:ImageInformation> with the geometry the encoder will produce.
void writeImageInformation(wsd::xml::Writer &w, const ScanTicket &t);

}  // namespace wsdsim
