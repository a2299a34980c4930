from django.contrib import admin

from .models import FirmwareImage, Rollout


@admin.register(FirmwareImage)
class FirmwareImageAdmin(admin.ModelAdmin[FirmwareImage]):
    list_display = ["file_name", "partner", "version", "size", "uploaded_to_rop_at", "created_at"]
    list_filter = ["partner"]
    search_fields = ["file_name", "sha256"]


@admin.register(Rollout)
class RolloutAdmin(admin.ModelAdmin[Rollout]):
    list_display = ["name", "partner", "image", "current_wave", "created_at"]
    list_filter = ["partner"]
    raw_id_fields = ["job", "image", "rolled_back_from"]
