from django.contrib import admin

from .models import AlarmEvent


@admin.register(AlarmEvent)
class AlarmEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "partner", "device_uid", "channel", "status", "ai_types", "source"]
    list_filter = ["partner", "source", "status"]
    search_fields = ["device_uid"]
    raw_id_fields = ["device"]
