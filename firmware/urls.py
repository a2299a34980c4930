from django.urls import path

from . import views

urlpatterns = [
    path("firmware/", views.firmware_list, name="firmware_list"),
    path("firmware/upload/", views.firmware_upload, name="firmware_upload"),
    path("firmware/<int:image_id>/", views.firmware_detail, name="firmware_detail"),
    path("firmware/<int:image_id>/edit/", views.firmware_edit, name="firmware_edit"),
    path("firmware/<int:image_id>/push/", views.firmware_push, name="firmware_push"),
    path("firmware/<int:image_id>/delete/", views.firmware_delete, name="firmware_delete"),
]
