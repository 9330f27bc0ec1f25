// PNG through libpng's progressive reader (png_process_data): rows come out
// as the compressed data arrives. Interlaced images deliver no complete row
// before the last pass, so they are assembled in a bounded buffer and
// emitted at the end (bounded by the limits); scanners do not interlace in
// practice.
#include "wsd/image_decoder.h"

#include "wsd/log.h"
#include "wsd/shared_library.h"

#include <png.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace wsd {
namespace {

// libpng is opened when the first PNG image arrives: most devices send
// JPEG, and a frontend that merely loads the backend need not map it.
struct PngLibrary {
    SharedLibrary library{WSD_PNG_SONAME};
    decltype(&png_create_info_struct) create_info_struct = nullptr;
    decltype(&png_create_read_struct) create_read_struct = nullptr;
    decltype(&png_destroy_read_struct) destroy_read_struct = nullptr;
    decltype(&png_get_PLTE) get_PLTE = nullptr;
    decltype(&png_get_bit_depth) get_bit_depth = nullptr;
    decltype(&png_get_channels) get_channels = nullptr;
    decltype(&png_get_color_type) get_color_type = nullptr;
    decltype(&png_get_error_ptr) get_error_ptr = nullptr;
    decltype(&png_get_image_height) get_image_height = nullptr;
    decltype(&png_get_image_width) get_image_width = nullptr;
    decltype(&png_get_interlace_type) get_interlace_type = nullptr;
    decltype(&png_get_pHYs) get_pHYs = nullptr;
    decltype(&png_get_progressive_ptr) get_progressive_ptr = nullptr;
    decltype(&png_get_rowbytes) get_rowbytes = nullptr;
    decltype(&png_longjmp) longjmp = nullptr;
    decltype(&png_process_data) process_data = nullptr;
    decltype(&png_progressive_combine_row) progressive_combine_row = nullptr;
    decltype(&png_read_update_info) read_update_info = nullptr;
    decltype(&png_set_expand_gray_1_2_4_to_8) set_expand_gray_1_2_4_to_8 = nullptr;
    decltype(&png_set_interlace_handling) set_interlace_handling = nullptr;
    decltype(&png_set_invert_mono) set_invert_mono = nullptr;
    decltype(&png_set_longjmp_fn) set_longjmp_fn = nullptr;
    decltype(&png_set_palette_to_rgb) set_palette_to_rgb = nullptr;
    decltype(&png_set_progressive_read_fn) set_progressive_read_fn = nullptr;
    decltype(&png_set_rgb_to_gray_fixed) set_rgb_to_gray_fixed = nullptr;
    decltype(&png_set_strip_alpha) set_strip_alpha = nullptr;
    decltype(&png_set_swap) set_swap = nullptr;
    decltype(&png_set_user_limits) set_user_limits = nullptr;
    bool complete = false;

    PngLibrary()
    {
        complete = library.bind(create_info_struct, "png_create_info_struct") &&
                   library.bind(create_read_struct, "png_create_read_struct") &&
                   library.bind(destroy_read_struct, "png_destroy_read_struct") &&
                   library.bind(get_PLTE, "png_get_PLTE") &&
                   library.bind(get_bit_depth, "png_get_bit_depth") &&
                   library.bind(get_channels, "png_get_channels") &&
                   library.bind(get_color_type, "png_get_color_type") &&
                   library.bind(get_error_ptr, "png_get_error_ptr") &&
                   library.bind(get_image_height, "png_get_image_height") &&
                   library.bind(get_image_width, "png_get_image_width") &&
                   library.bind(get_interlace_type, "png_get_interlace_type") &&
                   library.bind(get_pHYs, "png_get_pHYs") &&
                   library.bind(get_progressive_ptr, "png_get_progressive_ptr") &&
                   library.bind(get_rowbytes, "png_get_rowbytes") &&
                   library.bind(longjmp, "png_longjmp") &&
                   library.bind(process_data, "png_process_data") &&
                   library.bind(progressive_combine_row, "png_progressive_combine_row") &&
                   library.bind(read_update_info, "png_read_update_info") &&
                   library.bind(set_expand_gray_1_2_4_to_8, "png_set_expand_gray_1_2_4_to_8") &&
                   library.bind(set_interlace_handling, "png_set_interlace_handling") &&
                   library.bind(set_invert_mono, "png_set_invert_mono") &&
                   library.bind(set_longjmp_fn, "png_set_longjmp_fn") &&
                   library.bind(set_palette_to_rgb, "png_set_palette_to_rgb") &&
                   library.bind(set_progressive_read_fn, "png_set_progressive_read_fn") &&
                   library.bind(set_rgb_to_gray_fixed, "png_set_rgb_to_gray_fixed") &&
                   library.bind(set_strip_alpha, "png_set_strip_alpha") &&
                   library.bind(set_swap, "png_set_swap") &&
                   library.bind(set_user_limits, "png_set_user_limits");
    }
};

// Loaded once per process (thread-safe static), closed when the module is.
const PngLibrary &libpng()
{
    static const PngLibrary library;
    return library;
}

constexpr std::size_t PieceBytes = 1024;

class PngDecoder : public ImageDecoder {
public:
    PngDecoder(LineSink &sink, const ImageLimits &limits) : sink_(sink), limits_(limits)
    {
        if (!libpng().complete) {
            failWith("PNG: " + libpng().library.error());
            return;
        }
        png_ = libpng().create_read_struct(PNG_LIBPNG_VER_STRING, this, onError, onWarning);
        if (png_)
            info_ = libpng().create_info_struct(png_);
        if (!png_ || !info_) {
            failWith("PNG: out of memory");
            return;
        }
        // libpng's own bounds, checked while it reads IHDR; setUp() checks
        // the scan's limits, naming the sizes.
        libpng().set_user_limits(png_, MaxImageDimension, MaxImageDimension);
        libpng().set_progressive_read_fn(png_, this, onInfo, onRow, onEnd);
    }

