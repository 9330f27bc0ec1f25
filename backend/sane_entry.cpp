// The SANE C ABI. Every entry point catches whatever the C++ below throws and
// maps it to a SANE_Status: no exception crosses into the frontend.
#include "wsd/config.h"
#include "wsd/log.h"

#include <sane/sane.h>

#include <exception>
#include <new>

#include "config.h"

#define WSD_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr SANE_Int BuildVersion = 0;

const SANE_Device *noDevices[] = {nullptr};

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

}  // namespace

WSD_EXPORT SANE_Status sane_wsd_init(SANE_Int *version_code, SANE_Auth_Callback)
{
    wsd::log::init();
    WSD_INFO("sane-wsd %s (backend version %d.%d.%d)", PACKAGE_VERSION, SANE_CURRENT_MAJOR, 0, BuildVersion);
    if (version_code)
        *version_code = SANE_VERSION_CODE(SANE_CURRENT_MAJOR, 0, BuildVersion);
    return guarded("sane_init", [] {
        wsd::Config config = wsd::loadConfig();
        (void)config;
        return SANE_STATUS_GOOD;
    });
}

WSD_EXPORT void sane_wsd_exit(void) {}

WSD_EXPORT SANE_Status sane_wsd_get_devices(const SANE_Device ***device_list, SANE_Bool)
{
    if (!device_list)
        return SANE_STATUS_INVAL;
    *device_list = noDevices;
    return SANE_STATUS_GOOD;
}

WSD_EXPORT SANE_Status sane_wsd_open(SANE_String_Const, SANE_Handle *) { return SANE_STATUS_INVAL; }
WSD_EXPORT void sane_wsd_close(SANE_Handle) {}
WSD_EXPORT const SANE_Option_Descriptor *sane_wsd_get_option_descriptor(SANE_Handle, SANE_Int) { return nullptr; }
WSD_EXPORT SANE_Status sane_wsd_control_option(SANE_Handle, SANE_Int, SANE_Action, void *, SANE_Int *)
{
    return SANE_STATUS_INVAL;
}
WSD_EXPORT SANE_Status sane_wsd_get_parameters(SANE_Handle, SANE_Parameters *) { return SANE_STATUS_INVAL; }
WSD_EXPORT SANE_Status sane_wsd_start(SANE_Handle) { return SANE_STATUS_INVAL; }
WSD_EXPORT SANE_Status sane_wsd_read(SANE_Handle, SANE_Byte *, SANE_Int, SANE_Int *len)
{
    if (len)
        *len = 0;
    return SANE_STATUS_INVAL;
}
WSD_EXPORT void sane_wsd_cancel(SANE_Handle) {}
WSD_EXPORT SANE_Status sane_wsd_set_io_mode(SANE_Handle, SANE_Bool) { return SANE_STATUS_INVAL; }
WSD_EXPORT SANE_Status sane_wsd_get_select_fd(SANE_Handle, SANE_Int *) { return SANE_STATUS_INVAL; }

// SANE's dll loader looks for sane_wsd_*; a frontend linked straight to the
// library calls sane_*. Both names are the same functions.
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
