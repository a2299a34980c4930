"""/api/v1/…: every endpoint declared in views.lists as JSON (and ?format=csv) and as
`.csv`; the OpenAPI document; JSON 404 for anything else under /api/. The console's API
page is under /p/<slug>/ like every console page (console_patterns)."""

from django.urls import include, path, re_path

from .endpoints import ENDPOINTS
from .errors import not_found
from .views import console, document, lists  # noqa: F401  (lists registers ENDPOINTS)

api_patterns = [path("api/v1/openapi.json", document.openapi_json, name="api_openapi")]
for ep in ENDPOINTS:
    base = f"api/v1/partners/<slug:slug>/{ep.path}"
    api_patterns += [
        path(f"{base}/", ep.view, name=f"api_{ep.name}"),  # type: ignore[arg-type]
        path(f"{base}.csv", ep.view, {"as_csv": True}, name=f"api_{ep.name}_csv"),  # type: ignore[arg-type]
    ]
api_patterns.append(re_path(r"^api/", not_found))

console_patterns = [
    path("api/", console.api_page, name="api_page"),
    path("api/tokens/<int:token_id>/revoke/", console.api_token_revoke, name="api_token_revoke"),
]

urlpatterns = [*api_patterns, path("p/<slug:slug>/", include(console_patterns))]
