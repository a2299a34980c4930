"""Changes to one device through ROP, shared by the device page and bulk jobs.

Each action calls the Core Server, updates our row on success, writes the audit
log either way, and answers an Outcome the caller shows as it is."""

from dataclasses import dataclass

from partners import audit
from partners.rop_clients import rop_client_for
from rop import PirConfig
from rop import errors as rop_errors
from rop_fleet.request_budget import BudgetTimeout

from . import rop_errors as describe_errors
from .models import ItemResult


@dataclass(frozen=True)
class Outcome:
    result: str  # an ItemResult value
    message: str

    @property
    def ok(self) -> bool:
        return self.result == ItemResult.OK


def _run(device, user, action: str, params: dict, call, apply, success: str, client=None) -> Outcome:
    client = client or rop_client_for(device.partner)
    try:
        call(client)
    except (rop_errors.RopError, BudgetTimeout) as exc:
        result, message = describe_errors.describe(exc)
        audit.record(device.partner, action, user=user, device=device, params=params, result=result,
                     message=message)
        return Outcome(result, message)
    apply()
    audit.record(device.partner, action, user=user, device=device, params=params)
    return Outcome(ItemResult.OK, success)


def set_alarm(device, user, enabled: bool, client=None) -> Outcome:
    def apply():
        device.alarm_enabled = enabled
        device.save(update_fields=["alarm_enabled", "updated_at"])

    return _run(device, user, "device.alarm", {"enabled": enabled},
                lambda c: c.set_alarm_enabled(device.uid, enabled), apply,
                f"Alarm notifications {'enabled' if enabled else 'disabled'}.", client)


def set_pir(device, user, enabled: bool, sensitivity: int, reduce_mistakes: bool, client=None) -> Outcome:
    config = PirConfig(enabled=enabled, sensitivity=sensitivity, reduce_mistakes=reduce_mistakes)

    def apply():
        device.pir_enabled, device.pir_sensitivity, device.pir_reduce_mistakes = enabled, sensitivity, reduce_mistakes
        device.save(update_fields=["pir_enabled", "pir_sensitivity", "pir_reduce_mistakes", "updated_at"])

    params = {"enabled": enabled, "sensitivity": sensitivity, "reduce_mistakes": reduce_mistakes}
    return _run(device, user, "device.pir", params, lambda c: c.set_pir_config(device.uid, config), apply,
                "PIR settings saved.", client)


def rename(device, user, name: str, client=None) -> Outcome:
    def apply():
        device.display_name = name
        device.save(update_fields=["display_name", "updated_at"])

    return _run(device, user, "device.rename", {"name": name}, lambda c: c.set_device_name(device.uid, name),
                apply, f"Renamed to “{name}”.", client)
