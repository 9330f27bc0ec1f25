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

bool finish(const std::string &temporary, const std::string &path, std::string *error)
{
    if (std::rename(temporary.c_str(), path.c_str()) == 0)
        return true;
    *error = "cannot rename " + temporary + " to " + path;
    std::remove(temporary.c_str());
    return false;
}

bool writePdf(const std::vector<Page> &pages, const std::string &temporary, std::string *error)
{
    // PDF units are points (1/72 inch): the page keeps the scanned size.
    auto points = [](int pixels, int dpi) { return pixels * 72.0 / (dpi > 0 ? dpi : 72); };
    Surface pdf(cairo_pdf_surface_create(temporary.c_str(), points(pages[0].width, pages[0].dpi),
                                         points(pages[0].height, pages[0].dpi)));
    Cairo cr(cairo_create(pdf.get()));
    for (const Page &page : pages) {
        Surface image = imageOf(page);
        if (!image) {
            *error = "out of memory for a page image";
            return false;
        }
        const double scale = points(1, page.dpi);
        cairo_pdf_surface_set_size(pdf.get(), page.width * scale, page.height * scale);
        cairo_save(cr.get());
        cairo_scale(cr.get(), scale, scale);
        cairo_set_source_surface(cr.get(), image.get(), 0, 0);
        cairo_paint(cr.get());
        cairo_restore(cr.get());
        cairo_show_page(cr.get());
    }
    cr.reset();
    cairo_surface_finish(pdf.get());
    if (cairo_surface_status(pdf.get()) != CAIRO_STATUS_SUCCESS) {
        *error = std::string("PDF: ") + cairo_status_to_string(cairo_surface_status(pdf.get()));
        return false;
    }
    return true;
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

std::vector<std::string> writeDocument(const std::vector<Page> &pages, DocumentFormat format,
                                       const std::string &folder, const std::string &baseName, std::string *error)
{
    std::vector<std::string> written;
    if (pages.empty()) {
        *error = "no pages";
        return written;
    }
    if (format == DocumentFormat::Pdf) {
        const std::string path = folder + "/" + baseName + ".pdf";
        const std::string temporary = folder + "/." + baseName + ".pdf.part";
        if (writePdf(pages, temporary, error) && finish(temporary, path, error))
            written.push_back(path);
        else
            std::remove(temporary.c_str());
        return written;
    }
    const char *extension = extensionOf(format);
    for (std::size_t i = 0; i < pages.size(); ++i) {
        const std::string name = pages.size() == 1 ? baseName : baseName + "-" + std::to_string(i + 1);
        const std::string path = folder + "/" + name + extension;
        const std::string temporary = folder + "/." + name + extension + ".part";
        const bool ok = format == DocumentFormat::Png ? writePng(pages[i], temporary, error)
                                                      : writeJpeg(pages[i], temporary, error);
        if (!ok || !finish(temporary, path, error)) {
            std::remove(temporary.c_str());
            return {};
        }
        written.push_back(path);
    }
    return written;
}

}  // namespace scand
