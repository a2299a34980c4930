from django.contrib import admin

from .models import AlarmEvent, AlarmSettings


# Generic only in django-stubs; Django cannot subscript it at runtime.
@admin.register(AlarmEvent)
class AlarmEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["received_at", "partner", "device_uid", "channel", "status", "ai_types", "count", "source"]
    list_filter = ["partner", "source", "status"]
    search_fields = ["device_uid"]
    raw_id_fields = ["device"]


@admin.register(AlarmSettings)
class AlarmSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["partner", "retention_days", "allowed_networks", "updated_at"]
