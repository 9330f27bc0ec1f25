// The simulator's test page: a deterministic pattern defined in page
// coordinates (1/1000 inch from the sheet's top-left corner), so that a region
// scan shows exactly the part of the sheet a real scanner would and the
// resolution only changes the sampling. Its features are large enough to
// survive JPEG at quality 85 and 75 dpi, and a checker can read them back:
// colour bars, a gray ramp, the sheet number and side as big binary blocks,
// and a thin grid line every inch in the blank areas.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "page_spec.h"

namespace wsdsim {

struct Rgb {
    uint8_t r, g, b;
    bool operator==(const Rgb &o) const { return r == o.r && g == o.g && b == o.b; }
};

// ITU-R BT.601 luma, what Grayscale8 shows of a colour.
uint8_t luma(Rgb c);
// BlackAndWhite1 is the luma thresholded at the middle: below it is black.
bool isBlackInLineart(uint8_t lumaValue);

// A rectangle on the sheet, 1/1000 inch; x1/y1 exclusive.
struct PageRect {
    double x0, y0, x1, y1;
    double width() const { return x1 - x0; }
    double height() const { return y1 - y0; }
};

// Where everything is on the sheet. Every feature lies inside the part that
// A4 and Letter share, and away from the left margin and the right-hand strip
// so that a checker always finds blank columns with horizontal grid lines.
namespace layout {
constexpr int kBarCount = 8;       // white, yellow, cyan, green, magenta, red, blue, black
constexpr int kRampSteps = 16;     // black to white
constexpr int kCodeBits = 8;       // blocks per code row, most significant bit on the left
constexpr double kGridPitch = 1000;       // a grid line every inch ...
constexpr double kGridLineWidth = 40;     // ... this wide, so even 50 dpi samples it
constexpr Rgb kPaper{255, 255, 255};
constexpr Rgb kInk{0, 0, 0};

PageRect colourBar(int index);
Rgb barColour(int index);
PageRect rampStep(int index);
uint8_t rampLevel(int index);
// The sheet number's low 8 bits; a set bit is a black block.
PageRect sheetCodeBlock(int bit);
// The side marker: codes chosen so that neither side, nor either mirrored,
// reads as the other side.
PageRect sideCodeBlock(int bit);
uint8_t sideCode(bool back);
uint8_t sheetCode(int sheet);
// Rows/columns that cross no feature and no grid line of the other direction:
// a checker looks for the vertical lines along such rows and vice versa.
bool isBlankRow(double y, double margin);
bool isBlankColumn(double x, double margin);
}  // namespace layout

// The colour of the (untextured) pattern at a page point.
Rgb patternColour(int sheet, bool back, double x, double y);

// Reads the sheet code or side code back. blockIsBlack answers for one block
// (nullopt when it cannot tell, e.g. the block is outside the scanned region).
std::optional<int> decodeSheetCode(const std::function<std::optional<bool>(const PageRect &)> &blockIsBlack);
// true for the back side, false for the front, nullopt for neither code.
std::optional<bool> decodeSide(const std::function<std::optional<bool>(const PageRect &)> &blockIsBlack);

// Colour modes the pattern renders (WS-Scan ColorEntry values).
enum class ColourMode { BlackAndWhite1, Grayscale8, Grayscale16, RGB24, RGB48 };
// Throws std::invalid_argument for a ColorEntry it does not render.
ColourMode parseColourEntry(const std::string &colorEntry);
int channelsOf(ColourMode mode);
int bitsPerSampleOf(ColourMode mode);

// Renders one page side (a PageSpec's sheet, side, region, resolution, colour
// mode and texture) row by row, so that encoders never need a whole frame.
class TestPattern {
public:
    // Throws std::invalid_argument for an unknown colour entry or a bad region/resolution.
    explicit TestPattern(const PageSpec &spec);

    int pixelsPerLine() const { return pixelsPerLine_; }
    int lines() const { return lines_; }
    ColourMode mode() const { return mode_; }
    // Bytes renderRow writes: RGB interleaved, 16-bit samples big-endian,
    // BlackAndWhite1 packed most significant bit first with 1 = black.
    size_t rowBytes() const;
    void renderRow(int y, uint8_t *out) const;
    // The textured (or plain) RGB24 of one row, what every mode derives from.
    void renderRgbRow(int y, uint8_t *rgb) const;

    // Page point sampled by the centre of image column x / row y.
    double pageX(int x) const;
    double pageY(int y) const;

private:
    // Calls pixel(x, colour) for every pixel of row y, texture applied.
    template <typename PixelFn> void forEachPixel(int y, PixelFn pixel) const;
    const uint8_t *baseRow(double pageY) const;

    PageSpec spec_;
    ColourMode mode_;
    int pixelsPerLine_;
    int lines_;
    uint32_t textureSeed_;
    // Without texture a row depends only on the feature band it crosses and
    // whether a horizontal grid line does: each such row is rendered once.
    std::vector<std::vector<uint8_t>> baseRows_;
    std::vector<uint32_t> columnFibreCell_;   // paper-fibre cell of each column
};

}  // namespace wsdsim
