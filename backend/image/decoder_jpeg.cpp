// JPEG through libjpeg(-turbo) with a suspending data source: when the
// pushed bytes run out, libjpeg returns and resumes on the next feed(), so
// lines come out while the image is still arriving.
#include "wsd/image_decoder.h"

#include "wsd/log.h"

#include <jpeglib.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

namespace wsd {
namespace {

// Unconsumed input kept between feeds stays small (libjpeg backs up at most
// to the start of a marker segment or an MCU); this bounds a hostile stream.
constexpr std::size_t MaxPendingInput = 4 * 1024 * 1024;
// A progressive JPEG costs a pass over the whole image per scan, and a
// scan can be a few bytes: scanners send baseline JPEG, libjpeg's own
// progressive scripts use about ten scans, so more than this is hostile.
constexpr int MaxProgressiveScans = 100;

struct ErrorManager {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void errorExit(j_common_ptr cinfo)
{
    auto *err = reinterpret_cast<ErrorManager *>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, err->message);
    std::longjmp(err->jump, 1);
}

void outputMessage(j_common_ptr cinfo)
{
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    WSD_DETAIL("libjpeg: %s", text);
}

// Called by libjpeg while it decodes: stops an image with too many scans.
void progressMonitor(j_common_ptr cinfo)
{
    auto *decompress = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (decompress->input_scan_number <= MaxProgressiveScans)
        return;
    auto *err = reinterpret_cast<ErrorManager *>(cinfo->err);
    std::snprintf(err->message, sizeof err->message, "more than %d progressive scans", MaxProgressiveScans);
    std::longjmp(err->jump, 1);
}

void initSource(j_decompress_ptr) {}
void termSource(j_decompress_ptr) {}

// No more bytes yet: suspend. The decoder resumes on the next feed().
boolean fillInputBuffer(j_decompress_ptr) { return FALSE; }

class JpegDecoder;
void skipInputData(j_decompress_ptr cinfo, long count);

class JpegDecoder : public ImageDecoder {
public:
    JpegDecoder(LineSink &sink, const ImageLimits &limits, JpegSettings settings)
        : sink_(sink), limits_(limits), settings_(settings)
    {
        cinfo_.err = jpeg_std_error(&err_.pub);
        err_.pub.error_exit = errorExit;
        err_.pub.output_message = outputMessage;
        err_.message[0] = '\0';
        if (setjmp(err_.jump)) {
            failWith(std::string("JPEG: ") + err_.message);
            return;
        }
        jpeg_create_decompress(&cinfo_);
        created_ = true;
        // Whole-image buffers (a progressive image's coefficients) beyond
        // this fail: libjpeg has no backing store to fall back on.
        cinfo_.mem->max_memory_to_use = static_cast<long>(limits_.maxBufferedBytes());
        progress_.progress_monitor = progressMonitor;
        cinfo_.progress = &progress_;
        source_.init_source = initSource;
        source_.fill_input_buffer = fillInputBuffer;
        source_.skip_input_data = skipInputData;
        source_.resync_to_restart = jpeg_resync_to_restart;
        source_.term_source = termSource;
        source_.next_input_byte = nullptr;
        source_.bytes_in_buffer = 0;
        cinfo_.src = &source_;
        cinfo_.client_data = this;
    }

    ~JpegDecoder() override
    {
        if (created_)
            jpeg_destroy_decompress(&cinfo_);
    }

    bool feed(const uint8_t *data, std::size_t length) override
    {
        if (!error_.empty())
            return false;
        if (stage_ == Stage::Done)
            return true;
        if (skipPending_ > 0) {
            std::size_t skip = std::min<std::size_t>(skipPending_, length);
            skipPending_ -= skip;
            data += skip;
            length -= skip;
        }
        // Keep what libjpeg has not consumed, then append the new bytes.
        std::size_t pending = source_.bytes_in_buffer;
        if (pending > 0 && source_.next_input_byte != input_.data())
            std::memmove(input_.data(), source_.next_input_byte, pending);
        if (pending + length > MaxPendingInput)
            return failWith("JPEG: unconsumed input exceeds bound");
        input_.resize(pending + length);
        if (length > 0)
            std::memcpy(input_.data() + pending, data, length);
        source_.next_input_byte = input_.data();
        source_.bytes_in_buffer = input_.size();
        return pump();
    }

    bool finish() override
    {
        if (!error_.empty())
            return false;
        if (held_ && (!pump() || held_))
            return error_.empty();
        if (stage_ == Stage::Done)
            return true;
        if (stage_ == Stage::Header)
            return failWith("JPEG: data ended inside the header");
        if (stage_ == Stage::Start)
            return failWith("JPEG: data ended before the first line");
        return failWith("JPEG: data ended after " + std::to_string(lines_) + " of " +
                        std::to_string(cinfo_.output_height) + " lines");
    }

    void skip(long count)
    {
        if (count <= 0)
            return;
        std::size_t n = static_cast<std::size_t>(count);
        if (n <= source_.bytes_in_buffer) {
            source_.next_input_byte += n;
            source_.bytes_in_buffer -= n;
        } else {
            skipPending_ += n - source_.bytes_in_buffer;
            source_.next_input_byte += source_.bytes_in_buffer;
            source_.bytes_in_buffer = 0;
        }
    }

private:
    enum class Stage { Header, Start, Lines, Done };

