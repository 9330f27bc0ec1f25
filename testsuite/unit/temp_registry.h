// A job registry file in a fresh directory of its own, removed afterwards
// (the registry makes its subdirectory itself). Include it after <fstream>
// and suites.h: it uses Check's assertions, and check.h defines a macro
// named fail that <fstream> must not see.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

struct TempRegistry {
    char dir[64] = "/tmp/wsd-registry-XXXXXX";
    std::string path;
    TempRegistry()
    {
        ck_assert_ptr_nonnull(mkdtemp(dir));
        path = std::string(dir) + "/sub/jobs";
    }
    ~TempRegistry()
    {
        for (const char *suffix : {"", ".lock", ".new"})
            std::remove((path + suffix).c_str());
        rmdir((std::string(dir) + "/sub").c_str());
        rmdir(dir);
    }
    std::string text() const
    {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
};
