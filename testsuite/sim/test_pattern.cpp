#include "test_pattern.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace wsdsim {

namespace {

// Features share one column layout: 8 bars, 16 ramp steps or 8 code blocks
// between these edges.
constexpr double kFeaturesLeft = 1200;
constexpr double kFeaturesRight = 7200;
constexpr double kBarsTop = 1200, kBarsBottom = 2700;
constexpr double kRampTop = 3200, kRampBottom = 4200;
constexpr double kSheetCodeTop = 4600, kSheetCodeBottom = 5400;
constexpr double kSideCodeTop = 5800, kSideCodeBottom = 6600;
constexpr double kCodePitch = (kFeaturesRight - kFeaturesLeft) / layout::kCodeBits;
constexpr double kCodeGap = 100;   // white between blocks so neighbours never merge

constexpr Rgb kBarColours[layout::kBarCount] = {
    {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
    {255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0},
};

// Front 11000101, back its complement; mirrored they read 10100011 and
// 01011100, so a mirrored image never passes for the other side.
constexpr uint8_t kFrontCode = 0xC5;
constexpr uint8_t kBackCode = 0x3A;

bool inBand(double y, double top, double bottom) { return y >= top && y < bottom; }
bool inFeatureColumns(double x) { return x >= kFeaturesLeft && x < kFeaturesRight; }

// Distance from v to the nearest grid line (lines at k * pitch, k >= 1).
double distanceToGridLine(double v)
{
    if (v < layout::kGridPitch / 2)
        return layout::kGridPitch - v;
    double k = std::round(v / layout::kGridPitch);
    return std::fabs(v - k * layout::kGridPitch);
}
bool onGridLine(double v) { return distanceToGridLine(v) < layout::kGridLineWidth / 2; }

Rgb codeBlockColour(uint8_t code, double x)
{
    double offset = x - kFeaturesLeft;
    int bit = std::clamp(static_cast<int>(offset / kCodePitch), 0, layout::kCodeBits - 1);
    if (offset - bit * kCodePitch >= kCodePitch - kCodeGap)
        return layout::kPaper;
    bool set = (code >> (layout::kCodeBits - 1 - bit)) & 1;
    return set ? layout::kInk : layout::kPaper;
}

// Which feature band a page row crosses, decided once per row.
enum class Band { None, Bars, Ramp, SheetCode, SideCode };
Band bandAt(double y)
{
    if (inBand(y, kBarsTop, kBarsBottom)) return Band::Bars;
    if (inBand(y, kRampTop, kRampBottom)) return Band::Ramp;
    if (inBand(y, kSheetCodeTop, kSheetCodeBottom)) return Band::SheetCode;
    if (inBand(y, kSideCodeTop, kSideCodeBottom)) return Band::SideCode;
    return Band::None;
}

Rgb colourInRow(Band band, bool rowOnGrid, uint8_t sheetCode, uint8_t sideCode, double x)
{
    if (band != Band::None && inFeatureColumns(x)) {
        double offset = x - kFeaturesLeft;
        switch (band) {
        case Band::Bars:
            return kBarColours[std::min(static_cast<int>(offset / (6000.0 / layout::kBarCount)),
                                        layout::kBarCount - 1)];
        case Band::Ramp: {
            uint8_t v = layout::rampLevel(std::min(static_cast<int>(offset / (6000.0 / layout::kRampSteps)),
                                                   layout::kRampSteps - 1));
            return {v, v, v};
        }
        case Band::SheetCode: return codeBlockColour(sheetCode, x);
        case Band::SideCode: return codeBlockColour(sideCode, x);
        case Band::None: break;
        }
    }
    return rowOnGrid || onGridLine(x) ? layout::kInk : layout::kPaper;
}

// A small, fast integer hash (avalanching mix): texture must be
// deterministic per sheet, side and position, and cheap at 35 Mpixel a page.
inline uint32_t mix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7feb352dU;
    h ^= h >> 15;
    h *= 0x846ca68bU;
    h ^= h >> 16;
    return h;
}
inline uint32_t hash3(uint32_t seed, uint32_t a, uint32_t b)
{
    return mix(seed ^ mix(a * 0x9E3779B1U ^ mix(b + 0x632BE5ABU)));
}
// A triangular-distributed value in [-15, 15] from 8 bits: sums of two
// uniform nibbles look more like sensor noise than a flat spread does.
inline int triangular(uint32_t bits) { return static_cast<int>(bits & 0xF) + static_cast<int>((bits >> 4) & 0xF) - 15; }

inline uint8_t clampByte(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

}  // namespace

uint8_t luma(Rgb c) { return static_cast<uint8_t>((77 * c.r + 150 * c.g + 29 * c.b + 128) >> 8); }
bool isBlackInLineart(uint8_t lumaValue) { return lumaValue < 128; }

namespace layout {

PageRect colourBar(int index)
{
    double w = (kFeaturesRight - kFeaturesLeft) / kBarCount;
    return {kFeaturesLeft + index * w, kBarsTop, kFeaturesLeft + (index + 1) * w, kBarsBottom};
}
Rgb barColour(int index) { return kBarColours[index]; }

PageRect rampStep(int index)
{
    double w = (kFeaturesRight - kFeaturesLeft) / kRampSteps;
    return {kFeaturesLeft + index * w, kRampTop, kFeaturesLeft + (index + 1) * w, kRampBottom};
}
uint8_t rampLevel(int index) { return static_cast<uint8_t>(index * 255 / (kRampSteps - 1)); }

static PageRect codeBlock(int bit, double top, double bottom)
{
    double x0 = kFeaturesLeft + bit * kCodePitch;
    return {x0, top, x0 + kCodePitch - kCodeGap, bottom};
}
PageRect sheetCodeBlock(int bit) { return codeBlock(bit, kSheetCodeTop, kSheetCodeBottom); }
PageRect sideCodeBlock(int bit) { return codeBlock(bit, kSideCodeTop, kSideCodeBottom); }
uint8_t sideCode(bool back) { return back ? kBackCode : kFrontCode; }
uint8_t sheetCode(int sheet) { return static_cast<uint8_t>(sheet & 0xFF); }

bool isBlankRow(double y, double margin)
{
    constexpr double kBands[][2] = {{kBarsTop, kBarsBottom}, {kRampTop, kRampBottom},
                                    {kSheetCodeTop, kSheetCodeBottom}, {kSideCodeTop, kSideCodeBottom}};
    for (const auto &band : kBands)
        if (y > band[0] - margin && y < band[1] + margin)
            return false;
    return distanceToGridLine(y) > kGridLineWidth / 2 + margin;
}

bool isBlankColumn(double x, double margin)
{
    if (x > kFeaturesLeft - margin && x < kFeaturesRight + margin)
        return false;
    return distanceToGridLine(x) > kGridLineWidth / 2 + margin;
}

}  // namespace layout

Rgb patternColour(int sheet, bool back, double x, double y)
{
    return colourInRow(bandAt(y), onGridLine(y), layout::sheetCode(sheet), layout::sideCode(back), x);
}

static std::optional<uint8_t> readCode(const std::function<std::optional<bool>(const PageRect &)> &blockIsBlack,
                                       PageRect (*block)(int))
{
    uint8_t code = 0;
    for (int bit = 0; bit < layout::kCodeBits; ++bit) {
        std::optional<bool> black = blockIsBlack(block(bit));
        if (!black)
            return std::nullopt;
        code = static_cast<uint8_t>((code << 1) | (*black ? 1 : 0));
    }
    return code;
}

std::optional<int> decodeSheetCode(const std::function<std::optional<bool>(const PageRect &)> &blockIsBlack)
{
    std::optional<uint8_t> code = readCode(blockIsBlack, layout::sheetCodeBlock);
    if (!code)
        return std::nullopt;
    return *code;
}

std::optional<bool> decodeSide(const std::function<std::optional<bool>(const PageRect &)> &blockIsBlack)
{
    std::optional<uint8_t> code = readCode(blockIsBlack, layout::sideCodeBlock);
    if (code == kFrontCode)
        return false;
    if (code == kBackCode)
        return true;
    return std::nullopt;
}

ColourMode parseColourEntry(const std::string &colorEntry)
{
    if (colorEntry == "BlackAndWhite1") return ColourMode::BlackAndWhite1;
    if (colorEntry == "Grayscale8") return ColourMode::Grayscale8;
    if (colorEntry == "Grayscale16") return ColourMode::Grayscale16;
    if (colorEntry == "RGB24") return ColourMode::RGB24;
    if (colorEntry == "RGB48") return ColourMode::RGB48;
    throw std::invalid_argument("test pattern: unsupported ColorEntry '" + colorEntry + "'");
}

int channelsOf(ColourMode mode)
{
    return mode == ColourMode::RGB24 || mode == ColourMode::RGB48 ? 3 : 1;
}

int bitsPerSampleOf(ColourMode mode)
{
    switch (mode) {
    case ColourMode::BlackAndWhite1: return 1;
    case ColourMode::Grayscale8:
    case ColourMode::RGB24: return 8;
    case ColourMode::Grayscale16:
    case ColourMode::RGB48: return 16;
    }
    return 8;
}

static int pixelsFor(int mils, int dpi) { return static_cast<int>((static_cast<long long>(mils) * dpi + 500) / 1000); }

// Paper fibre: brightness streaks fixed to the sheet, cells of 1/160 by
// 1/32 inch, the same whatever resolution or region is scanned.
constexpr double kFibreCellWidth = 6.25, kFibreCellHeight = 31.25;
constexpr int kBandCount = 5;

TestPattern::TestPattern(const PageSpec &spec)
    : spec_(spec), mode_(parseColourEntry(spec.colorEntry))
{
    if (spec.xResolution <= 0 || spec.yResolution <= 0 || spec.xResolution > 4800 || spec.yResolution > 4800)
        throw std::invalid_argument("test pattern: resolution out of range");
    if (spec.width <= 0 || spec.height <= 0 || spec.xOffset < 0 || spec.yOffset < 0 ||
        spec.width > 100000 || spec.height > 100000)
        throw std::invalid_argument("test pattern: bad scan region");
    pixelsPerLine_ = pixelsFor(spec.width, spec.xResolution);
    lines_ = pixelsFor(spec.height, spec.yResolution);
    if (pixelsPerLine_ < 1 || lines_ < 1)
        throw std::invalid_argument("test pattern: region smaller than one pixel");
    textureSeed_ = mix(static_cast<uint32_t>(spec.sheet) * 2U + (spec.back ? 1U : 0U));

    uint8_t sheetCode = layout::sheetCode(spec.sheet);
    uint8_t sideCode = layout::sideCode(spec.back);
    baseRows_.resize(2 * kBandCount);
    for (int band = 0; band < kBandCount; ++band) {
        for (int grid = 0; grid < 2; ++grid) {
            std::vector<uint8_t> &row = baseRows_[2 * band + grid];
            row.resize(3 * static_cast<size_t>(pixelsPerLine_));
            for (int x = 0; x < pixelsPerLine_; ++x) {
                Rgb c = colourInRow(static_cast<Band>(band), grid == 1, sheetCode, sideCode, pageX(x));
                row[3 * x] = c.r;
                row[3 * x + 1] = c.g;
                row[3 * x + 2] = c.b;
            }
        }
    }
    columnFibreCell_.resize(pixelsPerLine_);
    for (int x = 0; x < pixelsPerLine_; ++x)
        columnFibreCell_[x] = static_cast<uint32_t>(pageX(x) / kFibreCellWidth);
}

double TestPattern::pageX(int x) const { return spec_.xOffset + (x + 0.5) * 1000.0 / spec_.xResolution; }
double TestPattern::pageY(int y) const { return spec_.yOffset + (y + 0.5) * 1000.0 / spec_.yResolution; }

size_t TestPattern::rowBytes() const
{
    size_t bits = static_cast<size_t>(pixelsPerLine_) * channelsOf(mode_) * bitsPerSampleOf(mode_);
    return (bits + 7) / 8;
}

const uint8_t *TestPattern::baseRow(double py) const
{
    return baseRows_[2 * static_cast<int>(bandAt(py)) + (onGridLine(py) ? 1 : 0)].data();
}

namespace {
// splitmix64: a fast, well-mixed generator for the noise tables.
inline uint64_t splitmix(uint64_t &state)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Sensor noise is read from fixed pseudo-random sequences, each row from its
// own hashed starting point: as random-looking to JPEG as per-pixel hashing
// (nothing repeats within a block or between neighbouring rows) at a
// fraction of the cost, which matters at 35 Mpixel a page.
// The amplitudes are tuned so that an A4 600 dpi RGB24 page at JPEG quality
// 85 comes out at 5-8 MB like a real scan (see the unit test of the size).
struct NoiseTables {
    static constexpr int kLuminanceNoise = 22, kChromaNoise = 4, kFibreNoise = 6;
    static constexpr uint32_t kLength = 1U << 16;   // a power of two: index by mask
    std::vector<int8_t> luminance, chroma;
    int8_t fibre[256];
    NoiseTables() : luminance(kLength), chroma(kLength)
    {
        uint64_t state = 0x243F6A8885A308D3ULL;
        for (uint32_t i = 0; i < kLength; ++i) {
            uint64_t n = splitmix(state);
            luminance[i] = static_cast<int8_t>(triangular(static_cast<uint32_t>(n)) * kLuminanceNoise / 15);
            chroma[i] = static_cast<int8_t>(triangular(static_cast<uint32_t>(n >> 8)) * kChromaNoise / 15);
        }
        for (int i = 0; i < 256; ++i)
            fibre[i] = static_cast<int8_t>(triangular(static_cast<uint32_t>(i)) * kFibreNoise / 15);
    }
};
const NoiseTables kNoise;
}  // namespace

template <typename PixelFn> void TestPattern::forEachPixel(int y, PixelFn pixel) const
{
    if (y < 0 || y >= lines_)
        throw std::out_of_range("test pattern: row outside the image");
    double py = pageY(y);
    const uint8_t *base = baseRow(py);
    if (!spec_.texture) {
        for (int x = 0; x < pixelsPerLine_; ++x)
            pixel(x, Rgb{base[3 * x], base[3 * x + 1], base[3 * x + 2]});
        return;
    }
    // Starting points per row and channel, so any row renders alone and
    // identically; the fibre is hashed per cell of the sheet.
    const uint32_t mask = NoiseTables::kLength - 1;
    uint32_t l = hash3(textureSeed_, static_cast<uint32_t>(y), 0) & mask;
    uint32_t r = hash3(textureSeed_, static_cast<uint32_t>(y), 1) & mask;
    uint32_t g = hash3(textureSeed_, static_cast<uint32_t>(y), 2) & mask;
    uint32_t b = hash3(textureSeed_, static_cast<uint32_t>(y), 3) & mask;
    const int8_t *luminance = kNoise.luminance.data(), *chroma = kNoise.chroma.data();
    auto fibreRow = static_cast<uint32_t>(py / kFibreCellHeight);
    uint32_t lastCell = UINT32_MAX;
    int fibre = 0;
    for (int x = 0; x < pixelsPerLine_; ++x) {
        if (columnFibreCell_[x] != lastCell) {
            lastCell = columnFibreCell_[x];
            fibre = kNoise.fibre[hash3(textureSeed_, lastCell, fibreRow) & 0xFF];
        }
        auto i = static_cast<uint32_t>(x);
        int lum = fibre + luminance[(l + i) & mask];
        pixel(x, Rgb{clampByte(base[3 * x] + lum + chroma[(r + i) & mask]),
                     clampByte(base[3 * x + 1] + lum + chroma[(g + i) & mask]),
                     clampByte(base[3 * x + 2] + lum + chroma[(b + i) & mask])});
    }
}

void TestPattern::renderRgbRow(int y, uint8_t *rgb) const
{
    forEachPixel(y, [rgb](int x, Rgb c) {
        rgb[3 * x] = c.r;
        rgb[3 * x + 1] = c.g;
        rgb[3 * x + 2] = c.b;
    });
}

void TestPattern::renderRow(int y, uint8_t *out) const
{
    switch (mode_) {
    case ColourMode::RGB24:
        renderRgbRow(y, out);
        break;
    case ColourMode::BlackAndWhite1:
        std::fill(out, out + rowBytes(), 0);
        forEachPixel(y, [out](int x, Rgb c) {
            if (isBlackInLineart(luma(c)))
                out[x / 8] |= static_cast<uint8_t>(0x80 >> (x % 8));
        });
        break;
    case ColourMode::Grayscale8:
        forEachPixel(y, [out](int x, Rgb c) { out[x] = luma(c); });
        break;
    case ColourMode::Grayscale16:
        // Both bytes equal: v * 257 maps 0..255 onto the full 16-bit range.
        forEachPixel(y, [out](int x, Rgb c) { out[2 * x] = out[2 * x + 1] = luma(c); });
        break;
    case ColourMode::RGB48:
        forEachPixel(y, [out](int x, Rgb c) {
            out[6 * x] = out[6 * x + 1] = c.r;
            out[6 * x + 2] = out[6 * x + 3] = c.g;
            out[6 * x + 4] = out[6 * x + 5] = c.b;
        });
        break;
    }
}

}  // namespace wsdsim
