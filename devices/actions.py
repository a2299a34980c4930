"""Changes to one device through ROP, shared by the device page and bulk jobs.

Each action calls the Core Server, updates our row on success, writes the audit
log either way, and answers an Outcome the caller shows as it is."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from audit import services as audit
from partners.models import Partner
from partners.rop_clients import using_client
from rop import PirConfig, RopClient

from .capabilities import abilities_of
from .models import Device, ItemResult
from .outcome import Outcome
from .ptz_commands import PTZ_COMMANDS
from .rop_messages import ROP_FAILURES, describe

# Who asked for the change (a bulk job's user may be gone: None).
Actor = User | AnonymousUser | None


def _run(
    partner: Partner,
    device: Device | None,
    user: Actor,
    action: str,
    params: dict[str, Any],
    call: Callable[[RopClient], Any],
    success: str,
    *,
    apply: Callable[[], None] | None = None,
    client: RopClient | None = None,
) -> Outcome:
    """Call ROP; on success apply the change to our rows; audit either way."""
    try:
        with using_client(partner, client) as rop:
            value = call(rop)
    except ROP_FAILURES as exc:
        failure = describe(exc)
        audit.record(
            partner, action, user=user, target=device, params=params, result=failure.result, message=failure.message
        )
        return failure.outcome()
    if apply is not None:
        apply()
    audit.record(partner, action, user=user, target=device, params=params)
    return Outcome(ItemResult.OK, success, value)


def set_alarm(device: Device, user: Actor, enabled: bool, client: RopClient | None = None) -> Outcome:
    def apply() -> None:
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


def set_pir(
    device: Device, user: Actor, enabled: bool, sensitivity: int, reduce_mistakes: bool, client: RopClient | None = None
) -> Outcome:
    config = PirConfig(enabled=enabled, sensitivity=sensitivity, reduce_mistakes=reduce_mistakes)

    def apply() -> None:
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


def rename(device: Device, user: Actor, name: str, client: RopClient | None = None) -> Outcome:
    def apply() -> None:
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


def ptz_step(device: Device, user: Actor, command: str, channel: int = 0, client: RopClient | None = None) -> Outcome:
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


def ptz_rotate(
    device: Device, user: Actor, direction: str, speed: int, channel: int = 0, client: RopClient | None = None
) -> Outcome:
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


def create_live_session(
    device: Device, user: Actor, channel: int, stream_type: str, client: RopClient | None = None
) -> Outcome:
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


def start_wifi_scan(device: Device, user: Actor, client: RopClient | None = None) -> Outcome:
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


def test_wifi(
    device: Device, user: Actor, ssid: str, key: str, country_code: str, client: RopClient | None = None
) -> Outcome:
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


def set_wifi(
    device: Device, user: Actor, ssid: str, key: str, country_code: str, client: RopClient | None = None
) -> Outcome:
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


def create_initialization_session(partner: Partner, user: Actor, uid: str, client: RopClient | None = None) -> Outcome:
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
