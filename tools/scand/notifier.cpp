#include "notifier.h"

#ifdef HAVE_LIBNOTIFY
#include <libnotify/notify.h>
#endif

#include <cstdlib>

namespace scand {

Notifier::Notifier()
{
#ifdef HAVE_LIBNOTIFY
    // No session bus (a system service, a test): libnotify would only fail later.
    if (std::getenv("DBUS_SESSION_BUS_ADDRESS") || std::getenv("XDG_RUNTIME_DIR"))
        ready_ = notify_init("wsd-scand");
#endif
}

Notifier::~Notifier()
{
#ifdef HAVE_LIBNOTIFY
    if (ready_)
        notify_uninit();
#endif
}

void Notifier::show(const std::string &summary, const std::string &body)
{
#ifdef HAVE_LIBNOTIFY
    if (!ready_)
        return;
    NotifyNotification *n = notify_notification_new(summary.c_str(), body.c_str(), "scanner");
    notify_notification_show(n, nullptr);  // a session without a notification server: nothing shown
    g_object_unref(G_OBJECT(n));
#else
    (void)summary;
    (void)body;
#endif
}

}  // namespace scand