    ~PngDecoder() override
    {
        if (png_)
            libpng().destroy_read_struct(&png_, &info_, nullptr);
    }

    bool feed(const uint8_t *data, std::size_t length) override
    {
        if (!error_.empty())
            return false;
        const bool resuming = held_;
        held_ = false;
        if (ended_)
            return !resuming || emitBuffered();
        if (length > 0)
            input_.insert(input_.end(), data, data + length);
        // In small pieces, stopping between them while the sink is full: a
        // piece of a blank page inflates to many rows.
        while (!ended_ && consumed_ < input_.size()) {
            if (sink_.full()) {
                held_ = true;
                break;
            }
            const std::size_t n = std::min(PieceBytes, input_.size() - consumed_);
            if (!process(input_.data() + consumed_, n))
                return false;
            consumed_ += n;
        }
        if (consumed_ == input_.size() || ended_) {
            input_.clear();
            consumed_ = 0;
        }
        return true;
    }

    bool finish() override
    {
        if (!error_.empty())
            return false;
        if (held_ && (!feed(nullptr, 0) || held_))
            return error_.empty();
        if (frame_.height > 0 && lines_ == frame_.height)
            return true;
        if (frame_.width == 0)
            return failWith("PNG: data ended inside the header");
        return failWith("PNG: data ended after " + std::to_string(lines_) + " of " +
                        std::to_string(frame_.height) + " lines");
    }

private:
    // No object with a destructor lives in this frame: libpng errors longjmp
    // back into it.
    bool process(const uint8_t *data, std::size_t length)
    {
        if (setjmp(*libpng().set_longjmp_fn(png_, longjmp, sizeof(jmp_buf))))
            return failWith(message_[0] ? std::string("PNG: ") + message_ : std::string("PNG: decoding failed"));
        libpng().process_data(png_, info_, const_cast<uint8_t *>(data), length);
        return error_.empty();
    }

    static void onError(png_structp png, png_const_charp message)
    {
        auto *self = static_cast<PngDecoder *>(libpng().get_error_ptr(png));
        std::snprintf(self->message_, sizeof self->message_, "%s", message);
        libpng().longjmp(png, 1);
    }

    static void onWarning(png_structp, png_const_charp message) { WSD_DETAIL("libpng: %s", message); }

    static void onInfo(png_structp png, png_infop info)
    {
        static_cast<PngDecoder *>(libpng().get_progressive_ptr(png))->setUp(info);
    }

    static void onRow(png_structp png, png_bytep row, png_uint_32 number, int pass)
    {
        static_cast<PngDecoder *>(libpng().get_progressive_ptr(png))->row(row, number, pass);
    }

    static void onEnd(png_structp png, png_infop)
    {
        static_cast<PngDecoder *>(libpng().get_progressive_ptr(png))->end();
    }

