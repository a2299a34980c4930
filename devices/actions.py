"""Changes to one device, shared by the device page and bulk jobs.

Each action asks the device's driver (devices.drivers: the Core Server or the LAN),
updates our row on success, writes the audit log either way, and answers an Outcome
the caller shows as it is. What only ROP offers (PIR, name, live view, WiFi) goes
through driver.rop(), which a LAN device answers with "not supported"."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from audit import services as audit
from partners.models import Partner
from rop import PirConfig, RopClient

from .capabilities import abilities_of
from .connection import FAILURES, describe, using_rop
from .drivers import Driver, driver_for
from .models import Device, ItemResult
from .outcome import Outcome
from .ptz_commands import PTZ_COMMANDS

# Who asked for the change (a bulk job's user may be gone: None).
Actor = User | AnonymousUser | None


def _audited(
    partner: Partner,
    device: Device | None,
    user: Actor,
    action: str,
    params: dict[str, Any],
    call: Callable[[], Any],
    success: str,
    apply: Callable[[], None] | None,
) -> Outcome:
    try:
        value = call()
    except FAILURES as exc:
        failure = describe(exc)
        audit.record(
            partner, action, user=user, target=device, params=params, result=failure.result, message=failure.message
        )
        return failure.outcome()
    if apply is not None:
        apply()
    audit.record(partner, action, user=user, target=device, params=params)
    return Outcome(ItemResult.OK, success, value)


def run(
    device: Device,
    user: Actor,
    action: str,
    params: dict[str, Any],
    call: Callable[[Driver], Any],
    success: str,
    *,
    apply: Callable[[], None] | None = None,
    driver: Driver | None = None,
) -> Outcome:
    """Ask the device's driver (the caller's, or one opened and closed here); on
    success apply the change to our rows; audit either way."""
    if driver is not None:
        return _audited(device.partner, device, user, action, params, lambda: call(driver), success, apply)

    def own() -> Any:
        with driver_for(device) as opened:
            return call(opened)

    return _audited(device.partner, device, user, action, params, own, success, apply)


def set_alarm(device: Device, user: Actor, enabled: bool, driver: Driver | None = None) -> Outcome:
    def apply() -> None:
        device.alarm_enabled = enabled
        device.save(update_fields=["alarm_enabled", "updated_at"])

    return run(
        device,
        user,
        "device.alarm",
        {"enabled": enabled},
        lambda d: d.set_alarm(enabled),
        f"Alarm notifications {'enabled' if enabled else 'disabled'}.",
        apply=apply,
        driver=driver,
    )


def set_pir(
    device: Device, user: Actor, enabled: bool, sensitivity: int, reduce_mistakes: bool, driver: Driver | None = None
) -> Outcome:
    config = PirConfig(enabled=enabled, sensitivity=sensitivity, reduce_mistakes=reduce_mistakes)

    def apply() -> None:
        device.pir_enabled, device.pir_sensitivity, device.pir_reduce_mistakes = enabled, sensitivity, reduce_mistakes
        device.save(update_fields=["pir_enabled", "pir_sensitivity", "pir_reduce_mistakes", "updated_at"])

    params = {"enabled": enabled, "sensitivity": sensitivity, "reduce_mistakes": reduce_mistakes}
    return run(
        device,
        user,
        "device.pir",
        params,
        lambda d: d.rop().set_pir_config(device.uid, config),
        "PIR settings saved.",
        apply=apply,
        driver=driver,
    )


def rename(device: Device, user: Actor, name: str, driver: Driver | None = None) -> Outcome:
    def apply() -> None:
        device.display_name = name
        device.save(update_fields=["display_name", "updated_at"])

    return run(
        device,
        user,
        "device.rename",
        {"name": name},
        lambda d: d.rop().set_device_name(device.uid, name),
        f"Renamed to “{name}”.",
        apply=apply,
        driver=driver,
    )


# --- device page controls: PTZ, live view, WiFi, onboarding ------------------------------


def ptz_step(device: Device, user: Actor, command: str, channel: int = 0, driver: Driver | None = None) -> Outcome:
    """One zoom or focus step (command: a PTZ_COMMANDS key)."""
    what, step, success = PTZ_COMMANDS[command]
    return run(
        device,
        user,
        f"device.ptz_{what}",
        {"action": step, "channel": channel},
        lambda d: d.ptz(channel, command, 32),
        success,
        driver=driver,
    )


def ptz_rotate(
    device: Device, user: Actor, direction: str, speed: int, channel: int = 0, driver: Driver | None = None
) -> Outcome:
    """Start rotating (the camera keeps turning until told "none") or stop."""
    success = "Rotation stopped." if direction == "none" else f"Rotating {direction} at speed {speed}."
    return run(
        device,
        user,
        "device.ptz_rotate",
        {"direction": direction, "speed": speed, "channel": channel},
        lambda d: d.ptz(channel, "stop" if direction == "none" else direction, speed),
        success,
        driver=driver,
    )


def create_live_session(
    device: Device, user: Actor, channel: int, stream_type: str, driver: Driver | None = None
) -> Outcome:
    """A live RTSP address in Outcome.value (a StreamSession). The address is a
    credential: it goes to the caller only, never to the audit log."""
    return run(
        device,
        user,
        "device.live_session",
        {"channel": channel, "stream_type": stream_type},
        lambda d: d.rop().create_live_session(device.uid, channel, stream_type),
        "Live view address created.",
        driver=driver,
    )


def start_wifi_scan(device: Device, user: Actor, driver: Driver | None = None) -> Outcome:
    """Outcome.value: the WifiScanTask to poll."""
    return run(
        device,
        user,
        "device.wifi_scan",
        {},
        lambda d: d.rop().start_wifi_scan(device.uid),
        "Scanning for WiFi networks…",
        driver=driver,
    )


def test_wifi(
    device: Device, user: Actor, ssid: str, key: str, country_code: str, driver: Driver | None = None
) -> Outcome:
    """Whether the device can join a network (only for devices with a cable: a
    WiFi-only device drops off the network when tested). The key is never audited."""
    outcome = run(
        device,
        user,
        "device.wifi_test",
        {"ssid": ssid, "country_code": country_code},
        lambda d: d.rop().test_wifi(device.uid, ssid, key, country_code),
        "",
        driver=driver,
    )
    if not outcome.ok:
        return outcome
    if outcome.value:
        return Outcome(ItemResult.OK, f"The device can join “{ssid}”.", True)
    return Outcome(ItemResult.ERROR, f"The device could not join “{ssid}”: check the network name and key.", False)


def set_wifi(
    device: Device, user: Actor, ssid: str, key: str, country_code: str, driver: Driver | None = None
) -> Outcome:
    """Point the device at another network. The key is never audited."""
    success = f"WiFi set to “{ssid}”."
    if abilities_of(device).wifi_only:
        success += " The device is now leaving the network to join it: it is offline until it reconnects."
    return run(
        device,
        user,
        "device.wifi_set",
        {"ssid": ssid, "country_code": country_code},
        lambda d: d.rop().set_wifi_config(device.uid, ssid, key, country_code),
        success,
        driver=driver,
    )


def create_initialization_session(partner: Partner, user: Actor, uid: str, client: RopClient | None = None) -> Outcome:
    """Onboarding: the values a new camera needs, in Outcome.value (an
    InitializationSession). Its code is a credential: not audited. A partner-level
    call (the device may not exist yet), so it takes a Core Server client."""
    # Link the entry to the device when we know it (re-onboarding), for the audit filter.
    device = Device.objects.filter(partner=partner, uid=uid).first()

    def call() -> Any:
        with using_rop(partner, client, interactive=True) as rop:
            return rop.create_initialization_session(uid)

    return _audited(
        partner, device, user, "device.init_session", {"uid": uid}, call, "Initialization session created.", None
    )
