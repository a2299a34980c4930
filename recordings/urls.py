from django.urls import path

# Registers the <uid:...> converter (a device UID's shape).
from devices.urls import UidConverter  # noqa: F401

from .views import device, search

urlpatterns = [
    path("recordings/devices/<uid:uid>/", device.device_recordings, name="device_recordings"),
    path("recordings/devices/<uid:uid>/play/", device.device_playback, name="device_playback"),
    path("recordings/search/", search.search_collection, name="recording_searches"),
    path("recordings/search/<int:search_id>/", search.search_detail, name="recording_search"),
]
