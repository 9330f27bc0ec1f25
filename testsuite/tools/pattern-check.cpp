// pattern-check: verifies that an image file (as scanimage writes it, or as
// wsd-sim sends it) shows the simulator's test pattern for the scan that was
// asked for. Integration tests run it on what a client produced.
#include <getopt.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "../sim/image_decoder.h"
#include "../sim/pattern_checker.h"

namespace {

void usage(FILE *out)
{
    std::fputs(
        "Usage: pattern-check [OPTION]... IMAGE\n"
        "Checks that IMAGE (PNM P4/P5/P6 incl. 16-bit, PNG, TIFF, JPEG or BMP) shows the\n"
        "wsd-sim test pattern for the scan described by the options. Exit status 0 if\n"
        "every check passes, 1 if one fails, 2 for bad usage or an unreadable file.\n"
        "\n"
        "  -r, --resolution DPI       resolution asked for, both directions (default 300)\n"
        "      --x-resolution DPI     horizontal resolution\n"
        "      --y-resolution DPI     vertical resolution\n"
        "  -m, --mode MODE            color, gray or lineart (also RGB24, Grayscale8,\n"
        "                             BlackAndWhite1; default color)\n"
        "  -l, --left LENGTH          region offset from the sheet's left edge (default 0)\n"
        "  -t, --top LENGTH           region offset from the sheet's top edge (default 0)\n"
        "  -x, --width LENGTH         region width: the image size is checked against it\n"
        "  -y, --height LENGTH        region height\n"
        "                             LENGTH is millimetres like scanimage's -l/-t/-x/-y,\n"
        "                             or has a unit: 12.7mm, 0.5in, 500mil (1/1000 inch)\n"
        "  -s, --sheet N              expected sheet number (1-based; read modulo 256)\n"
        "      --side front|back      expected side of the sheet\n"
        "      --size-tolerance PX    allowed size difference in pixels (default 1)\n"
        "      --tolerance N          allowed deviation of a bar/step/block mean (default 24)\n"
        "      --pixel-tolerance N    allowed deviation of one pixel (default 48)\n"
        "      --min-match FRACTION   share of pixels that must match (default 0.99)\n"
        "  -h, --help                 show this help\n",
        out);
}

[[noreturn]] void badUsage(const std::string &message)
{
    std::fprintf(stderr, "pattern-check: %s\nTry 'pattern-check --help'.\n", message.c_str());
    std::exit(2);
}

double parseNumber(const std::string &text, const char *what)
{
    char *end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !std::isfinite(v))
        badUsage(std::string("bad ") + what + ": '" + text + "'");
    return v;
}

int parseInt(const std::string &text, const char *what, int min, int max)
{
    char *end = nullptr;
    long v = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || v < min || v > max)
        badUsage(std::string("bad ") + what + ": '" + text + "'");
    return static_cast<int>(v);
}

// A length in 1/1000 inch, from millimetres (bare number) or with a unit.
int parseLength(std::string text)
{
    double factor = 1000 / 25.4;
    auto endsWith = [&text](const char *suffix) {
        std::string s(suffix);
        return text.size() > s.size() && text.compare(text.size() - s.size(), s.size(), s) == 0;
    };
    if (endsWith("mil")) {
        factor = 1;
        text.resize(text.size() - 3);
    } else if (endsWith("mm")) {
        text.resize(text.size() - 2);
    } else if (endsWith("in")) {
        factor = 1000;
        text.resize(text.size() - 2);
    }
    double v = parseNumber(text, "length");
    if (v < 0 || v * factor > 100000)
        badUsage("length out of range: '" + text + "'");
    return static_cast<int>(std::lround(v * factor));
}

}  // namespace

int main(int argc, char **argv)
{
    enum { XRes = 256, YRes, Side, SizeTolerance, PixelTolerance, MinMatch, Tolerance };
    static const option options[] = {
        {"resolution", required_argument, nullptr, 'r'},
        {"x-resolution", required_argument, nullptr, XRes},
        {"y-resolution", required_argument, nullptr, YRes},
        {"mode", required_argument, nullptr, 'm'},
        {"left", required_argument, nullptr, 'l'},
        {"top", required_argument, nullptr, 't'},
        {"width", required_argument, nullptr, 'x'},
        {"height", required_argument, nullptr, 'y'},
        {"sheet", required_argument, nullptr, 's'},
        {"side", required_argument, nullptr, Side},
        {"size-tolerance", required_argument, nullptr, SizeTolerance},
        {"tolerance", required_argument, nullptr, Tolerance},
        {"pixel-tolerance", required_argument, nullptr, PixelTolerance},
        {"min-match", required_argument, nullptr, MinMatch},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    wsdsim::CheckRequest request;
    int opt;
    while ((opt = getopt_long(argc, argv, "r:m:l:t:x:y:s:h", options, nullptr)) != -1) {
        switch (opt) {
        case 'r': request.xResolution = request.yResolution = parseInt(optarg, "resolution", 1, 4800); break;
        case XRes: request.xResolution = parseInt(optarg, "resolution", 1, 4800); break;
        case YRes: request.yResolution = parseInt(optarg, "resolution", 1, 4800); break;
        case 'm': {
            auto kind = wsdsim::parseScanKind(optarg);
            if (!kind)
                badUsage(std::string("unknown mode '") + optarg + "'");
            request.kind = *kind;
            break;
        }
        case 'l': request.xOffset = parseLength(optarg); break;
        case 't': request.yOffset = parseLength(optarg); break;
        case 'x': request.width = parseLength(optarg); break;
        case 'y': request.height = parseLength(optarg); break;
        case 's': request.sheet = parseInt(optarg, "sheet number", 1, 1000000); break;
        case Side:
            if (std::string(optarg) == "front")
                request.back = false;
            else if (std::string(optarg) == "back")
                request.back = true;
            else
                badUsage(std::string("side must be front or back, not '") + optarg + "'");
            break;
        case SizeTolerance: request.sizeTolerance = parseInt(optarg, "size tolerance", 0, 1000); break;
        case Tolerance: request.patchTolerance = parseInt(optarg, "tolerance", 0, 255); break;
        case PixelTolerance: request.pixelTolerance = parseInt(optarg, "pixel tolerance", 0, 255); break;
        case MinMatch:
            request.minPixelMatch = parseNumber(optarg, "fraction");
            if (request.minPixelMatch < 0 || request.minPixelMatch > 1)
                badUsage("--min-match takes a fraction between 0 and 1");
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1)
        badUsage("give exactly one image file");
    const char *path = argv[optind];

    wsdsim::DecodedImage image;
    try {
        image = wsdsim::readImageFile(path);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "pattern-check: %s: %s\n", path, e.what());
        return 2;
    }
    std::printf("%s: %s, %dx%d, %d channel(s), %d bit\n", path, image.fileType.c_str(), image.width, image.height,
                image.channels, image.bitDepth);
    wsdsim::CheckReport report = wsdsim::checkPattern(image, request);
    for (const std::string &line : report.lines)
        std::printf("  %s\n", line.c_str());
    std::printf("%s: %s\n", path, report.ok ? "PASS" : "FAIL");
    return report.ok ? 0 : 1;
}
