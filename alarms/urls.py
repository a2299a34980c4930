from django.urls import include, path

# Registers the <uid:...> converter (a device UID's shape) the device alarms URL uses.
from devices.urls import UidConverter  # noqa: F401

from .views import alarm_settings, feed, webhook

# The console's alarm pages, partner-scoped like every app's. Included from here
# rather than from rop_fleet/urls.py so the webhook and the pages stay one include.
console_patterns = [
    path("alarms/", feed.alarm_feed, name="alarm_feed"),
    path("alarms/new/", feed.alarm_feed_new, name="alarm_feed_new"),
    path("alarms/settings/", alarm_settings.alarm_settings, name="alarm_settings"),
    path("alarms/devices/<uid:uid>/", feed.device_alarms, name="device_alarms"),
]

urlpatterns = [
    path("hooks/alarms/<slug:slug>/", webhook.alarm_webhook, name="alarm_webhook"),
    path("p/<slug:slug>/", include(console_patterns)),
]
