// A C library opened at run time (dlopen) the first time it is needed, so
// that a process that never meets, say, a TIFF image does not map libtiff
// and the libraries it pulls in. RAII around the dlopen handle; the typed
// function tables of the users are filled through bind().
#pragma once

#include <string>

namespace wsd {

class SharedLibrary {
public:
    // soname: the name the linker would have recorded (e.g. "libtiff.so.6").
    explicit SharedLibrary(const char *soname);
    ~SharedLibrary();
    SharedLibrary(const SharedLibrary &) = delete;
    SharedLibrary &operator=(const SharedLibrary &) = delete;

    bool loaded() const { return handle_ != nullptr; }
    // Why opening or the last bind() failed; empty while all went well.
    const std::string &error() const { return error_; }

    // Points function at the library's symbol of that name; false (and
    // error() set) when the library is not loaded or lacks the symbol.
    template <typename Function>
    bool bind(Function *&function, const char *name)
    {
        function = reinterpret_cast<Function *>(symbol(name));
        return function != nullptr;
    }

private:
    void *symbol(const char *name);

    void *handle_ = nullptr;
    std::string soname_;
    std::string error_;
};

// Keeps the shared library that holds `symbol` loaded until the process
// ends (RTLD_NODELETE), whatever unloads this module: for libraries whose
// global or per-thread state cannot survive being unloaded and loaded again.
// SANE's dll backend unloads us at every sane_exit. False when it cannot.
bool keepLoadedForProcess(const void *symbol);

}  // namespace wsd
