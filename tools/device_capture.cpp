#include "device_capture.h"

#include "config.h"
#include "wsd/capture_mask.h"
#include "wsd/device_locator.h"
#include "wsd/discovery_message.h"
#include "wsd/scan_modes.h"
#include "wsd/wsscan_client.h"
#include "wsd/xml.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

namespace {

// The matrix stays a few minutes at worst on a slow device: each request
// has the usual timeouts, and all of them share one deadline.
constexpr std::size_t maxTicketRequests = 200;
constexpr std::chrono::seconds matrixDeadline{180};

// Standard WS-Scan FormatValue keywords a device may accept without
// listing them; two of them not listed are tried to see whether it does.
const char *const unlistedFormatCandidates[] = {"jfif", "png", "tiff-single-uncompressed", "pdf-a", "dib"};
const int unlistedResolutionCandidates[] = {150, 200, 300, 600, 75, 100};

// An Operation whose answer is the whole envelope as text: the capture
// keeps what the device said, and decodes it with the operation's parser.
std::optional<std::string> wholeEnvelope(const wsd::soap::Message &message, std::string *error)
{
    std::string text = wsd::xml::serialize(message.doc.root());
    if (text.empty() && error)
        *error = "cannot serialise the answer";
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

template <typename T>
wsd::wsscan::Operation<std::string> asEnvelope(const wsd::wsscan::Operation<T> &operation)
{
    return {operation.name, operation.url, operation.body, wholeEnvelope};
}

template <typename T>
std::optional<T> decode(const std::string &envelope, std::optional<T> (*parse)(const wsd::soap::Message &, std::string *))
{
    std::optional<wsd::soap::Message> message = wsd::soap::parse(envelope);
    return message ? parse(*message, nullptr) : std::nullopt;
}

struct FileCloser {
    void operator()(FILE *f) const { std::fclose(f); }
};

bool writeFile(const std::string &path, const std::string &text)
{
    std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "wx"));  // never overwrites
    bool ok = file && std::fwrite(text.data(), 1, text.size(), file.get()) == text.size();
    ok = file && std::fclose(file.release()) == 0 && ok;
    if (!ok)
        std::fprintf(stderr, "wsd-discover: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
    return ok;
}

}  // namespace

bool prepareCaptureDirectory(const std::string &dir)
{
    if (mkdir(dir.c_str(), 0700) == 0)
        return true;
    if (errno != EEXIST) {
        std::fprintf(stderr, "wsd-discover: cannot create %s: %s\n", dir.c_str(), std::strerror(errno));
        return false;
    }
    std::unique_ptr<DIR, int (*)(DIR *)> listing(opendir(dir.c_str()), closedir);
    if (!listing) {
        std::fprintf(stderr, "wsd-discover: %s: %s\n", dir.c_str(), std::strerror(errno));
        return false;
    }
    for (dirent *entry; (entry = readdir(listing.get()));)
        if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
            std::fprintf(stderr, "wsd-discover: %s is not empty; give a new or empty directory\n", dir.c_str());
            return false;
        }
    return chmod(dir.c_str(), 0700) == 0;
}

