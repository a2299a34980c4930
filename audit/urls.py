from django.urls import path

from . import views

# Included under /p/<slug>/ by rop_fleet/urls.py.
urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
]
