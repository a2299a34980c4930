from django.urls import path

from . import views

# /p/<slug>/jobs/ itself (GET: the list, POST: a bulk action) is routed by devices.urls, which
# owns the POST and hands GET to views.job_list.
urlpatterns = [
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<int:job_id>/pause/", views.job_pause, name="job_pause"),
    path("jobs/<int:job_id>/resume/", views.job_resume, name="job_resume"),
]