    // Runs libjpeg as far as the input allows. No object with a destructor
    // lives in this frame: libjpeg errors longjmp back into it.
    bool pump()
    {
        held_ = false;
        if (setjmp(err_.jump))
            return failWith(std::string("JPEG: ") + err_.message);
        if (stage_ == Stage::Header) {
            if (jpeg_read_header(&cinfo_, TRUE) == JPEG_SUSPENDED)
                return true;
            // Before jpeg_start_decompress, which allocates for the size.
            const std::string refusal = limits_.refusal(cinfo_.image_width, cinfo_.image_height);
            if (!refusal.empty())
                return failWith("JPEG: " + refusal);
            configure();
            stage_ = Stage::Start;
        }
        if (stage_ == Stage::Start) {
            if (!jpeg_start_decompress(&cinfo_))
                return true;
            if (!announceFrame())
                return false;
            stage_ = Stage::Lines;
        }
        while (stage_ == Stage::Lines && cinfo_.output_scanline < cinfo_.output_height) {
            if (sink_.full()) {
                held_ = true;  // the input stays; the next feed goes on
                return true;
            }
            uint8_t *line = sink_.lineBuffer();
            if (!line)
                return failWith("JPEG: line sink aborted");
            JSAMPROW row = cmyk_ ? cmykLine_.data() : line;
            if (jpeg_read_scanlines(&cinfo_, &row, 1) != 1)
                return true;  // suspended until more data arrives
            if (cmyk_)
                cmykToRgb(cmykLine_.data(), line);
            if (!sink_.commitLine())
                return failWith("JPEG: line sink aborted");
            ++lines_;
        }
        if (stage_ == Stage::Lines) {
            // Everything after the last line (EOI, padding) is not needed.
            stage_ = Stage::Done;
            jpeg_abort_decompress(&cinfo_);
        }
        return true;
    }

    void configure()
    {
        switch (cinfo_.jpeg_color_space) {
        case JCS_GRAYSCALE:
            cinfo_.out_color_space = JCS_GRAYSCALE;
            break;
        case JCS_CMYK:
        case JCS_YCCK:
            // libjpeg converts YCCK to CMYK but not to RGB.
            cinfo_.out_color_space = JCS_CMYK;
            cmyk_ = true;
            break;
        default:
            cinfo_.out_color_space = JCS_RGB;
            break;
        }
        cinfo_.dct_method = settings_.fastDct ? JDCT_IFAST : JDCT_ISLOW;
        cinfo_.do_fancy_upsampling = settings_.fancyUpsampling ? TRUE : FALSE;
    }

    bool announceFrame()
    {
        ImageFrame frame;
        frame.width = static_cast<int>(cinfo_.output_width);
        frame.height = static_cast<int>(cinfo_.output_height);
        frame.depth = 8;
        frame.channels = cinfo_.out_color_space == JCS_GRAYSCALE ? 1 : 3;
        frame.bytesPerLine = std::size_t(frame.width) * frame.channels;
        if (cinfo_.saw_JFIF_marker && cinfo_.density_unit == 1) {
            frame.xDpi = cinfo_.X_density;
            frame.yDpi = cinfo_.Y_density;
        } else if (cinfo_.saw_JFIF_marker && cinfo_.density_unit == 2) {
            frame.xDpi = static_cast<int>(cinfo_.X_density * 2.54 + 0.5);
            frame.yDpi = static_cast<int>(cinfo_.Y_density * 2.54 + 0.5);
        }
        if (cmyk_)
            cmykLine_.resize(std::size_t(frame.width) * 4);
        if (!sink_.onFrame(frame))
            return failWith("JPEG: line sink refused the frame");
        return true;
    }

    void cmykToRgb(const uint8_t *in, uint8_t *out) const
    {
        // Adobe writes CMYK JPEGs inverted (255 = no ink), which is what
        // scanners and libjpeg's YCCK path produce; multiply through.
        bool inverted = cinfo_.saw_Adobe_marker;
        for (unsigned x = 0; x < cinfo_.output_width; ++x, in += 4, out += 3) {
            unsigned c = in[0], m = in[1], y = in[2], k = in[3];
            if (!inverted) {
                c = 255 - c;
                m = 255 - m;
                y = 255 - y;
                k = 255 - k;
            }
            out[0] = static_cast<uint8_t>(c * k / 255);
            out[1] = static_cast<uint8_t>(m * k / 255);
            out[2] = static_cast<uint8_t>(y * k / 255);
        }
    }

    LineSink &sink_;
    const ImageLimits limits_;
    JpegSettings settings_;
    jpeg_decompress_struct cinfo_{};
    ErrorManager err_{};
    jpeg_progress_mgr progress_{};
    jpeg_source_mgr source_{};
    bool created_ = false;
    Stage stage_ = Stage::Header;
    std::vector<uint8_t> input_;
    std::size_t skipPending_ = 0;
    bool cmyk_ = false;
    std::vector<uint8_t> cmykLine_;
};

void skipInputData(j_decompress_ptr cinfo, long count)
{
    static_cast<JpegDecoder *>(cinfo->client_data)->skip(count);
}

}  // namespace

std::unique_ptr<ImageDecoder> makeJpegDecoder(LineSink &sink, const ImageLimits &limits, JpegSettings settings)
{
    return std::make_unique<JpegDecoder>(sink, limits, settings);
}

}  // namespace wsd
