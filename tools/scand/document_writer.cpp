#include "document_writer.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <jpeglib.h>

#include <unistd.h>

#include <cstdio>
#include <memory>

namespace scand {

namespace {

struct SurfaceFree {
    void operator()(cairo_surface_t *s) const { cairo_surface_destroy(s); }
};
struct CairoFree {
    void operator()(cairo_t *c) const { cairo_destroy(c); }
};
struct FileClose {
    void operator()(FILE *f) const { std::fclose(f); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceFree>;
using Cairo = std::unique_ptr<cairo_t, CairoFree>;

// The gray level (0-255) or RGB of pixel x on row y.
std::uint32_t rgbAt(const Page &page, int x, int y)
{
    const std::uint8_t *row = page.data.data() + static_cast<std::size_t>(y) * page.bytesPerLine;
    if (page.depth == 1) {
        const bool black = row[x / 8] & (0x80 >> (x % 8));
        return black ? 0 : 0xffffff;
    }
    if (page.channels == 1)
        return row[x] * 0x010101u;
    const std::uint8_t *p = row + 3 * x;
    return (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
}

// The page as a cairo image (RGB24, which also serves gray and lineart).
Surface imageOf(const Page &page)
{
    Surface image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, page.width, page.height));
    if (cairo_surface_status(image.get()) != CAIRO_STATUS_SUCCESS)
        return nullptr;
    cairo_surface_flush(image.get());
    unsigned char *pixels = cairo_image_surface_get_data(image.get());
    const int stride = cairo_image_surface_get_stride(image.get());
    for (int y = 0; y < page.height; ++y) {
        auto *out = reinterpret_cast<std::uint32_t *>(pixels + static_cast<std::size_t>(y) * stride);
        for (int x = 0; x < page.width; ++x)
            out[x] = rgbAt(page, x, y);
    }
    cairo_surface_mark_dirty(image.get());
    return image;
}

bool writePng(const Page &page, const std::string &temporary, std::string *error)
{
    Surface image = imageOf(page);
    cairo_status_t status = image ? cairo_surface_write_to_png(image.get(), temporary.c_str()) : CAIRO_STATUS_NO_MEMORY;
    if (status != CAIRO_STATUS_SUCCESS) {
        *error = std::string("PNG: ") + cairo_status_to_string(status);
        return false;
    }
    return true;
}

bool writeJpeg(const Page &page, const std::string &temporary, std::string *error)
{
    std::unique_ptr<FILE, FileClose> file(std::fopen(temporary.c_str(), "wb"));
    if (!file) {
        *error = "cannot create " + temporary;
        return false;
    }
    jpeg_compress_struct info{};
    jpeg_error_mgr errors{};
    info.err = jpeg_std_error(&errors);
    // libjpeg's default error_exit ends the process; our inputs are our own
    // well-formed pages, so only an I/O failure could get there.
    jpeg_create_compress(&info);
    jpeg_stdio_dest(&info, file.get());
    info.image_width = page.width;
    info.image_height = page.height;
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, 90, TRUE);
    info.density_unit = 1;  // dots per inch
    info.X_density = info.Y_density = static_cast<UINT16>(page.dpi);
    jpeg_start_compress(&info, TRUE);
    std::vector<JSAMPLE> row(static_cast<std::size_t>(page.width) * 3);
    for (int y = 0; y < page.height; ++y) {
        for (int x = 0; x < page.width; ++x) {
            const std::uint32_t rgb = rgbAt(page, x, y);
            row[3 * x] = rgb >> 16;
            row[3 * x + 1] = (rgb >> 8) & 0xff;
            row[3 * x + 2] = rgb & 0xff;
        }
        JSAMPROW rows[] = {row.data()};
        jpeg_write_scanlines(&info, rows, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    if (std::fflush(file.get()) != 0 || std::ferror(file.get())) {
        *error = "cannot write " + temporary;
        return false;
    }
    return true;
}

const char *extensionOf(DocumentFormat format)
{
    return format == DocumentFormat::Pdf ? ".pdf" : format == DocumentFormat::Png ? ".png" : ".jpg";
}

}  // namespace

std::string freeBaseName(const std::string &folder, const std::string &baseName, DocumentFormat format)
{
    const std::string extension = extensionOf(format);
    auto taken = [&](const std::string &name) {
        // A document of several pages starts with NAME-1.
        return access((folder + "/" + name + extension).c_str(), F_OK) == 0 ||
               access((folder + "/" + name + "-1" + extension).c_str(), F_OK) == 0;
    };
    std::string name = baseName;
    for (int n = 2; taken(name); ++n)
        name = baseName + "-" + std::to_string(n);
    return name;
}

struct DocumentWriter::Pdf {
    Surface surface;
    Cairo cr;
};

DocumentWriter::DocumentWriter(DocumentFormat format, std::string folder, std::string baseName)
    : format_(format), folder_(std::move(folder)), baseName_(std::move(baseName))
{
}

DocumentWriter::~DocumentWriter()
{
    pdf_.reset();
    for (const std::string &temporary : temporaries_)
        std::remove(temporary.c_str());
}

bool DocumentWriter::addPage(const Page &page, std::string *error)
{
    const std::string extension = extensionOf(format_);
    if (format_ != DocumentFormat::Pdf) {
        const std::string temporary = folder_ + "/." + baseName_ + "-" + std::to_string(pages_ + 1) + extension + ".part";
        temporaries_.push_back(temporary);
        const bool ok = format_ == DocumentFormat::Png ? writePng(page, temporary, error)
                                                       : writeJpeg(page, temporary, error);
        pages_ += ok;
        return ok;
    }
    // PDF units are points (1/72 inch): the page keeps the scanned size.
    const double scale = 72.0 / (page.dpi > 0 ? page.dpi : 72);
    if (!pdf_) {
        const std::string temporary = folder_ + "/." + baseName_ + extension + ".part";
        temporaries_.push_back(temporary);
        Surface surface(cairo_pdf_surface_create(temporary.c_str(), page.width * scale, page.height * scale));
        Cairo cr(cairo_create(surface.get()));
        pdf_.reset(new Pdf{std::move(surface), std::move(cr)});
    }
    Surface image = imageOf(page);
    if (!image) {
        *error = "out of memory for a page image";
        return false;
    }
    cairo_t *cr = pdf_->cr.get();
    cairo_pdf_surface_set_size(pdf_->surface.get(), page.width * scale, page.height * scale);
    cairo_save(cr);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, image.get(), 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_show_page(cr);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        *error = std::string("PDF: ") + cairo_status_to_string(cairo_status(cr));
        return false;
    }
    ++pages_;
    return true;
}

std::vector<std::string> DocumentWriter::finish(std::string *error)
{
    if (pages_ == 0) {
        *error = "no pages";
        return {};
    }
    if (pdf_) {
        pdf_->cr.reset();
        cairo_surface_finish(pdf_->surface.get());
        const cairo_status_t status = cairo_surface_status(pdf_->surface.get());
        pdf_.reset();
        if (status != CAIRO_STATUS_SUCCESS) {
            *error = std::string("PDF: ") + cairo_status_to_string(status);
            return {};
        }
    }
    const std::string extension = extensionOf(format_);
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < temporaries_.size(); ++i) {
        // One page (or the PDF): the base name alone; several: -1, -2 ...
        const std::string name = temporaries_.size() == 1 ? baseName_ : baseName_ + "-" + std::to_string(i + 1);
        paths.push_back(folder_ + "/" + name + extension);
        if (std::rename(temporaries_[i].c_str(), paths.back().c_str()) != 0) {
            *error = "cannot rename " + temporaries_[i] + " to " + paths.back();
            return {};
        }
    }
    temporaries_.clear();
    return paths;
}

}  // namespace scand
