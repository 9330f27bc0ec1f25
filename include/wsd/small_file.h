// Reads and writes a small file whole with POSIX calls. The backend reads its config
// and /proc entries this way, not through <fstream>: the first iostream in a
// process sets up the C++ locale machinery, about 600 kB of libstdc++ paged
// in for every frontend that loads us.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace wsd {

// The first `limit` bytes of the file; nullopt when it cannot be opened.
std::optional<std::string> readSmallFile(const std::string &path, std::size_t limit);
// Creates or truncates the file (with `mode` when created) and writes text;
// false when any of it could not be written.
bool writeSmallFile(const std::string &path, const std::string &text, unsigned mode);

}  // namespace wsd
