// sane_read's side of a page: takes the encoded image from the PagePipe and
// decodes it on the caller's thread, straight into the frontend's buffer.
// A line that does not fit there waits in an overflow, and the decoder holds
// back the next ones until sane_read comes again; so one decoded line is
// kept at most (a DIB's lines from one piece of input).
#pragma once

#include "wsd/image_decoder.h"
#include "wsd/page_geometry.h"
#include "wsd/page_pipe.h"

#include <sane/sane.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace wsd {

struct FrameFormat {
    SANE_Frame format = SANE_FRAME_GRAY;
    int depth = 8;
    int pixelsPerLine = 0;
    int lines = -1;  // -1 while unknown
    std::size_t bytesPerLine = 0;
};

class PageReader : private LineSink {
public:
    // cancelled: sane_cancel came for this page (checked between pieces);
    // cancelFd: readable then, so waits end at once. refused: called once
    // when the decoder refuses the page's image (invalid, or larger than
    // the limits allow), so that the job is cancelled on the device even
    // when its transfer is over.
    PageReader(PagePipe &pipe, int cancelFd, std::function<bool()> cancelled, std::function<void()> refused);

    // sane_start, after pipe.reset(): decodes until the frame format is
    // known; GOOD, or the status the page ended with. An image larger than
    // limits allow is refused (IO_ERROR) before anything is allocated for it.
    // thresholdPercent: the page is lineart made here from an 8-bit gray or
    // colour image (thresholdLine); the frame is then 1 bit deep.
    SANE_Status start(FrameFormat &format, const ImageLimits &limits, std::optional<int> thresholdPercent = {});
    // sane_read: GOOD with *length > 0, or with 0 only when not blocking
    // and nothing is decoded yet; EOF once the page is done; the error; or
    // CANCELLED.
    SANE_Status read(std::uint8_t *out, int max, int *length, bool blocking);

private:
    enum class Fed { Piece, Nothing, Ended };

    bool onFrame(const ImageFrame &image) override;
    std::uint8_t *lineBuffer() override;
    bool commitLine() override;
    // A line waits in the overflow: the decoder holds the next ones back.
    bool full() const override { return !upsideDown_ && overflowEnd_ > overflowRead_; }

    // Feeds the decoder the next piece of the image, waiting for it when
    // blocking. Ended: status_ holds how the page ended.
    Fed feedPiece(bool blocking);
    // The line is in the frame (or, for lineart, in decodedLine_): pass it on.
    bool finishLine();
    // A line of an image that is mapped onto the page (mapping_).
    bool commitMappedLine();
    Fed ended();   // the decoder gave every line
    Fed failed();  // the decoder found the image invalid
    void endWith(SANE_Status status);
    std::uint8_t *outputLine();
    // Where the next line of the frame goes: the frontend's buffer, the
    // overflow, or the whole page kept to turn it.
    std::uint8_t *frameLine();
    void commitOutputLine();
    void drainOverflow();
    void emitTurnedLines();

    PagePipe &pipe_;
    int cancelFd_;
    std::function<bool()> cancelled_;
    std::function<void()> refused_;
    std::unique_ptr<ImageDecoder> decoder_;
    std::optional<FrameFormat> frame_;
    bool dataEnded_ = false;  // the pipe said EOF: the decoder has all the data
    std::optional<SANE_Status> status_;  // how the page ended, once it did
    int lines_ = 0;
    std::optional<int> thresholdPercent_;
    int decodedChannels_ = 1;
    std::vector<std::uint8_t> decodedLine_;  // the decoder's line before thresholding

    // The frontend's buffer during read().
    std::uint8_t *out_ = nullptr;
    std::size_t max_ = 0;
    std::size_t copied_ = 0;
    bool direct_ = false;  // the pending line is in out_

    std::vector<std::uint8_t> overflow_;  // reused from page to page
    std::size_t overflowRead_ = 0;
    std::size_t overflowEnd_ = 0;

    // An image that is not the page asked for (page_geometry.h): its
    // lines go to sourceLine_ and are mapped onto the frame.
    std::optional<PageMapping> mapping_;
    std::vector<std::uint8_t> sourceLine_;
    int sourceRows_ = 0;  // image lines decoded
    int mappedRows_ = 0;  // page lines made from them

    // A page that arrives upside down is kept whole, then sent bottom up.
    bool upsideDown_ = false;
    std::vector<std::uint8_t> wholePage_;
    int nextTurnedLine_ = -1;
};

}  // namespace wsd
