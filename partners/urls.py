from django.urls import path

from . import views

urlpatterns = [
    path("settings/", views.partner_settings, name="partner_settings"),
    path("settings/webhook-secret/", views.rotate_webhook_secret, name="rotate_webhook_secret"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/", views.member_update, name="member_update"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
]
