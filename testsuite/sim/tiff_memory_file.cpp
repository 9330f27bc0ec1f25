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

}  // namespace

TiffMemoryFile::TiffMemoryFile(std::string contents, const char *mode)
{
    buffer_.data = std::move(contents);
    tiff_ = TIFFClientOpen("memory.tiff", mode, &buffer_, readProc, writeProc, seekProc, closeProc, sizeProc,
                           mapProc, unmapProc);
    if (!tiff_)
        throw std::runtime_error("TIFF: cannot open the in-memory file");
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
