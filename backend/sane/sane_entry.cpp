// The SANE C ABI. Every entry point catches whatever the C++ below throws and
// maps it to a SANE_Status: no exception crosses into the frontend.
#include "wsd/config.h"
#include "wsd/device_list.h"
#include "wsd/http.h"
#include "wsd/log.h"
#include "wsd/scanner.h"
#include "wsd/xml.h"

#include <sane/sane.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <new>
#include <vector>

#include "config.h"

#define WSD_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr SANE_Int BuildVersion = 0;

struct Backend {
    wsd::Config config;  // holds the connection pool every request of this instance shares
    std::unique_ptr<wsd::DeviceList> devices;
    std::vector<std::unique_ptr<wsd::Scanner>> open;
};

std::unique_ptr<Backend> backend;

template <typename F>
SANE_Status guarded(const char *what, F &&body)
{
    try {
        return body();
    } catch (const std::bad_alloc &) {
        WSD_ERROR("%s: out of memory", what);
        return SANE_STATUS_NO_MEM;
    } catch (const std::exception &e) {
        WSD_ERROR("%s: %s", what, e.what());
        return SANE_STATUS_IO_ERROR;
    } catch (...) {
        WSD_ERROR("%s: unexpected failure", what);
        return SANE_STATUS_IO_ERROR;
    }
}

wsd::Scanner *scanner(SANE_Handle h) { return static_cast<wsd::Scanner *>(h); }

}  // namespace

WSD_EXPORT SANE_Status sane_wsd_init(SANE_Int *version_code, SANE_Auth_Callback)
{
    wsd::log::init();
    WSD_INFO("sane-wsd %s, backend version %d.0.%d", PACKAGE_VERSION, SANE_CURRENT_MAJOR, BuildVersion);
    if (version_code)
        *version_code = SANE_VERSION_CODE(SANE_CURRENT_MAJOR, 0, BuildVersion);
    return guarded("sane_init", [] {
        wsd::xml::initialize();  // before any thread of ours uses libxml2
        auto b = std::make_unique<Backend>();
        b->config = wsd::loadConfig();
        b->config.connections = std::make_shared<wsd::http::ConnectionPool>();
        b->devices = std::make_unique<wsd::DeviceList>(b->config);
        backend = std::move(b);
        return SANE_STATUS_GOOD;
    });
}

WSD_EXPORT void sane_wsd_exit(void)
{
    guarded("sane_exit", [] {
        // Closing a handle cancels its unfinished job on the device.
        backend.reset();
        return SANE_STATUS_GOOD;
    });
}

WSD_EXPORT SANE_Status sane_wsd_get_devices(const SANE_Device ***device_list, SANE_Bool local_only)
{
    if (!device_list)
        return SANE_STATUS_INVAL;
    if (!backend)
        return SANE_STATUS_INVAL;
    return guarded("sane_get_devices", [&] {
        *device_list = backend->devices->refresh(local_only == SANE_TRUE);
        return SANE_STATUS_GOOD;
    });
}

WSD_EXPORT SANE_Status sane_wsd_open(SANE_String_Const name, SANE_Handle *handle)
{
    if (!handle || !backend)
        return SANE_STATUS_INVAL;
    return guarded("sane_open", [&] {
        auto record = backend->devices->find(name ? name : "");
        if (!record) {
            WSD_ERROR("sane_open: no device named '%s'", name ? name : "");
            return SANE_STATUS_INVAL;
        }
        std::unique_ptr<wsd::Scanner> s;
        SANE_Status status = wsd::Scanner::open(*record, backend->config, s);
        if (status != SANE_STATUS_GOOD)
            return status;
        *handle = s.get();
        backend->open.push_back(std::move(s));
        return SANE_STATUS_GOOD;
    });
}

WSD_EXPORT void sane_wsd_close(SANE_Handle h)
{
    guarded("sane_close", [&] {
        if (!backend)
            return SANE_STATUS_GOOD;
        auto &open = backend->open;
        open.erase(std::remove_if(open.begin(), open.end(), [&](const auto &s) { return s.get() == h; }), open.end());
        return SANE_STATUS_GOOD;
    });
}

WSD_EXPORT const SANE_Option_Descriptor *sane_wsd_get_option_descriptor(SANE_Handle h, SANE_Int option)
{
    try {
        return h ? scanner(h)->descriptor(option) : nullptr;
    } catch (...) {
        return nullptr;
    }
}

WSD_EXPORT SANE_Status sane_wsd_control_option(SANE_Handle h, SANE_Int option, SANE_Action action, void *value,
                                               SANE_Int *info)
{
    if (!h)
        return SANE_STATUS_INVAL;
    return guarded("sane_control_option", [&] { return scanner(h)->control(option, action, value, info); });
}

WSD_EXPORT SANE_Status sane_wsd_get_parameters(SANE_Handle h, SANE_Parameters *params)
{
    if (!h)
        return SANE_STATUS_INVAL;
    return guarded("sane_get_parameters", [&] { return scanner(h)->parameters(params); });
}

WSD_EXPORT SANE_Status sane_wsd_start(SANE_Handle h)
{
    if (!h)
        return SANE_STATUS_INVAL;
    return guarded("sane_start", [&] { return scanner(h)->start(); });
}

WSD_EXPORT SANE_Status sane_wsd_read(SANE_Handle h, SANE_Byte *data, SANE_Int max, SANE_Int *length)
{
    if (length)
        *length = 0;
    if (!h)
        return SANE_STATUS_INVAL;
    return guarded("sane_read", [&] { return scanner(h)->read(data, max, length); });
}

// May run in a signal handler: Scanner::cancel is an atomic increment and
// eventfd writes, nothing else.
WSD_EXPORT void sane_wsd_cancel(SANE_Handle h)
{
    if (h)
        scanner(h)->cancel();
}

WSD_EXPORT SANE_Status sane_wsd_set_io_mode(SANE_Handle h, SANE_Bool non_blocking)
{
    if (!h)
        return SANE_STATUS_INVAL;
    return guarded("sane_set_io_mode", [&] { return scanner(h)->setIoMode(non_blocking); });
}

WSD_EXPORT SANE_Status sane_wsd_get_select_fd(SANE_Handle h, SANE_Int *fd)
{
    if (!h)
        return SANE_STATUS_INVAL;
    return guarded("sane_get_select_fd", [&] { return scanner(h)->selectFd(fd); });
}

// SANE's dll loader looks for sane_wsd_*; a frontend linked straight to the
// library calls sane_*. Both names are the same functions. (GCC notes that
// sane.h declares sane_* without the nothrow it infers for our bodies.)
#pragma GCC diagnostic ignored "-Wmissing-attributes"
#define WSD_ALIAS(name) WSD_EXPORT decltype(sane_wsd_##name) sane_##name __attribute__((alias("sane_wsd_" #name)));
WSD_ALIAS(init)
WSD_ALIAS(exit)
WSD_ALIAS(get_devices)
WSD_ALIAS(open)
WSD_ALIAS(close)
WSD_ALIAS(get_option_descriptor)
WSD_ALIAS(control_option)
WSD_ALIAS(get_parameters)
WSD_ALIAS(start)
WSD_ALIAS(read)
WSD_ALIAS(cancel)
WSD_ALIAS(set_io_mode)
WSD_ALIAS(get_select_fd)
