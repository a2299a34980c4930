from django.urls import path

from . import views

# Included under /p/<slug>/ by rop_fleet/urls.py.
urlpatterns = [
    path("", views.overview, name="overview"),
    path("reports/", views.reports, name="reports"),
]
