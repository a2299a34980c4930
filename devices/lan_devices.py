"""LAN devices: adding one (log in, read what it is, pin its certificate), editing its
connection settings, removing it, trusting a new certificate, and each channel's AI
types. The calls go through the LAN driver (devices.drivers); every change is audited.

Adding a camera the Core Server already lists (same UID) moves that row to the LAN
transport: its history, tags and alarms stay, and sync leaves LAN rows alone."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from audit import services as audit
from partners.models import Partner
from rop.errors import AddressRefused
from rop.lan import CertificateChanged, LanUnreachable, fetch_fingerprint, normalise_fingerprint
from rop.lan.models import AI_TYPES

from .actions import Actor
from .connection import FAILURES, describe, lan_client
from .connection.policies import lan_timeout
from .drivers import LanDriver, LanIdentity, record_identity, usable_uid
from .models import Channel, Device, ItemResult, Transport
from .outcome import Outcome

# The connection settings of a LAN device (a form's cleaned_data keys).
SETTINGS = ("lan_host", "lan_port", "lan_use_https", "lan_username", "lan_status_interval_ms", "lan_timeout_ms")
# Where a device is: its stored password goes there and nowhere else.
PLACE = ("lan_host", "lan_port", "lan_use_https")
PASSWORD_AGAIN = (
    "Enter the device's password again: the address, port or protocol changed, and the stored "
    "password is only ever sent to the address it was checked with."
)


@dataclass(frozen=True)
class StepFailed:
    step: str  # "connecting", "logging in", "reading device info"
    message: str
    result: str
    certificate: str = ""  # a changed certificate's fingerprint, to offer trusting it

    def outcome(self) -> Outcome:
        return Outcome(self.result, f"Failed while {self.step}: {self.message}", self)


def _device_from(partner: Partner, data: dict[str, Any], password: str) -> Device:
    device = Device(partner=partner, transport=Transport.LAN, online=False)
    for name in SETTINGS:
        setattr(device, name, data[name])
    device.lan_password = password
    return device


def probe(device: Device, *, pinned_sha256: str | None = None) -> LanIdentity | StepFailed:
    """Log in and read what the device is, step by step, so a failure says which."""
    step = "connecting"
    try:
        with LanDriver(device, interactive=True, pinned_sha256=pinned_sha256) as driver:
            step = "logging in"
            driver.login()
            step = "reading device info"
            return driver.identify()
    except FAILURES as exc:
        if step == "logging in" and isinstance(exc, (LanUnreachable, AddressRefused, CertificateChanged)):
            step = "connecting"  # the login is the first request: it had no answer yet
        failure = describe(exc)
        certificate = exc.actual if isinstance(exc, CertificateChanged) else ""
        return StepFailed(step, failure.message, failure.result, certificate)


def add_lan_device(partner: Partner, user: Actor, data: dict[str, Any]) -> Outcome:
    """Outcome.value: the Device on success, a StepFailed otherwise."""
    device = _device_from(partner, data, data["lan_password"])
    found = probe(device, pinned_sha256="")
    if isinstance(found, StepFailed):
        audit.record(
            partner,
            "device.lan_add",
            user=user,
            params=_audited_settings(data),
            result=found.result,
            message=found.outcome().message,
        )
        return found.outcome()
    uid = usable_uid(found.uid, device.lan_host, device.lan_port or 80)
    with transaction.atomic():
        existing = Device.objects.select_for_update().filter(partner=partner, uid=uid).first()
        if existing is not None and existing.transport == Transport.LAN:
            message = f"This device is already in the console (UID {uid})."
            audit.record(
                partner,
                "device.lan_add",
                user=user,
                target=existing,
                params=_audited_settings(data),
                result=ItemResult.ERROR,
                message=message,
            )
            return Outcome(ItemResult.ERROR, message, existing)
        if existing is not None:
            # The Core Server's row of the same camera: managed over the LAN from now on.
            for name in SETTINGS:
                setattr(existing, name, getattr(device, name))
            existing.lan_password, existing.transport = device.lan_password, Transport.LAN
            existing.next_poll_at = None  # the ROP sweep no longer polls it
            existing.save()
            device = existing
        device.uid = uid
        record_identity(device, found)
        audit.record(partner, "device.lan_add", user=user, target=device, params=_audited_settings(data))
    channels = len(found.channels)
    message = f"Added {found.info.model} “{found.info.name}” (firmware {found.info.firmware}, {channels} channel(s))."
    return Outcome(ItemResult.OK, message, device)


def same_place(device: Device, data: dict[str, Any]) -> bool:
    """Whether `data` (a settings form's cleaned_data) keeps the device where its stored
    password was checked: the same address (names compared without case), port and protocol."""
    return (str(data["lan_host"]).strip().lower(), data["lan_port"], bool(data["lan_use_https"])) == (
        device.lan_host.strip().lower(),
        device.lan_port,
        bool(device.lan_use_https),
    )


def update_lan_settings(device: Device, user: Actor, data: dict[str, Any]) -> Outcome:
    """New connection settings, checked by logging in with them before they are saved. A
    blank password keeps the stored one only where it was checked: moving the device to
    another address, port or protocol needs the password again (the form says so first; this
    holds for any caller), so an operator cannot have the console send it to a host of theirs."""
    at_home = same_place(device, data)
    if not data.get("lan_password") and not at_home:
        refuse_settings(device, user, data, PASSWORD_AGAIN)
        return Outcome(ItemResult.ERROR, PASSWORD_AGAIN)
    candidate = _device_from(device.partner, data, data.get("lan_password") or device.lan_password)
    found = probe(candidate, pinned_sha256=device.lan_cert_sha256 if at_home else "")
    if isinstance(found, StepFailed):
        outcome = found.outcome()
        refuse_settings(device, user, data, outcome.message, result=outcome.result)
        return outcome
    for name in SETTINGS:
        setattr(device, name, getattr(candidate, name))
    device.lan_password = candidate.lan_password
    device.lan_cert_sha256 = found.cert_sha256 or ""
    device.save(update_fields=[*SETTINGS, "lan_password", "lan_cert_sha256", "updated_at"])
    record_identity(device, found)
    audit.record(device.partner, "device.lan_settings", user=user, target=device, params=_audited_settings(data))
    return Outcome(ItemResult.OK, "Connection settings saved.", device)


def refuse_settings(
    device: Device, user: Actor, data: dict[str, Any], message: str, *, result: str = ItemResult.ERROR
) -> None:
    """Audit a settings change that was refused or failed (never the password)."""
    audit.record(
        device.partner,
        "device.lan_settings",
        user=user,
        target=device,
        params=_audited_settings(data),
        result=result,
        message=message,
    )


def refuse_form(
    partner: Partner, user: Actor, action: str, raw: Any, errors: str, device: Device | None = None
) -> None:
    """Audit an add or a settings change whose form was refused: what was typed (each setting
    as text, cut short; never the password) and why."""
    params = {name: str(raw.get(name, ""))[:255] for name in SETTINGS if name in raw}
    audit.record(partner, action, user=user, target=device, params=params, result=ItemResult.ERROR, message=errors)


def remove_lan_device(device: Device, user: Actor) -> Outcome:
    """Delete the row (its channels go with it). The console's own sessions are logged
    out when each driver closes; the LAN poller drops a device that is gone."""
    partner, uid = device.partner, device.uid
    audit.record(partner, "device.lan_remove", user=user, target=device, params={"uid": uid})
    device.delete()
    return Outcome(ItemResult.OK, f"Removed {uid}.")


def current_fingerprint(device: Device) -> str:
    """What the device presents now (read, not trusted). Raises connection.FAILURES."""
    client = lan_client(device, interactive=True)
    try:
        return fetch_fingerprint(
            client.host, client.port, client.policy, lan_timeout(device.lan_timeout_ms, interactive=True)
        )
    except OSError as exc:
        raise LanUnreachable(f"Could not open TLS to {client.host}:{client.port}: {exc}") from exc
    finally:
        client.close()


def trust_certificate(device: Device, user: Actor, confirmed: str) -> Outcome:
    """Pin the certificate the operator confirmed, if the device still presents it."""
    try:
        wanted = normalise_fingerprint(confirmed)
    except ValueError as exc:
        return Outcome(ItemResult.ERROR, str(exc))
    found = probe(device, pinned_sha256=wanted)
    if isinstance(found, StepFailed):
        return found.outcome()
    old = device.lan_cert_sha256
    device.lan_cert_sha256 = wanted
    device.save(update_fields=["lan_cert_sha256", "updated_at"])
    record_identity(device, found)
    audit.record(
        device.partner,
        "device.lan_trust_certificate",
        user=user,
        target=device,
        params={"from": old, "to": wanted},
        message=f"Certificate {wanted} trusted.",
    )
    return Outcome(ItemResult.OK, "The new certificate is trusted; the device answers again.", device)


def set_channel_ai_types(channel: Channel, user: Actor, types: list[str]) -> Outcome:
    chosen = [t for t in AI_TYPES if t in types]
    channel.ai_types = chosen
    channel.save(update_fields=["ai_types"])
    audit.record(
        channel.device.partner,
        "device.channel_ai_types",
        user=user,
        target=channel.device,
        params={"channel": channel.index, "ai_types": chosen},
    )
    what = ", ".join(chosen) if chosen else "every AI type"
    return Outcome(ItemResult.OK, f"Channel {channel.index} reports {what}.")


def _audited_settings(data: dict[str, Any]) -> dict[str, Any]:
    # Never the password.
    return {name: data.get(name) for name in SETTINGS}
