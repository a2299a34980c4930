from django.urls import path, register_converter

from .models import UID_RE
from .views import (
    bulk_jobs,
    device_commands,
    device_list,
    device_media,
    device_onboard,
    device_page,
    device_ptz,
    device_wifi,
    lan_device,
)
from .views import sync as sync_views


class UidConverter:
    """A device UID as the Core Server writes it (devices.models.uid_validator): anything
    else never reaches a view or the database (a NUL byte there answered 500)."""

    regex = UID_RE.pattern

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UidConverter, "uid")

urlpatterns = [
    path("devices/", device_list.device_list, name="device_list"),
    path("devices/recent-jobs/", device_list.recent_bulk_jobs, name="recent_bulk_jobs"),
    # The jobs collection: GET lists every job (jobs.views), POST starts a bulk action. Two names
    # for one route: templates post to "bulk_start" and link to "job_list". Job pages: jobs.urls.
    path("jobs/", bulk_jobs.jobs_collection, name="job_list"),
    path("jobs/", bulk_jobs.jobs_collection, name="bulk_start"),
    # The device page and its controls.
    path("devices/onboard/", device_onboard.device_onboard, name="device_onboard"),
    path("devices/<uid:uid>/", device_page.device_detail, name="device_detail"),
    path("devices/<uid:uid>/alarm/", device_page.device_alarm, name="device_alarm"),
    path("devices/<uid:uid>/pir/", device_page.device_pir, name="device_pir"),
    path("devices/<uid:uid>/rename/", device_page.device_rename, name="device_rename"),
    path("devices/<uid:uid>/snapshot/", device_media.device_snapshot, name="device_snapshot"),
    path("devices/<uid:uid>/snapshot.jpg", device_media.device_snapshot_image, name="device_snapshot_image"),
    path("devices/<uid:uid>/live/", device_media.device_live, name="device_live"),
    path("devices/<uid:uid>/ptz/", device_ptz.device_ptz, name="device_ptz"),
    path("devices/<uid:uid>/wifi/", device_wifi.device_wifi, name="device_wifi"),
    path("devices/<uid:uid>/wifi/scan/", device_wifi.device_wifi_scan, name="device_wifi_scan"),
    path("devices/<uid:uid>/wifi/scan/status/", device_wifi.device_wifi_scan_status, name="device_wifi_scan_status"),
    path("devices/<uid:uid>/wifi/test/", device_wifi.device_wifi_test, name="device_wifi_test"),
    path("devices/<uid:uid>/wifi/set/", device_wifi.device_wifi_set, name="device_wifi_set"),
    # LAN devices (docs/lan-devices.md) and the per-channel commands of every device.
    path("devices/lan/add/", lan_device.lan_device_add, name="lan_device_add"),
    path("devices/<uid:uid>/lan/settings/", lan_device.lan_device_settings, name="lan_device_settings"),
    path("devices/<uid:uid>/lan/remove/", lan_device.lan_device_remove, name="lan_device_remove"),
    path("devices/<uid:uid>/lan/certificate/", lan_device.lan_certificate, name="lan_certificate"),
    path("devices/<uid:uid>/channels/ai/", lan_device.lan_channel_ai, name="channel_ai_types"),
    path("devices/<uid:uid>/refresh/", device_commands.device_refresh, name="device_refresh"),
    path("devices/<uid:uid>/commands/ptz/", device_commands.device_command_ptz, name="device_command_ptz"),
    path("devices/<uid:uid>/commands/presets/", device_commands.device_command_presets, name="device_presets"),
    path("devices/<uid:uid>/commands/preset/", device_commands.device_command_preset, name="device_command_preset"),
    path(
        "devices/<uid:uid>/commands/spotlight/",
        device_commands.device_command_spotlight,
        name="device_command_spotlight",
    ),
    path("devices/<uid:uid>/commands/siren/", device_commands.device_command_siren, name="device_command_siren"),
    path("devices/<uid:uid>/commands/reboot/", device_commands.device_command_reboot, name="device_command_reboot"),
    path("sync/", sync_views.sync_now, name="sync_now"),
]
