from django.contrib import admin
from django.urls import include, path

from partners import views as partner_views
from partners.urls import account_urlpatterns

urlpatterns = [
    path("", partner_views.home, name="home"),
    path("healthz", partner_views.healthz, name="healthz"),
    path("", include(account_urlpatterns)),
    path("partners/", partner_views.switch_partner, name="switch_partner"),
    path("p/<slug:slug>/", include("dashboard.urls")),
    path("p/<slug:slug>/", include("partners.urls")),
    path("p/<slug:slug>/", include("audit.urls")),
    path("p/<slug:slug>/", include("devices.urls")),
    path("p/<slug:slug>/", include("firmware.urls")),
    path("p/<slug:slug>/", include("jobs.urls")),
    path("p/<slug:slug>/", include("recordings.urls")),
    path("", include("alarms.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]

# JSON errors under /api/ even when a middleware fails before the API's own views run.
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
