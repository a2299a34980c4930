from django.contrib import admin

from .models import FirmwareImage, Rollout, RolloutTarget


@admin.register(FirmwareImage)
class FirmwareImageAdmin(admin.ModelAdmin[FirmwareImage]):
    list_display = ["file_name", "partner", "version", "size", "uploaded_to_rop_at", "created_at"]
    list_filter = ["partner"]
    search_fields = ["file_name", "sha256"]


@admin.register(Rollout)
class RolloutAdmin(admin.ModelAdmin[Rollout]):
    list_display = ["name", "partner", "image", "state", "current_wave", "created_at"]
    list_filter = ["partner", "state"]


@admin.register(RolloutTarget)
class RolloutTargetAdmin(admin.ModelAdmin[RolloutTarget]):
    list_display = ["rollout", "device", "wave", "state", "outcome", "attempts", "updated_at"]
    list_filter = ["state"]
    raw_id_fields = ["rollout", "device"]
