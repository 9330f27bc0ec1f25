#include "pattern_checker.h"

#include "wsd/strings.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace wsdsim {

namespace {

std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...)
{
    char buffer[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(buffer, sizeof buffer, fmt, args);
    va_end(args);
    return buffer;
}

// What a pattern colour looks like in a scan of the given kind.
struct Expected {
    int channels;
    uint8_t v[3];
};

Expected expectedFor(ScanKind kind, Rgb c)
{
    switch (kind) {
    case ScanKind::Colour: return {3, {c.r, c.g, c.b}};
    case ScanKind::Gray: return {1, {luma(c), 0, 0}};
    case ScanKind::Lineart: return {1, {static_cast<uint8_t>(isBlackInLineart(luma(c)) ? 0 : 255), 0, 0}};
    }
    return {1, {0, 0, 0}};
}

class Checker {
public:
    Checker(const DecodedImage &image, const CheckRequest &request) : image_(image), request_(request)
    {
        pxPerMilX_ = request.xResolution / 1000.0;
        pxPerMilY_ = request.yResolution / 1000.0;
        // Stay this far from every feature edge: JPEG ringing, chroma
        // subsampling and point sampling all act within a few pixels.
        marginX_ = 4 / pxPerMilX_;
        marginY_ = 4 / pxPerMilY_;
    }

    CheckReport run()
    {
        if (!checkChannels())
            return report_;
        checkSize();
        checkBars();
        checkRamp();
        checkSheet();
        checkSide();
        checkGrid(true);
        checkGrid(false);
        checkPixels();
        return report_;
    }

private:
    void pass(const std::string &line) { report_.lines.push_back("ok   " + line); }
    void skip(const std::string &line) { report_.lines.push_back("skip " + line); }
    void fail(const std::string &line)
    {
        report_.ok = false;
        report_.lines.push_back("FAIL " + line);
    }

    double pageX(double column) const { return request_.xOffset + (column + 0.5) / pxPerMilX_; }
    double pageY(double row) const { return request_.yOffset + (row + 0.5) / pxPerMilY_; }

    // Mean of each channel over the pixels whose centres lie in `rect` shrunk
    // by the margin; nullopt when none of them is in the image.
    std::optional<std::array<double, 3>> patchMean(const PageRect &rect) const
    {
        int x0 = std::max(0, static_cast<int>(std::ceil((rect.x0 + marginX_ - request_.xOffset) * pxPerMilX_ - 0.5)));
        int x1 = std::min(image_.width - 1,
                          static_cast<int>(std::floor((rect.x1 - marginX_ - request_.xOffset) * pxPerMilX_ - 0.5)));
        int y0 = std::max(0, static_cast<int>(std::ceil((rect.y0 + marginY_ - request_.yOffset) * pxPerMilY_ - 0.5)));
        int y1 = std::min(image_.height - 1,
                          static_cast<int>(std::floor((rect.y1 - marginY_ - request_.yOffset) * pxPerMilY_ - 0.5)));
        if (x0 > x1 || y0 > y1)
            return std::nullopt;
        std::array<double, 3> sum{0, 0, 0};
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x)
                for (int c = 0; c < image_.channels; ++c)
                    sum[c] += image_.at(x, y, c);
        double n = static_cast<double>(x1 - x0 + 1) * (y1 - y0 + 1);
        for (double &s : sum)
            s /= n;
        return sum;
    }

    // Largest channel difference between a patch mean and a pattern colour.
    double deviation(const std::array<double, 3> &mean, Rgb colour) const
    {
        Expected e = expectedFor(request_.kind, colour);
        double worst = 0;
        for (int c = 0; c < e.channels; ++c)
            worst = std::max(worst, std::fabs(mean[c] - e.v[c]));
        return worst;
    }

    static std::string describe(const std::array<double, 3> &mean, int channels)
    {
        return channels == 3 ? format("(%.0f,%.0f,%.0f)", mean[0], mean[1], mean[2]) : format("%.0f", mean[0]);
    }

    bool checkChannels()
    {
        int want = request_.kind == ScanKind::Colour ? 3 : 1;
        if (image_.channels != want) {
            fail(format("channels: image has %d, a %s scan has %d", image_.channels,
                        request_.kind == ScanKind::Colour ? "colour" : "gray/lineart", want));
            return false;
        }
        if (request_.kind == ScanKind::Lineart) {
            for (uint8_t v : image_.samples)
                if (v != 0 && v != 255) {
                    fail(format("lineart: found gray value %d (file depth %d)", v, image_.bitDepth));
                    return false;
                }
        }
        pass(format("channels: %d, file depth %d bit", image_.channels, image_.bitDepth));
        return true;
    }

    void checkSize()
    {
        if (!request_.width || !request_.height) {
            skip(format("size: %dx%d pixels, no region size given", image_.width, image_.height));
            return;
        }
        int wantW = static_cast<int>(std::lround(*request_.width * pxPerMilX_));
        int wantH = static_cast<int>(std::lround(*request_.height * pxPerMilY_));
        std::string line = format("size: %dx%d pixels, expected %dx%d (tolerance %d)", image_.width, image_.height,
                                  wantW, wantH, request_.sizeTolerance);
        if (std::abs(image_.width - wantW) <= request_.sizeTolerance &&
            std::abs(image_.height - wantH) <= request_.sizeTolerance)
            pass(line);
        else
            fail(line);
    }

    void checkPatches(const char *what, int count, PageRect (*rectOf)(int), Rgb (*colourOf)(int))
    {
        int seen = 0;
        double worst = 0;
        std::string bad;
        for (int i = 0; i < count; ++i) {
            Rgb colour = colourOf(i);
            // In lineart a level near the threshold may go either way under noise.
            if (request_.kind == ScanKind::Lineart && std::abs(luma(colour) - 128) < 40)
                continue;
            auto mean = patchMean(rectOf(i));
            if (!mean)
                continue;
            ++seen;
            double d = deviation(*mean, colour);
            worst = std::max(worst, d);
            if (d > request_.patchTolerance && bad.empty()) {
                Expected e = expectedFor(request_.kind, colour);
                bad = format("%s %d reads %s, expected %s", what, i, describe(*mean, image_.channels).c_str(),
                             describe({double(e.v[0]), double(e.v[1]), double(e.v[2])}, e.channels).c_str());
            }
        }
        if (seen == 0)
            skip(format("%ss: none inside the region", what));
        else if (!bad.empty())
            fail(format("%ss: %s (tolerance %d)", what, bad.c_str(), request_.patchTolerance));
        else
            pass(format("%ss: %d of %d in the region, worst deviation %.1f (tolerance %d)", what, seen, count, worst,
                        request_.patchTolerance));
    }

    static Rgb rampColour(int i)
    {
        uint8_t v = layout::rampLevel(i);
        return {v, v, v};
    }

    void checkBars() { checkPatches("colour bar", layout::kBarCount, layout::colourBar, layout::barColour); }
    void checkRamp() { checkPatches("ramp step", layout::kRampSteps, layout::rampStep, rampColour); }

    std::optional<bool> blockIsBlack(const PageRect &rect) const
    {
        auto mean = patchMean(rect);
        if (!mean)
            return std::nullopt;
        double level = image_.channels == 3 ? (77 * (*mean)[0] + 150 * (*mean)[1] + 29 * (*mean)[2]) / 256
                                            : (*mean)[0];
        return level < 128;
    }

    void checkSheet()
    {
        report_.sheetCode = decodeSheetCode([this](const PageRect &r) { return blockIsBlack(r); });
        if (!report_.sheetCode) {
            if (request_.sheet)
                fail("sheet number: its blocks are not all inside the region");
            else
                skip("sheet number: its blocks are not all inside the region");
            return;
        }
        if (!request_.sheet) {
            pass(format("sheet number: reads %d", *report_.sheetCode));
            return;
        }
        int want = layout::sheetCode(*request_.sheet);
        std::string line = format("sheet number: reads %d, expected %d", *report_.sheetCode, want);
        if (*report_.sheetCode == want)
            pass(line);
        else
            fail(line);
    }

    bool allBlocksInside(PageRect (*blockOf)(int)) const
    {
        for (int bit = 0; bit < layout::kCodeBits; ++bit)
            if (!patchMean(blockOf(bit)))
                return false;
        return true;
    }

    void checkSide()
    {
        report_.back = decodeSide([this](const PageRect &r) { return blockIsBlack(r); });
        auto name = [](bool back) { return back ? "back" : "front"; };
        if (!report_.back) {
            if (allBlocksInside(layout::sideCodeBlock))
                fail("side: the marker reads neither front nor back (mirrored or damaged?)");
            else if (request_.back)
                fail("side: the marker is not inside the region");
            else
                skip("side: the marker is not inside the region");
            return;
        }
        if (!request_.back) {
            pass(format("side: reads %s", name(*report_.back)));
            return;
        }
        std::string line = format("side: reads %s, expected %s", name(*report_.back), name(*request_.back));
        if (*report_.back == *request_.back)
            pass(line);
        else
            fail(line);
    }

    bool dark(int x, int y) const
    {
        if (image_.channels == 1)
            return image_.at(x, y, 0) < 128;
        return 77 * image_.at(x, y, 0) + 150 * image_.at(x, y, 1) + 29 * image_.at(x, y, 2) < 128 * 256;
    }

    // Finds the grid lines across blank rows (vertical lines) or blank
    // columns (horizontal lines) and compares their page positions with the
    // inch grid: an offset region shifts them.
    void checkGrid(bool vertical)
    {
        const char *what = vertical ? "vertical grid lines" : "horizontal grid lines";
        int along = vertical ? image_.width : image_.height;     // positions searched
        int across = vertical ? image_.height : image_.width;    // rows (columns) averaged
        double pxPerMil = vertical ? pxPerMilX_ : pxPerMilY_;
        double otherMargin = vertical ? marginY_ : marginX_;
        std::vector<int> blank;
        for (int i = 0; i < across; ++i) {
            double p = vertical ? pageY(i) : pageX(i);
            if (vertical ? layout::isBlankRow(p, otherMargin) : layout::isBlankColumn(p, otherMargin))
                blank.push_back(i);
        }
        if (blank.empty()) {
            skip(format("%s: no blank %s in the region", what, vertical ? "rows" : "columns"));
            return;
        }
        // Share of blank rows (columns) in which each position is dark.
        std::vector<double> darkShare(along, 0);
        for (int i : blank)
            for (int a = 0; a < along; ++a)
                darkShare[a] += vertical ? dark(a, i) : dark(i, a);
        for (double &d : darkShare)
            d /= blank.size();

        double offset = vertical ? request_.xOffset : request_.yOffset;
        double tolerance = 1.5 / pxPerMil + 5;   // mils: sampling puts a centre within a pixel
        double half = layout::kGridLineWidth / 2;
        std::vector<double> found;
        for (int a = 0; a < along;) {
            if (darkShare[a] <= 0.5) {
                ++a;
                continue;
            }
            int start = a;
            while (a < along && darkShare[a] > 0.5)
                ++a;
            if (start == 0 || a == along)   // cut by the image edge: its centre is unknown
                continue;
            found.push_back(offset + ((start + a) / 2.0) / pxPerMil);
        }
        double lo = offset + half + tolerance, hi = offset + along / pxPerMil - half - tolerance;
        int expected = 0, matched = 0;
        double worst = 0;
        std::string bad;
        for (double k = std::ceil(lo / layout::kGridPitch); k * layout::kGridPitch <= hi; ++k) {
            if (k < 1)
                continue;
            ++expected;
            double want = k * layout::kGridPitch;
            auto nearest = std::min_element(found.begin(), found.end(), [want](double a, double b) {
                return std::fabs(a - want) < std::fabs(b - want);
            });
            double error = nearest == found.end() ? 1e9 : std::fabs(*nearest - want);
            if (error <= tolerance) {
                ++matched;
                worst = std::max(worst, error);
            } else if (bad.empty()) {
                bad = nearest == found.end() ? format("none found, expected one at %.0f", want)
                                             : format("expected one at %.0f, nearest at %.0f", want, *nearest);
            }
        }
        if (expected == 0) {
            skip(format("%s: none inside the region", what));
            return;
        }
        std::string line = format("%s: %d of %d at their page positions (1/1000 in), worst error %.0f, "
                                  "%zu found, tolerance %.0f",
                                  what, matched, expected, worst, found.size(), tolerance);
        if (matched == expected && found.size() <= static_cast<size_t>(expected) + 2)
            pass(line);
        else
            fail(line + (bad.empty() ? std::string(", unexpected extra lines") : ", " + bad));
    }

    // Every pixel whose neighbourhood has one pattern colour must show that
    // colour; sampled on a stride so a 1200 dpi page stays quick.
    void checkPixels()
    {
        int sheet = request_.sheet.value_or(report_.sheetCode.value_or(1));
        bool back = request_.back.value_or(report_.back.value_or(false));
        double pixels = static_cast<double>(image_.width) * image_.height;
        int stride = std::max(1, static_cast<int>(std::sqrt(pixels / 4e6)));
        long compared = 0, within = 0;
        for (int y = 0; y < image_.height; y += stride) {
            double py = pageY(y);
            for (int x = 0; x < image_.width; x += stride) {
                double px = pageX(x);
                Rgb c = patternColour(sheet, back, px, py);
                if (!(patternColour(sheet, back, px - marginX_, py) == c) ||
                    !(patternColour(sheet, back, px + marginX_, py) == c) ||
                    !(patternColour(sheet, back, px, py - marginY_) == c) ||
                    !(patternColour(sheet, back, px, py + marginY_) == c))
                    continue;
                if (request_.kind == ScanKind::Lineart && std::abs(luma(c) - 128) < 40)
                    continue;
                Expected e = expectedFor(request_.kind, c);
                bool ok = true;
                for (int ch = 0; ch < e.channels; ++ch)
                    ok = ok && std::abs(image_.at(x, y, ch) - e.v[ch]) <= request_.pixelTolerance;
                ++compared;
                within += ok;
            }
        }
        if (compared == 0) {
            skip("pixels: no pixel away from feature edges");
            return;
        }
        report_.pixelMatch = static_cast<double>(within) / compared;
        std::string line = format("pixels: %.3f%% of %ld compared within %d (need %.3f%%)", 100 * report_.pixelMatch,
                                  compared, request_.pixelTolerance, 100 * request_.minPixelMatch);
        if (report_.pixelMatch >= request_.minPixelMatch)
            pass(line);
        else
            fail(line);
    }

    const DecodedImage &image_;
    const CheckRequest &request_;
    double pxPerMilX_, pxPerMilY_;
    double marginX_, marginY_;
    CheckReport report_;
};

}  // namespace

std::optional<ScanKind> parseScanKind(const std::string &name)
{
    const std::string n = wsd::lower(name);
    if (n == "color" || n == "colour" || n == "rgb24" || n == "rgb48")
        return ScanKind::Colour;
    if (n == "gray" || n == "grey" || n == "grayscale8" || n == "grayscale16")
        return ScanKind::Gray;
    if (n == "lineart" || n == "blackandwhite1" || n == "bw")
        return ScanKind::Lineart;
    return std::nullopt;
}

CheckReport checkPattern(const DecodedImage &image, const CheckRequest &request)
{
    return Checker(image, request).run();
}

}  // namespace wsdsim
