from django.contrib import admin

from .models import Channel, Device, DeviceHealthSample


class ChannelInline(admin.TabularInline[Channel, Device]):
    model = Channel
    extra = 0


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = [
        "uid",
        "display_name",
        "partner",
        "model",
        "firmware_version",
        "online",
        "battery_percent",
        "alarm_enabled",
        "last_seen",
    ]
    list_filter = ["partner", "online", "family", "transport", "alarm_enabled", "model"]
    # The console list's search columns: on PostgreSQL its icontains lookups use the same
    # trigram indexes (migration 0007).
    search_fields = ["uid", "display_name", "model"]
    # As many rows as a page of the console's list (devices.selectors.DEVICE_PAGE_SIZE), so
    # bench/bench_device_list.py compares pages of the same size.
    list_per_page = 50
    exclude = ["lan_password"]
    list_select_related = ["partner"]
    inlines = [ChannelInline]


@admin.register(DeviceHealthSample)
class DeviceHealthSampleAdmin(admin.ModelAdmin[DeviceHealthSample]):
    list_display = ["device", "taken_at", "online", "battery_percent", "charge_status"]
    raw_id_fields = ["device"]
