// Preloaded with the ASan runtime into frontends that are not instrumented
// (lib.sh's frontend wrappers, --enable-sanitizers builds only).
//
// Why: a preloaded libasan initialises lazily at the process's first malloc.
// In Simple Scan that malloc happens inside libgpg-error's constructor, in
// glibc's bindtextdomain, which holds gettext's state lock.  ASan's
// initialisation looks up swift_demangle with dlsym; the failed lookup makes
// dlerror translate its message, which takes the same lock again and leaves
// it corrupted: the next gettext call hangs forever.  With the symbol defined
// the lookup succeeds and no message is translated.  ASan calls it only to
// demangle Swift names in its reports; returning null makes it fall back to
// C++ demangling.
#include <cstddef>

extern "C" __attribute__((visibility("default"))) char *
swift_demangle(const char *, std::size_t, char *, std::size_t *, unsigned)
{
    return nullptr;
}
