// libtiff needs a seekable file; the simulator and the checker keep TIFF
// images in memory. This opens a TIFF handle on a std::string buffer.
#pragma once

#include <cstdarg>
#include <string>

#include <tiffio.h>

namespace wsdsim {

class TiffMemoryFile {
public:
    // mode "r" reads `contents`; mode "w" starts an empty file.
    TiffMemoryFile(std::string contents, const char *mode);
    ~TiffMemoryFile();
    TiffMemoryFile(const TiffMemoryFile &) = delete;
    TiffMemoryFile &operator=(const TiffMemoryFile &) = delete;

    TIFF *tiff() const { return tiff_; }
    // Closes the TIFF handle (writing its directory) and hands over the bytes.
    std::string finish();
    // libtiff's first error message on this file (empty if none): errors are
    // reported through exceptions by the callers, never printed.
    const std::string &firstError() const { return firstError_; }

    // The in-memory file libtiff's callbacks work on.
    struct Buffer {
        std::string data;
        uint64_t position = 0;
    };

private:
    Buffer buffer_;
    std::string firstError_;
    TIFF *tiff_;
};

}  // namespace wsdsim
