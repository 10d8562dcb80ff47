"""A minimal org.freedesktop.Notifications server on the session bus. Each Notify call is
appended to a file as one JSON line ({app_name, app_icon, summary, body, actions, hints, ...,
at: Unix time}; numeric hints such as urgency as numbers, the others as text) so a test can assert on
the reminders the app shows. A test plays the user's click through the extra method
org.calbuddy.E2E.InvokeAction(id, action_key): the server then emits ActionInvoked from
/org/freedesktop/Notifications, as a real server does. Usage: notify_server.py OUT_FILE.
Runs until SIGTERM."""

import json
import signal
import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
CONTROL = "org.calbuddy.E2E"  # the test's own interface, not part of the specification


class Server(dbus.service.Object):
    def __init__(self, bus, out):
        super().__init__(bus, PATH)
        self.out = out
        self.next_id = 0
        self.shown = set()  # ids returned by Notify and not closed since

    def _log(self, record):
        record["at"] = time.time()  # wall clock, for checks of when a reminder came
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout):
        if replaces_id:
            nid = int(replaces_id)
        else:
            self.next_id += 1
            nid = self.next_id
        self.shown.add(nid)
        # dbus.Byte (urgency) and the other integer types are ints; strings and the rest as text.
        plain_hints = {str(k): (int(v) if isinstance(v, int) else str(v)) for k, v in hints.items()}
        self._log({"method": "Notify", "id": nid, "app_name": str(app_name),
                   "app_icon": str(app_icon), "hints": plain_hints,
                   "summary": str(summary), "body": str(body),
                   "actions": [str(a) for a in actions], "expire_timeout": int(expire_timeout)})
        return dbus.UInt32(nid)

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body", "actions"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("calbuddy-e2e", "calbuddy", "1.0", "1.2")

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, notification_id):
        self._log({"method": "CloseNotification", "id": int(notification_id)})
        self.shown.discard(int(notification_id))
        self.NotificationClosed(notification_id, 3)

    @dbus.service.method(CONTROL, in_signature="us", out_signature="b")
    def InvokeAction(self, notification_id, action_key):
        """Plays the user's click on action `action_key` ("default": the notification itself) of
        a shown notification. Returns false, emitting nothing, for an id not currently shown."""
        known = int(notification_id) in self.shown
        self._log({"method": "InvokeAction", "id": int(notification_id), "action": str(action_key),
                   "known": known})
        if known:
            self.ActionInvoked(dbus.UInt32(notification_id), str(action_key))
        return known

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, notification_id, reason):
        pass

    @dbus.service.signal(NAME, signature="us")
    def ActionInvoked(self, notification_id, action_key):
        pass


def main():
    out = sys.argv[1]
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    result = bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
    if result != dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER:
        print(f"notify_server: cannot own {NAME} (reply {result})", file=sys.stderr)
        sys.exit(1)
    server = Server(bus, out)  # noqa: F841 (kept alive by the bus)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    loop.run()


if __name__ == "__main__":
    main()
