"""SimConfig: every knob of the simulator, shared by the CLI and start_in_thread.

Each field's ``help`` metadata doubles as its ``--help`` text (cli.py builds the
argument parser from these fields), so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from ropsim.clock import Clock


def _opt(default: Any, help: str, cli: bool = True, **kw: Any) -> Any:
    return field(default=default, metadata={"help": help, "cli": cli, **kw})


@dataclass
class SimConfig:
    # --- fleet and network --------------------------------------------------------
    devices: int = _opt(10, "Number of simulated devices in the fleet.")
    seed: int = _opt(0, "Seed for the fleet, recordings and fault injection (same seed, same fleet).")
    fleet_model: str | None = _opt(
        None,
        "Every device of the fleet is this model, e.g. RLC-810A, or these models in turn, comma-separated "
        "(default: the catalogue's mix of models).",
    )
    host: str = _opt("127.0.0.1", "Address the HTTP API listens on.")
    port: int = _opt(0, "Port of the HTTP API (0 = any free port; the CLI defaults to 8900).")
    public_host: str | None = _opt(
        None, "Host name the server reports to devices (initialization session) and in rtsp:// URLs (default: --host)."
    )
    rtsp_port: int = _opt(61008, "Port written into rtsp:// play URLs (the Core Server's RTSP port).")
    control_from_anywhere: bool = _opt(
        False,
        "Let callers other than this machine (loopback) use the control API under /_sim/, which has no "
        "authentication and shows the token and authcode. Off: anyone else gets 403.",
    )
    # --- the partner's gateway ------------------------------------------------------
    token: str | None = _opt(
        None,
        "Require this token on every /v1.0 call (as a partner's gateway would; 403 auth_failed "
        "otherwise). Without it every call is accepted, like a bare Core Server.",
    )
    auth_header: str | None = _opt(
        None,
        "Header carrying the token instead of 'Authorization: Bearer TOKEN' (its value is the "
        "bare token; 'Bearer TOKEN' is accepted too).",
    )
    rate_limit: float = _opt(
        0.0, "Requests per second allowed per token (0 = unlimited); above it 429 frequent_request with Retry-After."
    )
    # --- alarms ---------------------------------------------------------------------
    callback_url: str | None = _opt(None, "Alarm webhook URL (the Core Server's ROP_ALARM_WEBHOOK).")
    authcode: str | None = _opt(
        None, "Secret appended to the webhook as ?authcode=CODE and sent as 'Authorization: Bearer CODE'."
    )
    alarm_rate: float = _opt(0.0, "Random alarms per online device per hour (0 = only on demand).")
    alarm_max_attempts: int = _opt(5, "Webhook delivery attempts per alarm before giving up.")
    alarm_retry_base: float = _opt(1.0, "First retry delay in seconds; doubles after every failed attempt.")
    # --- faults and timing ------------------------------------------------------------
    latency_ms: float = _opt(0.0, "Latency added to every device call, in milliseconds.")
    jitter_ms: float = _opt(0.0, "Uniform +/- jitter on that latency, in milliseconds.")
    error_rate: float = _opt(
        0.0,
        "Probability a device call fails with cmd_timeout (50%%), cmd_exec_error (25%%) or "
        "server_internal_error (25%%).",
    )
    offline_rate: float = _opt(
        0.0,
        "Fraction of devices offline at any time; devices drop and return "
        "randomly (mean outage --offline-mean-seconds).",
    )
    offline_mean_seconds: float = _opt(120.0, "Mean duration of a random outage, in seconds.")
    wake_failure_rate: float = _opt(0.0, "Probability a sleeping battery camera fails to wake (400 wake_up_timeout).")
    stay_awake_seconds: float = _opt(
        20.0, "How long a battery camera stays awake after a call before dozing off again."
    )
    upgrade_seconds: float = _opt(
        30.0, "Duration of a firmware upgrade (the last half is a reboot: the device is offline)."
    )
    upgrade_spread: float = _opt(
        0.0,
        "Spread of upgrade durations: each upgrade takes its model's time times e^N(0, spread) "
        "(real cameras differ by a few percent to tens of percent; 0: exactly the same).",
        cli_default=0.1,
    )
    model_upgrade_seconds: str = _opt(
        "",
        "Per-model upgrade durations, e.g. 'RLC-810A=30,Argus 3 Pro=300' (other models: --upgrade-seconds).",
    )
    upgrade_session_limit: int = _opt(
        10, "Concurrent upgrade sessions allowed (more answer up_to_upgrade_session_limit)."
    )
    upgrade_session_ttl: int = _opt(3600, "Upgrade session lifetime in seconds (expiredIn, 60-3600).")
    low_battery_threshold: float = _opt(20.0, "Battery percent under which an upgrade ends in low_battery.")
    out_of_memory_rate: float = _opt(0.0, "Probability an upgrade ends in out_of_memory.")
    unknown_error_rate: float = _opt(0.0, "Probability an upgrade ends in unknown_error.")
    wifi_scan_seconds: float = _opt(3.0, "How long a WiFi scan task stays 'scanning'.")
    wifi_scan_ttl: float = _opt(120.0, "Lifetime of a WiFi scan session in seconds (expiringAt).")
    wifi_reconnect_seconds: float = _opt(
        10.0, "How long a WiFi-only device is gone after its WiFi settings change or a WiFi test."
    )
    live_url_ttl: int = _opt(30, "Lifetime of live and playback play URLs in seconds (expiredIn).")
    # --- per-device behaviour and the demo's states (seeded, ropsim/states.py) ---------------
    slow_devices: int = _opt(
        0, "Number of devices (a seeded choice) whose calls take --slow-latency-ms instead of --latency-ms."
    )
    slow_latency_ms: float = _opt(2000.0, "Latency of the --slow-devices, in milliseconds.")
    unwakeable_devices: int = _opt(
        0, "Number of battery cameras (a seeded choice) that always fail to wake (400 wake_up_timeout)."
    )
    demo_states: bool = _opt(
        False,
        "Give the seeded fleet every state a fleet manager meets: outages that come and go, low and "
        "charging batteries, cameras that fail to wake, a slow device. The command line turns it on "
        "(--no-demo-states turns it off); SimConfig leaves it off for tests.",
        cli_default=True,
    )
    # --- storage and the LAN side -------------------------------------------------------
    data_dir: str | None = _opt(
        None, "Directory for uploaded firmware (default: a temporary directory removed on exit)."
    )
    max_firmware_mb: float = _opt(512.0, "Largest firmware upload accepted, in MiB.")
    lan_devices: int = _opt(0, "Also expose the first N devices on the LAN camera emulator (ropsim.lan).")
    lan_port_base: int = _opt(0, "First LAN emulator port (device i listens on P+i; 0 = free ports).")
    lan_https: bool = _opt(False, "Serve the LAN emulator over HTTPS with self-signed certificates, one per device.")
    # --- not on the command line --------------------------------------------------------
    clock: Clock | None = _opt(None, "Injected clock (tests).", cli=False)

    def public(self) -> str:
        return self.public_host or self.host

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.metadata.get("cli", True)}


# Fields the control API may change at run time (PUT /_sim/faults).
MUTABLE_FIELDS = (
    "latency_ms",
    "jitter_ms",
    "error_rate",
    "offline_rate",
    "offline_mean_seconds",
    "wake_failure_rate",
    "rate_limit",
    "out_of_memory_rate",
    "unknown_error_rate",
    "upgrade_seconds",
    "upgrade_spread",
    "upgrade_session_limit",
    "low_battery_threshold",
    "wifi_scan_seconds",
    "wifi_reconnect_seconds",
    "alarm_rate",
    "alarm_max_attempts",
    "alarm_retry_base",
    "stay_awake_seconds",
    "callback_url",
    "authcode",
)
