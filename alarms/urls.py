from django.urls import path

from . import views

urlpatterns = [
    path("hooks/alarms/<slug:slug>/", views.alarm_webhook, name="alarm_webhook"),
]
