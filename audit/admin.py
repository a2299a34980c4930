from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry


# Generic only in django-stubs; Django cannot subscript it at runtime.
@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "partner", "user", "action", "target_label", "result"]
    list_filter = ["partner", "action", "result"]
    search_fields = ["target_label", "action"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
