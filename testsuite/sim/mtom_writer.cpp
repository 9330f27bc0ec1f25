#include "mtom_writer.h"

#include "wsd/soap.h"

namespace wsdsim {

MtomWriter::MtomWriter(bool leadingCrlf) : leadingCrlf_(leadingCrlf)
{
    std::string id = wsd::soap::newUuid();
    boundary_ = "uuid:" + id;
    rootId_ = "root." + id + "@wsd-sim";
    imageId_ = "image." + id + "@wsd-sim";
}

std::string MtomWriter::contentType() const
{
    return "multipart/related; type=\"application/xop+xml\"; boundary=\"" + boundary_ + "\"; start=\"<" + rootId_ +
           ">\"; start-info=\"application/soap+xml\"";
}

std::string MtomWriter::head(const std::string &envelope, const std::string &imageContentType) const
{
    std::string out = leadingCrlf_ ? "\r\n" : "";
    out += "--" + boundary_ + "\r\n";
    out += "Content-Type: application/xop+xml; charset=UTF-8; type=\"application/soap+xml\"\r\n";
    out += "Content-Transfer-Encoding: binary\r\n";
    out += "Content-ID: <" + rootId_ + ">\r\n\r\n";
    out += envelope;
    out += "\r\n--" + boundary_ + "\r\n";
    out += "Content-Type: " + imageContentType + "\r\n";
    out += "Content-Transfer-Encoding: binary\r\n";
    out += "Content-ID: <" + imageId_ + ">\r\n\r\n";
    return out;
}

std::string MtomWriter::tail() const { return "\r\n--" + boundary_ + "--\r\n"; }

}  // namespace wsdsim
