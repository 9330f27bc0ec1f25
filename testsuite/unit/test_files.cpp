#include "test_files.h"

#include <cstdio>
#include <memory>

#include "suites.h"

std::string readTestFile(const std::string &path)
{
    // stdio, not iostreams: check.h defines a macro named fail.
    std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"), std::fclose);
    ck_assert_msg(file != nullptr, "cannot read %s", path.c_str());
    std::string text;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
        text.append(buffer, n);
    return text;
}

std::string readDeviceCapture(const std::string &relative)
{
    return readTestFile(std::string(WSD_SOURCE_DIR) + "/testsuite/data/devices/" + relative);
}
