"""Changes to one device through ROP, shared by the device page and bulk jobs.

Each action calls the Core Server, updates our row on success, writes the audit
log either way, and answers an Outcome the caller shows as it is."""

from dataclasses import dataclass, field
from typing import Any

from audit import services as audit
from core.request_budget import BudgetTimeout
from partners.rop_clients import using_client
from rop import PirConfig
from rop import errors as rop_errors

from . import rop_errors as describe_errors
from .capabilities import abilities_of
from .models import Device, ItemResult


@dataclass(frozen=True)
class Outcome:
    result: str  # an ItemResult value
    message: str
    # What the call answered (a live session, a scan task...). Out of repr: it may
    # be a credential (a signed play URL, an initialization code).
    value: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.result == ItemResult.OK

    @property
    def level(self) -> str:
        """How a page shows it: success, warning (offline, not supported) or error."""
        if self.ok:
            return "success"
        return "warning" if self.result in (ItemResult.OFFLINE, ItemResult.NOT_SUPPORTED) else "error"


def _run(partner, device, user, action: str, params: dict, call, success: str, *, apply=None, client=None) -> Outcome:
    """Call ROP; on success apply the change to our rows; audit either way."""
    try:
        with using_client(partner, client) as rop:
            value = call(rop)
    except (rop_errors.RopError, BudgetTimeout) as exc:
        result, message = describe_errors.describe(exc)
        audit.record(partner, action, user=user, target=device, params=params, result=result, message=message)
        return Outcome(result, message)
    if apply is not None:
        apply()
    audit.record(partner, action, user=user, target=device, params=params)
    return Outcome(ItemResult.OK, success, value)


def set_alarm(device, user, enabled: bool, client=None) -> Outcome:
    def apply():
        device.alarm_enabled = enabled
        device.save(update_fields=["alarm_enabled", "updated_at"])

    return _run(
        device.partner,
        device,
        user,
        "device.alarm",
        {"enabled": enabled},
        lambda c: c.set_alarm_enabled(device.uid, enabled),
        f"Alarm notifications {'enabled' if enabled else 'disabled'}.",
        apply=apply,
        client=client,
    )


def set_pir(device, user, enabled: bool, sensitivity: int, reduce_mistakes: bool, client=None) -> Outcome:
    config = PirConfig(enabled=enabled, sensitivity=sensitivity, reduce_mistakes=reduce_mistakes)

    def apply():
        device.pir_enabled, device.pir_sensitivity, device.pir_reduce_mistakes = enabled, sensitivity, reduce_mistakes
        device.save(update_fields=["pir_enabled", "pir_sensitivity", "pir_reduce_mistakes", "updated_at"])

    params = {"enabled": enabled, "sensitivity": sensitivity, "reduce_mistakes": reduce_mistakes}
    return _run(
        device.partner,
        device,
        user,
        "device.pir",
        params,
        lambda c: c.set_pir_config(device.uid, config),
        "PIR settings saved.",
        apply=apply,
        client=client,
    )


def rename(device, user, name: str, client=None) -> Outcome:
    def apply():
        device.display_name = name
        device.save(update_fields=["display_name", "updated_at"])

    return _run(
        device.partner,
        device,
        user,
        "device.rename",
        {"name": name},
        lambda c: c.set_device_name(device.uid, name),
        f"Renamed to “{name}”.",
        apply=apply,
        client=client,
    )


# --- device page controls: PTZ, live view, WiFi, onboarding ------------------------------

PTZ_COMMANDS = {
    "zoom_in": ("zoom", "inc", "Zoomed in."),
    "zoom_out": ("zoom", "dec", "Zoomed out."),
    "focus_in": ("focus", "inc", "Focus stepped up."),
    "focus_out": ("focus", "dec", "Focus stepped down."),
}


def ptz_step(device, user, command: str, channel: int = 0, client=None) -> Outcome:
    """One zoom or focus step (command: a PTZ_COMMANDS key)."""
    what, step, success = PTZ_COMMANDS[command]
    method = "ptz_zoom" if what == "zoom" else "ptz_focus"
    return _run(
        device.partner,
        device,
        user,
        f"device.ptz_{what}",
        {"action": step, "channel": channel},
        lambda c: getattr(c, method)(device.uid, step, channel),
        success,
        client=client,
    )


def ptz_rotate(device, user, direction: str, speed: int, channel: int = 0, client=None) -> Outcome:
    """Start rotating (the camera keeps turning until told "none") or stop."""
    success = "Rotation stopped." if direction == "none" else f"Rotating {direction} at speed {speed}."
    return _run(
        device.partner,
        device,
        user,
        "device.ptz_rotate",
        {"direction": direction, "speed": speed, "channel": channel},
        lambda c: c.ptz_rotate(device.uid, direction, speed, channel),
        success,
        client=client,
    )


def create_live_session(device, user, channel: int, stream_type: str, client=None) -> Outcome:
    """A live RTSP address in Outcome.value (a StreamSession). The address is a
    credential: it goes to the caller only, never to the audit log."""
    return _run(
        device.partner,
        device,
        user,
        "device.live_session",
        {"channel": channel, "stream_type": stream_type},
        lambda c: c.create_live_session(device.uid, channel, stream_type),
        "Live view address created.",
        client=client,
    )


def start_wifi_scan(device, user, client=None) -> Outcome:
    """Outcome.value: the WifiScanTask to poll."""
    return _run(
        device.partner,
        device,
        user,
        "device.wifi_scan",
        {},
        lambda c: c.start_wifi_scan(device.uid),
        "Scanning for WiFi networks…",
        client=client,
    )


def test_wifi(device, user, ssid: str, key: str, country_code: str, client=None) -> Outcome:
    """Whether the device can join a network (only for devices with a cable: a
    WiFi-only device drops off the network when tested). The key is never audited."""
    outcome = _run(
        device.partner,
        device,
        user,
        "device.wifi_test",
        {"ssid": ssid, "country_code": country_code},
        lambda c: c.test_wifi(device.uid, ssid, key, country_code),
        "",
        client=client,
    )
    if not outcome.ok:
        return outcome
    if outcome.value:
        return Outcome(ItemResult.OK, f"The device can join “{ssid}”.", True)
    return Outcome(ItemResult.ERROR, f"The device could not join “{ssid}”: check the network name and key.", False)


def set_wifi(device, user, ssid: str, key: str, country_code: str, client=None) -> Outcome:
    """Point the device at another network. The key is never audited."""
    success = f"WiFi set to “{ssid}”."
    if abilities_of(device).wifi_only:
        success += " The device is now leaving the network to join it: it is offline until it reconnects."
    return _run(
        device.partner,
        device,
        user,
        "device.wifi_set",
        {"ssid": ssid, "country_code": country_code},
        lambda c: c.set_wifi_config(device.uid, ssid, key, country_code),
        success,
        client=client,
    )


def create_initialization_session(partner, user, uid: str, client=None) -> Outcome:
    """Onboarding: the values a new camera needs, in Outcome.value (an
    InitializationSession). Its code is a credential: not audited."""
    # Link the entry to the device when we know it (re-onboarding), for the audit filter.
    device = Device.objects.filter(partner=partner, uid=uid).first()
    return _run(
        partner,
        device,
        user,
        "device.init_session",
        {"uid": uid},
        lambda c: c.create_initialization_session(uid),
        "Initialization session created.",
        client=client,
    )
