"""Writing the audit log. Parameters are stored without secrets."""

from .models import AuditEntry

# Parameter names whose values never reach the audit log.
SECRET_KEYS = {"key", "password", "token", "gateway_token", "webhook_secret", "authcode", "code", "play_url"}


def scrub(params: dict | None) -> dict:
    clean = {}
    for name, value in (params or {}).items():
        if name.lower() in SECRET_KEYS:
            clean[name] = "••••"
        elif isinstance(value, dict):
            clean[name] = scrub(value)
        else:
            clean[name] = value
    return clean


def record(partner, action: str, *, user=None, device=None, params=None, result="ok", message="") -> AuditEntry:
    return AuditEntry.objects.create(
        partner=partner,
        user=user if (user is not None and user.is_authenticated) else None,
        action=action,
        device=device,
        device_uid=device.uid if device is not None else "",
        params=scrub(params),
        result=result,
        message=message[:2000],
    )
