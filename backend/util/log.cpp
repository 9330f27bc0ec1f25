#include "wsd/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace wsd::log {

namespace {
std::atomic<int> currentLevel{0};
std::mutex outputMutex;  // keeps lines from worker threads whole
}  // namespace

void init()
{
    const char *env = std::getenv("SANE_DEBUG_WSD");
    if (env && *env)
        currentLevel = std::atoi(env);
}

int level() { return currentLevel.load(std::memory_order_relaxed); }

void setLevel(int lvl) { currentLevel = lvl; }

void print(int lvl, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    const char *kind = lvl == Error ? "error: " : lvl == Warning ? "warning: " : "";
    std::lock_guard<std::mutex> lock(outputMutex);
    std::fprintf(stderr, "[wsd] %s%s\n", kind, line);
}

}  // namespace wsd::log
