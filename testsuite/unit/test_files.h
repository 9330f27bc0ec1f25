// Reading test inputs: the real device captures in the shared reference
// folder beside the repository, and files of the source tree.
#pragma once

#include <string>

// The whole file; the test fails when it cannot be read.
std::string readTestFile(const std::string &path);
// A file below the shared folder, e.g. "ref/devices/.../x.xml".
std::string readSharedFile(const std::string &relative);
