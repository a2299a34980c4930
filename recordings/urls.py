from django.urls import path

# Registers the <uid:...> converter (a device UID's shape).
from devices.urls import UidConverter  # noqa: F401

from .views import device

urlpatterns = [
    path("recordings/devices/<uid:uid>/", device.device_recordings, name="device_recordings"),
    path("recordings/devices/<uid:uid>/play/", device.device_playback, name="device_playback"),
]