namespace {

struct SourceUnderTest {
    const char *keyword;
    const wsd::SourceCaps &caps;
};

std::vector<SourceUnderTest> sourcesOf(const wsd::ScannerCapabilities &caps)
{
    std::vector<SourceUnderTest> sources;
    if (caps.platen)
        sources.push_back({keyword(wsd::InputSource::Platen), *caps.platen});
    if (caps.adfFront)
        sources.push_back({keyword(wsd::InputSource::Adf), *caps.adfFront});
    if (caps.adfFront && caps.adfDuplex)
        sources.push_back({keyword(wsd::InputSource::AdfDuplex), *caps.adfFront});
    if (caps.film)
        sources.push_back({keyword(wsd::InputSource::Film), *caps.film});
    return sources;
}

// The listed formats, then two standard ones the device does not list.
std::vector<std::pair<std::string, bool>> formatsToTry(const std::vector<std::string> &listed)
{
    std::vector<std::pair<std::string, bool>> formats;
    for (const std::string &f : listed)
        formats.emplace_back(f, true);
    std::size_t unlisted = 0;
    for (const char *f : unlistedFormatCandidates)
        if (unlisted < 2 && std::find(listed.begin(), listed.end(), f) == listed.end()) {
            formats.emplace_back(f, false);
            ++unlisted;
        }
    return formats;
}

// The lowest, a middle and the highest listed resolution, and one not listed.
std::vector<std::pair<int, bool>> resolutionsToTry(const std::vector<int> &listed)
{
    std::vector<std::pair<int, bool>> resolutions;
    if (!listed.empty())
        for (int r : {listed.front(), listed[listed.size() / 2], listed.back()})
            if (std::none_of(resolutions.begin(), resolutions.end(), [r](auto &p) { return p.first == r; }))
                resolutions.emplace_back(r, true);
    for (int r : unlistedResolutionCandidates)
        if (std::find(listed.begin(), listed.end(), r) == listed.end()) {
            resolutions.emplace_back(r, false);
            break;
        }
    return resolutions;
}

std::string answerOf(const wsd::wsscan::Result<wsd::TicketValidation> &result)
{
    if (result)
        return result.value->valid ? "valid" : "invalid";
    switch (result.failure) {
    case wsd::wsscan::Failure::Fault:
        return "fault:" + (result.fault && !result.fault->subcode.empty() ? result.fault->subcode
                           : result.fault                                ? result.fault->code
                                                                         : std::string("?"));
    case wsd::wsscan::Failure::NoAnswer:
        return "no-answer";
    default:
        return "unreadable";
    }
}

struct Matrix {
    std::string tsv = "# source\tcolour\tformat\tresolution\tadvertised\tanswer\n";
    std::size_t requests = 0;
    bool cut = false;  // the request cap or the deadline stopped it
};

// One ticket: what it asks and whether the device lists every value of it.
struct TicketUnderTest {
    std::string format;
    int resolution;
    bool advertised;
};

// For one source and colour entry: every format to try at a listed
// resolution, then every resolution to try with the first listed format;
// the full product would be mostly repetition and too many requests.
std::vector<TicketUnderTest> ticketsFor(const wsd::ScannerCapabilities &caps, const wsd::SourceCaps &source)
{
    std::vector<std::pair<int, bool>> resolutions = resolutionsToTry(source.xResolutions);
    std::vector<std::pair<std::string, bool>> formats = formatsToTry(caps.formats);
    std::size_t listedCount = static_cast<std::size_t>(
        std::count_if(resolutions.begin(), resolutions.end(), [](const auto &r) { return r.second; }));
    const auto &[middle, middleListed] = resolutions[listedCount / 2];
    const auto &[firstFormat, firstListed] = formats.front();
    std::vector<TicketUnderTest> tickets;
    for (const auto &[format, listed] : formats)
        tickets.push_back({format, middle, listed && middleListed});
    for (const auto &[resolution, listed] : resolutions)
        if (resolution != middle)
            tickets.push_back({firstFormat, resolution, listed && firstListed});
    return tickets;
}

Matrix validateMatrix(const wsd::http::Options &options, const std::string &serviceUrl,
                      const wsd::ScannerCapabilities &caps)
{
    Matrix matrix;
    const auto deadline = std::chrono::steady_clock::now() + matrixDeadline;
    wsd::wsscan::Client client(options);
    client.until(deadline);
    for (const SourceUnderTest &source : sourcesOf(caps))
        for (const std::string &colour : source.caps.colorEntries)
            for (const TicketUnderTest &ticket : ticketsFor(caps, source.caps)) {
                if (matrix.requests == maxTicketRequests || std::chrono::steady_clock::now() >= deadline) {
                    matrix.cut = true;
                    return matrix;
                }
                wsd::ScanSettings settings;
                settings.source = source.keyword;
                settings.colorEntry = colour;
                settings.format = ticket.format;
                settings.xResolution = settings.yResolution = ticket.resolution;
                settings.width = source.caps.maxSize.width;
                settings.height = source.caps.maxSize.height;
                ++matrix.requests;
                auto answer = client.call(wsd::wsscan::validateScanTicket(serviceUrl, settings));
                matrix.tsv += std::string(source.keyword) + "\t" + colour + "\t" + ticket.format + "\t" +
                              std::to_string(ticket.resolution) + "\t" + (ticket.advertised ? "yes" : "no") + "\t" +
                              answerOf(answer) + "\n";
            }
    return matrix;
}

std::string utcNow()
{
    char text[32];
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

}  // namespace

int captureDevice(const wsd::Config &config, const wsd::DeviceRecord &record, const std::string &target,
                  const std::string &dir)
{
    wsd::CaptureMasker masker;
    masker.setEndpointUuid(record.endpointUuid);
    // The host named, masked even where it stands alone in a text.
    masker.maskText(wsd::discovery::isHttpUrl(target) ? target : "http://" + target);
    wsd::http::Options options = wsd::httpOptions(config);
    const std::string &url = record.deviceUrls.front();
    wsd::wsscan::Client client(options);
    auto metadataCall = wsd::wsscan::getMetadata(wsd::metadataTo(record, url), url);
    auto metadataAnswer = client.call(asEnvelope(metadataCall));
    if (!metadataAnswer) {
        std::fprintf(stderr, "wsd-discover: %s: no device metadata: %s\n", url.c_str(), metadataAnswer.error.c_str());
        return 1;
    }
    std::optional<wsd::DeviceMetadata> metadata = decode(*metadataAnswer, metadataCall.parse);
    std::vector<std::string> services = metadata ? metadata->scanServiceUrls() : std::vector<std::string>();

    std::string elementsEnvelope, notes;
    Matrix matrix;
    if (services.empty())
        notes += "The metadata names no scan service: no scanner elements, no ticket matrix.\n";
    else {
        auto elementsCall = wsd::wsscan::getScannerElements(services.front());
        auto elementsAnswer = client.call(asEnvelope(elementsCall));
        if (!elementsAnswer)
            notes += "GetScannerElements failed: " + elementsAnswer.error + "\n";
        else {
            elementsEnvelope = *elementsAnswer;
            std::optional<wsd::ScannerElements> elements = decode(elementsEnvelope, elementsCall.parse);
            if (elements)
                matrix = validateMatrix(options, services.front(), elements->caps);
            else
                notes += "The scanner elements could not be decoded: no ticket matrix.\n";
        }
    }

    std::string error;
    std::optional<std::string> maskedMetadata = masker.mask(*metadataAnswer, &error);
    std::optional<std::string> maskedElements =
        elementsEnvelope.empty() ? std::optional<std::string>() : masker.mask(elementsEnvelope, &error);
    bool ok = maskedMetadata && writeFile(dir + "/metadata.xml", *maskedMetadata);
    if (ok && maskedElements)
        ok = writeFile(dir + "/scanner-elements.xml", *maskedElements);
    if (ok && matrix.requests > 0)
        ok = writeFile(dir + "/validate-matrix.tsv", matrix.tsv);

    std::string readme = "Device capture by wsd-discover " PACKAGE_VERSION " (sane-wsd), " + utcNow() + "\n" +
                         "Target: " + masker.maskText(target) + "\n\n" +
                         "Requests sent (read-only; no scan job was created):\n"
                         "  metadata.xml          WS-Transfer Get of the device metadata\n";
    if (maskedElements)
        readme += "  scanner-elements.xml  GetScannerElements of the first scan service\n";
    if (matrix.requests > 0)
        readme += "  validate-matrix.tsv   " + std::to_string(matrix.requests) +
                  " ValidateScanTicket requests: for each source and colour\n"
                  "                        entry, every listed format and two standard ones not listed\n"
                  "                        at a middle listed resolution, then the lowest and highest\n"
                  "                        listed resolutions and one not listed with the first format" +
                  (matrix.cut ? "; cut short by the request cap or the time limit" : "") + "\n";
    readme += "\n" + notes + "The XML files are the answers' envelopes as libxml2 re-serialised them, with these\n"
              "values replaced, each distinct value by the same placeholder in every file:\n";
    for (const std::string &line : masker.summary())
        readme += "  " + line + "\n";
    readme += "Host names that appear in URLs are also replaced where they stand alone.\n";
    ok = ok && writeFile(dir + "/README.txt", readme);
    if (!maskedMetadata)
        std::fprintf(stderr, "wsd-discover: cannot mask the metadata: %s\n", error.c_str());
    if (ok)
        std::printf("capture of %s saved in %s\n", target.c_str(), dir.c_str());
    return ok ? 0 : 1;
}
