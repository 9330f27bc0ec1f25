#include "tiff_memory_file.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace wsdsim {

namespace {

using Buffer = TiffMemoryFile::Buffer;

tmsize_t readProc(thandle_t handle, void *to, tmsize_t size)
{
    auto *file = static_cast<Buffer *>(handle);
    if (size <= 0 || file->position >= file->data.size())
        return 0;
    auto n = std::min<uint64_t>(static_cast<uint64_t>(size), file->data.size() - file->position);
    std::memcpy(to, file->data.data() + file->position, n);
    file->position += n;
    return static_cast<tmsize_t>(n);
}

tmsize_t writeProc(thandle_t handle, void *from, tmsize_t size)
{
    auto *file = static_cast<Buffer *>(handle);
    if (size < 0)
        return -1;
    uint64_t end = file->position + static_cast<uint64_t>(size);
    if (end > file->data.size())
        file->data.resize(end);
    std::memcpy(&file->data[file->position], from, static_cast<size_t>(size));
    file->position = end;
    return size;
}

toff_t seekProc(thandle_t handle, toff_t offset, int whence)
{
    auto *file = static_cast<Buffer *>(handle);
    uint64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? file->position : file->data.size();
    file->position = base + offset;
    return file->position;
}

int closeProc(thandle_t) { return 0; }
toff_t sizeProc(thandle_t handle) { return static_cast<Buffer *>(handle)->data.size(); }
int mapProc(thandle_t, void **, toff_t *) { return 0; }
void unmapProc(thandle_t, void *, toff_t) {}

int keepFirstError(TIFF *, void *userData, const char *module, const char *fmt, va_list args)
{
    auto *firstError = static_cast<std::string *>(userData);
    if (firstError->empty()) {
        char message[512];
        std::vsnprintf(message, sizeof message, fmt, args);
        *firstError = std::string(module ? module : "TIFF") + ": " + message;
    }
    return 1;   // handled: libtiff prints nothing
}

int ignoreWarning(TIFF *, void *, const char *, const char *, va_list) { return 1; }

// Bound on one allocation libtiff makes for a file (a strip, a tag array):
// more than an uncompressed A4 page at 1200 dpi in colour needs.
constexpr tmsize_t kMaxSingleAllocation = 512 * 1024 * 1024;

struct OpenOptions {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    ~OpenOptions() { TIFFOpenOptionsFree(options); }
};

}  // namespace

TiffMemoryFile::TiffMemoryFile(std::string contents, const char *mode)
{
    buffer_.data = std::move(contents);
    OpenOptions open;
    if (!open.options)
        throw std::runtime_error("TIFF: out of memory");
    TIFFOpenOptionsSetErrorHandlerExtR(open.options, keepFirstError, &firstError_);
    TIFFOpenOptionsSetWarningHandlerExtR(open.options, ignoreWarning, nullptr);
    TIFFOpenOptionsSetMaxSingleMemAlloc(open.options, kMaxSingleAllocation);
    tiff_ = TIFFClientOpenExt("memory.tiff", mode, &buffer_, readProc, writeProc, seekProc, closeProc, sizeProc,
                              mapProc, unmapProc, open.options);
    if (!tiff_)
        throw std::runtime_error("TIFF: cannot open the file" + (firstError_.empty() ? "" : ": " + firstError_));
}

TiffMemoryFile::~TiffMemoryFile()
{
    if (tiff_)
        TIFFClose(tiff_);
}

std::string TiffMemoryFile::finish()
{
    TIFFClose(tiff_);
    tiff_ = nullptr;
    return std::move(buffer_.data);
}

}  // namespace wsdsim
