// Debug logging in SANE's manner: SANE_DEBUG_WSD=N selects how much goes to
// stderr. Levels: 1 errors, 2 warnings, 3 informational, 4 protocol summary,
// 5 protocol detail, 6+ everything.
#pragma once

#include <cstdarg>

namespace wsd::log {

enum Level { Error = 1, Warning = 2, Info = 3, Protocol = 4, Detail = 5, Verbose = 6 };

// Reads SANE_DEBUG_WSD; cheap and idempotent, called from sane_init and tools.
void init();
int level();
// Tools (wsd-discover -v, wsd-sim -v) raise the level without the environment.
void setLevel(int level);

void print(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace wsd::log

#define WSD_LOG(lvl, ...)                                          \
    do {                                                           \
        if (::wsd::log::level() >= (lvl))                          \
            ::wsd::log::print((lvl), __VA_ARGS__);                 \
    } while (0)
#define WSD_ERROR(...) WSD_LOG(::wsd::log::Error, __VA_ARGS__)
#define WSD_WARN(...) WSD_LOG(::wsd::log::Warning, __VA_ARGS__)
#define WSD_INFO(...) WSD_LOG(::wsd::log::Info, __VA_ARGS__)
#define WSD_PROTO(...) WSD_LOG(::wsd::log::Protocol, __VA_ARGS__)
#define WSD_DETAIL(...) WSD_LOG(::wsd::log::Detail, __VA_ARGS__)