    void setUp(png_infop info)
    {
        // Before png_read_update_info, which allocates rows for the width.
        if (!withinLimits(info))
            libpng().longjmp(png_, 1);
        int colorType = libpng().get_color_type(png_, info);
        int bitDepth = libpng().get_bit_depth(png_, info);
        bool grayPalette = false;

        if (colorType == PNG_COLOR_TYPE_PALETTE) {
            png_colorp palette = nullptr;
            int entries = 0;
            libpng().get_PLTE(png_, info, &palette, &entries);
            grayPalette = entries > 0;
            for (int i = 0; i < entries; ++i)
                grayPalette = grayPalette && palette[i].red == palette[i].green && palette[i].red == palette[i].blue;
            libpng().set_palette_to_rgb(png_);
            if (grayPalette)
                // Exact for gray entries: libpng copies r when r == g == b.
                libpng().set_rgb_to_gray_fixed(png_, 1, -1, -1);
        } else if ((colorType & PNG_COLOR_MASK_COLOR) == 0 && bitDepth == 1) {
            // PNG: 0 = black; SANE lineart: 1 = black.
            libpng().set_invert_mono(png_);
        } else if ((colorType & PNG_COLOR_MASK_COLOR) == 0 && bitDepth < 8) {
            libpng().set_expand_gray_1_2_4_to_8(png_);
        }
        if (colorType & PNG_COLOR_MASK_ALPHA)
            libpng().set_strip_alpha(png_);
        if (bitDepth == 16 && isLittleEndian())
            libpng().set_swap(png_);
        interlaced_ = libpng().get_interlace_type(png_, info) != PNG_INTERLACE_NONE;
        if (interlaced_)
            libpng().set_interlace_handling(png_);
        libpng().read_update_info(png_, info);

        frame_.width = static_cast<int>(libpng().get_image_width(png_, info));
        frame_.height = static_cast<int>(libpng().get_image_height(png_, info));
        frame_.depth = libpng().get_bit_depth(png_, info);
        frame_.channels = libpng().get_channels(png_, info);
        frame_.bytesPerLine = libpng().get_rowbytes(png_, info);
        png_uint_32 xRes = 0, yRes = 0;
        int unit = 0;
        if (libpng().get_pHYs(png_, info, &xRes, &yRes, &unit) && unit == PNG_RESOLUTION_METER) {
            frame_.xDpi = static_cast<int>(xRes * 0.0254 + 0.5);
            frame_.yDpi = static_cast<int>(yRes * 0.0254 + 0.5);
        }
        if ((frame_.channels != 1 && frame_.channels != 3) ||
            (frame_.depth != 1 && frame_.depth != 8 && frame_.depth != 16))
            abort("unexpected pixel layout after conversion");
        if (interlaced_) {
            if (frame_.bytesPerLine * std::size_t(frame_.height) > limits_.maxBufferedBytes())
                abort("interlaced image too large to buffer");
            image_.assign(frame_.bytesPerLine * std::size_t(frame_.height), 0);
        }
        if (!sink_.onFrame(frame_))
            abort("line sink refused the frame");
    }

    // False with message_ set when the image claims more than the limits
    // allow. Its own frame: no string may live where libpng longjmps from.
    bool withinLimits(png_infop info)
    {
        const std::string refusal = limits_.refusal(libpng().get_image_width(png_, info), libpng().get_image_height(png_, info));
        std::snprintf(message_, sizeof message_, "%s", refusal.c_str());
        return refusal.empty();
    }

    void row(png_bytep data, png_uint_32 number, int pass)
    {
        if (interlaced_) {
            // Later passes fill in pixels of rows seen before; libpng
            // merges them (a null row means "unchanged in this pass").
            if (number < png_uint_32(frame_.height))
                libpng().progressive_combine_row(png_, image_.data() + number * frame_.bytesPerLine, data);
            return;
        }
        if (!data || number != png_uint_32(lines_))
            return;
        if (!emit(data))
            abort("line sink aborted");
    }

    void end()
    {
        ended_ = true;
        if (interlaced_)
            emitBuffered();
    }

    // The rows of an interlaced image, complete after its last pass.
    bool emitBuffered()
    {
        for (; nextBufferedRow_ < frame_.height; ++nextBufferedRow_) {
            if (sink_.full()) {
                held_ = true;
                return true;
            }
            if (!emit(image_.data() + std::size_t(nextBufferedRow_) * frame_.bytesPerLine))
                return failWith("PNG: line sink aborted");
        }
        image_.clear();
        image_.shrink_to_fit();
        return true;
    }

    bool emit(const uint8_t *row)
    {
        uint8_t *line = sink_.lineBuffer();
        if (!line)
            return false;
        std::memcpy(line, row, frame_.bytesPerLine);
        if (!sink_.commitLine())
            return false;
        ++lines_;
        return true;
    }

    // Stops libpng from inside a callback.
    [[noreturn]] void abort(const char *why)
    {
        std::snprintf(message_, sizeof message_, "%s", why);
        libpng().longjmp(png_, 1);
        __builtin_unreachable();  // png_longjmp's noreturn does not survive the function pointer
    }

    static bool isLittleEndian()
    {
        const uint16_t probe = 1;
        uint8_t first;
        std::memcpy(&first, &probe, 1);
        return first == 1;
    }

    LineSink &sink_;
    const ImageLimits limits_;
    png_structp png_ = nullptr;
    png_infop info_ = nullptr;
    ImageFrame frame_;
    bool interlaced_ = false;
    bool ended_ = false;
    std::vector<uint8_t> input_;  // fed, not yet given to libpng
    std::size_t consumed_ = 0;
    std::vector<uint8_t> image_;
    int nextBufferedRow_ = 0;
    char message_[512] = {};
};

}  // namespace

std::unique_ptr<ImageDecoder> makePngDecoder(LineSink &sink, const ImageLimits &limits)
{
    return std::make_unique<PngDecoder>(sink, limits);
}

}  // namespace wsd
