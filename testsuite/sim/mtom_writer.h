// Frames a RetrieveImage answer as MTOM/XOP (INDEX §7): multipart/related
// with the SOAP envelope as the root part (its ScanData holds an xop:Include
// pointing at the image part) and the image bytes, binary, as the second part.
// Only the parts around the image are built here, so the image itself can be
// streamed as it is "scanned".
#pragma once

#include <string>

namespace wsdsim {

class MtomWriter {
public:
    // leadingCrlf: start the body with CRLF before the first delimiter, as
    // many devices do; without it the body begins with "--boundary".
    explicit MtomWriter(bool leadingCrlf = true);

    // For the envelope's <xop:Include href="...">.
    std::string imageHref() const { return "cid:" + imageId_; }
    // The HTTP Content-Type of the whole message.
    std::string contentType() const;
    // Everything before the image bytes: root part and the image part's headers.
    std::string head(const std::string &envelope, const std::string &imageContentType) const;
    // The closing delimiter after the image bytes.
    std::string tail() const;

private:
    bool leadingCrlf_;
    std::string boundary_;
    std::string rootId_;
    std::string imageId_;
};

}  // namespace wsdsim
