from django.contrib import admin

from .models import Membership, Partner


# Admin classes are generic only in django-stubs; Django cannot subscript them at runtime.
class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "rop_base_url", "request_budget"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # Secrets are set on the partner settings page, never shown back here.
    exclude = ["gateway_token", "webhook_secret"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "partner", "role"]
    list_filter = ["role", "partner"]
    autocomplete_fields = ["user", "partner"]
