#include "wsd/shared_library.h"

#include <dlfcn.h>

namespace wsd {

SharedLibrary::SharedLibrary(const char *soname) : soname_(soname)
{
    // RTLD_LOCAL: the library's symbols serve our table only, not other
    // modules of the host process.
    handle_ = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
        const char *why = dlerror();
        error_ = "cannot load " + soname_ + (why ? std::string(": ") + why : std::string());
    }
}

SharedLibrary::~SharedLibrary()
{
    if (handle_)
        dlclose(handle_);
}

void *SharedLibrary::symbol(const char *name)
{
    if (!handle_)
        return nullptr;
    void *address = dlsym(handle_, name);
    if (!address)
        error_ = soname_ + " has no " + name;
    return address;
}

bool keepLoadedForProcess(const void *symbol)
{
    Dl_info info{};
    // The handle is deliberately never closed: that is the point.
    return dladdr(symbol, &info) != 0 && info.dli_fname != nullptr &&
           dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != nullptr;
}

}  // namespace wsd
