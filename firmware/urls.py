from django.urls import path

from . import rollout_views, views

urlpatterns = [
    path("firmware/", views.firmware_list, name="firmware_list"),
    path("firmware/upload/", views.firmware_upload, name="firmware_upload"),
    path("firmware/<int:image_id>/", views.firmware_detail, name="firmware_detail"),
    path("firmware/<int:image_id>/edit/", views.firmware_edit, name="firmware_edit"),
    path("firmware/<int:image_id>/push/", views.firmware_push, name="firmware_push"),
    path("firmware/<int:image_id>/delete/", views.firmware_delete, name="firmware_delete"),
    path("firmware/compliance/", rollout_views.firmware_compliance, name="firmware_compliance"),
    path("firmware/rollouts/", rollout_views.rollout_list, name="rollout_list"),
    path("firmware/rollouts/new/", rollout_views.rollout_new, name="rollout_new"),
    path("firmware/rollouts/<int:rollout_id>/", rollout_views.rollout_detail, name="rollout_detail"),
    path("firmware/rollouts/<int:rollout_id>/pause/", rollout_views.rollout_pause, name="rollout_pause"),
    path("firmware/rollouts/<int:rollout_id>/resume/", rollout_views.rollout_resume, name="rollout_resume"),
    path("firmware/rollouts/<int:rollout_id>/cancel/", rollout_views.rollout_cancel, name="rollout_cancel"),
    path("firmware/rollouts/<int:rollout_id>/next-wave/", rollout_views.rollout_next_wave, name="rollout_next_wave"),
    path("firmware/rollouts/<int:rollout_id>/retry/", rollout_views.rollout_retry, name="rollout_retry"),
    path("firmware/rollouts/<int:rollout_id>/roll-back/", rollout_views.rollout_roll_back, name="rollout_roll_back"),
]
