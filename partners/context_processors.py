from typing import Any

from django.http import HttpRequest


def current_partner(request: HttpRequest) -> dict[str, Any]:
    access = getattr(request, "access", None)
    return {"access": access, "partner": access.partner if access else None}
