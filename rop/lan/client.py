"""LanClient: the Reolink cameras' and NVRs' LAN JSON API (/cgi-bin/api.cgi).

Plain Python and requests, like the ROP client. Every connection goes through
the checked adapter (rop.checked_http) with a LAN address policy, and HTTPS is
pinned to a certificate fingerprint (tls.py) instead of being unverified.

Session rules (see docs/rop-client.md, "LAN client"):

* Log in once and keep the token; log in again 60 s before its lease ends (the
  API has no refresh command), then log the old token out so sessions do not
  pile up toward the device's limit.
* A call answered "please login first" (-6) logs in again once and is retried
  once; a second refusal is an error.
* A failed login is not retried at once: the client waits (doubling from
  ``login_backoff`` seconds) and after ``max_login_failures`` failures stops
  trying until ``set_credentials``, well before the device's own lockout (five
  failures). A locked device's ``unlock_time`` is respected as it is.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import time
from collections.abc import Callable, Sequence
from typing import Any

import requests

from ..addresses import AddressPolicy
from ..checked_http import CheckedAdapter
from .errors import (
    CertificateChanged,
    LanAuthFailed,
    LanCommandError,
    LanError,
    LanNotSupported,
    LanTimeout,
    LanUnexpectedResponse,
    LanUnreachable,
)
from .models import Channel, ChannelState, DeviceInfo, Preset
from .protocol import (
    REFRESH_EARLY_SECONDS,
    Command,
    LoginBackoff,
    answers_or_error,
    check_channel,
    error_for,
    login_command,
    parse_states,
    refused,
    states_batch,
    token_of,
    value_of,
)
from .protocol import cmd as _cmd
from .tls import PinnedAdapter, fetch_fingerprint, normalise_fingerprint

__all__ = ["LanClient", "PTZ_OPS"]

DEFAULT_MAX_SNAPSHOT_BYTES = 8 * 1024 * 1024
PTZ_MOVES = ("Left", "Right", "Up", "Down", "LeftUp", "LeftDown", "RightUp", "RightDown", "Auto")
PTZ_OPS = (*PTZ_MOVES, "ZoomInc", "ZoomDec", "FocusInc", "FocusDec", "Stop")
JPEG_MAGIC = b"\xff\xd8"

_channel = check_channel


class LanClient:
    def __init__(
        self,
        host: str,
        port: int = 80,
        scheme: str = "http",
        username: str = "admin",
        password: str = "",
        timeout: float = 8.0,
        address_policy: AddressPolicy | None = None,
        pinned_sha256: str | None = None,
        *,
        login_backoff: float = 30.0,
        max_login_failures: int = 3,
        max_snapshot_bytes: int = DEFAULT_MAX_SNAPSHOT_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if scheme not in ("http", "https"):
            raise ValueError("scheme is http or https.")
        if not 0 < port < 65536:
            raise ValueError("port is 1-65535.")
        self.host = host.strip()
        self.port = port
        self.scheme = scheme
        self.timeout = timeout
        self.policy = address_policy or AddressPolicy.for_lan()
        self.login_backoff = login_backoff
        self.max_login_failures = max_login_failures
        self.max_snapshot_bytes = max_snapshot_bytes
        self._clock = clock
        self._backoff = LoginBackoff(login_backoff, max_login_failures, clock)
        self._pin = normalise_fingerprint(pinned_sha256) if pinned_sha256 else None
        self._http = requests.Session()
        self._http.trust_env = False  # no proxies, no netrc: the adapter checks the real peer
        self._mount()
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"{scheme}://{shown}:{port}/cgi-bin/api.cgi"
        self.set_credentials(username, password)
        self._channel_count: int | None = None

    # -- credentials and certificate ----------------------------------------------
    def set_credentials(self, username: str, password: str) -> None:
        """New credentials: forget the token and any login backoff."""
        self.username = username
        self.password = password
        self._token: str | None = None
        self._token_expires = 0.0
        self._backoff.reset()

    @property
    def certificate_sha256(self) -> str | None:
        """The pinned fingerprint: the caller's, or the one seen on first use (store it)."""
        return self._pin

    def _mount(self) -> None:
        adapter: CheckedAdapter
        if self.scheme == "https" and self._pin:
            adapter = PinnedAdapter(self.policy, self._pin)
        else:
            adapter = CheckedAdapter(self.policy)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)

    def _ensure_pin(self) -> None:
        if self.scheme != "https" or self._pin:
            return
        try:
            self._pin = fetch_fingerprint(self.host, self.port, self.policy, self.timeout)
        except TimeoutError as exc:
            raise LanTimeout(f"No TLS answer from {self.host}:{self.port} within {self.timeout:g} s.") from exc
        except (OSError, ssl.SSLError) as exc:
            raise LanUnreachable(f"Could not open TLS to {self.host}:{self.port}: {exc}") from exc
        self._mount()

    # -- HTTP ---------------------------------------------------------------------
    def _send(self, method: str, params: dict[str, Any], body: Any = None, stream: bool = False) -> requests.Response:
        self._ensure_pin()
        try:
            return self._http.request(
                method,
                self.url,
                params=params,
                json=body,
                timeout=self.timeout,
                stream=stream,
                verify=False,  # HTTPS is pinned instead (PinnedAdapter); no CA signs a camera
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            self._certificate_failure(exc)
            raise  # not reached
        except requests.exceptions.Timeout as exc:
            raise LanTimeout(f"{self.host}:{self.port} did not answer within {self.timeout:g} s.") from exc
        except requests.exceptions.RequestException as exc:
            raise LanUnreachable(f"{self.host}:{self.port} is unreachable: {exc}") from exc

    def _certificate_failure(self, exc: Exception) -> None:
        assert self._pin is not None
        try:
            actual = fetch_fingerprint(self.host, self.port, self.policy, self.timeout)
        except (OSError, ssl.SSLError):
            raise LanUnreachable(f"TLS with {self.host}:{self.port} failed: {exc}") from exc
        if actual != self._pin:
            raise CertificateChanged(self._pin, actual) from exc
        raise LanUnreachable(f"TLS with {self.host}:{self.port} failed: {exc}") from exc

    def _post(self, commands: list[Command], token: str | None) -> list[dict[str, Any]]:
        params = {"cmd": commands[0]["cmd"], "token": token or "null"}
        response = self._send("POST", params, commands)
        try:
            answers = response.json()
        except ValueError:
            answers = None
        return answers_or_error(answers, self._where, response.status_code)

    # -- session ------------------------------------------------------------------
    def login(self) -> None:
        """Log in now (normally implicit). Raises LanAuthFailed/LanLocked, also without
        contacting the device while a backoff or the device's lockout lasts."""
        self._backoff.check()
        answer = self._post([login_command(self.username, self.password)], None)[0]
        if answer.get("code") != 0:
            raise self._backoff.failed(answer, self._where)
        old = self._token
        self._token, lease = token_of(answer)
        self._token_expires = self._clock() + lease
        self._backoff.succeeded()
        if old:
            self._logout_token(old)

    def _logout_token(self, token: str) -> None:
        with contextlib.suppress(LanError):  # best effort: the lease ends by itself
            self._post([_cmd("Logout")], token)

    def close(self) -> None:
        """Log out (best effort) and close the connections."""
        if self._token:
            token, self._token = self._token, None
            self._logout_token(token)
        self._http.close()

    def __enter__(self) -> LanClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _valid_token(self) -> str:
        if self._token is None or self._clock() >= self._token_expires - REFRESH_EARLY_SECONDS:
            self.login()
        assert self._token is not None
        return self._token

    def call(self, commands: list[Command]) -> list[dict[str, Any]]:
        """Send commands in one request and return the answers (envelopes, in order),
        logging in first when needed and once more if the token was refused."""
        answers = self._post(commands, self._valid_token())
        if self._refused(answers):
            self._token = None
            answers = self._post(commands, self._valid_token())
            if self._refused(answers):
                raise LanAuthFailed("The device refused a fresh token.", command=commands[0]["cmd"])
        if len(answers) != len(commands):
            raise LanUnexpectedResponse(f"{len(commands)} commands sent, {len(answers)} answers received.")
        return answers

    @property
    def _where(self) -> str:
        return f"{self.host}:{self.port}"

    @staticmethod
    def _refused(answers: list[dict[str, Any]]) -> bool:
        return refused(answers)

    def _error(self, command: str, code: Any, detail: str) -> LanError:
        return error_for(self._where, command, code, detail)

    def _value(self, answer: dict[str, Any]) -> dict[str, Any]:
        return value_of(self._where, answer)

    def _one(self, name: str, param: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._value(self.call([_cmd(name, param)])[0])

    # -- reads ----------------------------------------------------------------------
    def device_info(self) -> DeviceInfo:
        info = self._one("GetDevInfo").get("DevInfo", {})
        try:
            result = DeviceInfo(
                model=str(info["model"]),
                name=str(info.get("name", "")),
                firmware=str(info["firmVer"]),
                channel_count=int(info["channelNum"]),
                is_nvr=info.get("exactType", info.get("type")) == "NVR",
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise LanUnexpectedResponse(f"GetDevInfo answered without {exc}.", command="GetDevInfo") from exc
        self._channel_count = result.channel_count
        return result

    def uid(self) -> str | None:
        """The device's UID (GetP2p), or None when it has none or cannot say."""
        try:
            value = self._one("GetP2p")
        except (LanNotSupported, LanCommandError, LanUnexpectedResponse):
            return None
        uid = value.get("P2p", {}).get("uid") if isinstance(value.get("P2p"), dict) else None
        return uid if isinstance(uid, str) and uid else None

    def abilities(self) -> set[str]:
        """What GetAbility says the device (its first channel) can do, as names: ptz,
        zoom, focus, presets, spotlight, siren, battery, ai, wifi, reboot (an ability
        whose ``ver`` is 0 is absent)."""
        value = self._one("GetAbility").get("Ability", {})

        def on(tree: dict[str, Any], key: str) -> int:
            entry = tree.get(key)
            return int(entry.get("ver", 0)) if isinstance(entry, dict) else 0

        names: set[str] = set()
        if on(value, "reboot"):
            names.add("reboot")
        if on(value, "wifi"):
            names.add("wifi")
        for chn in value.get("abilityChn", [])[:1] or [{}]:
            ptz = on(chn, "ptzType")
            if ptz in (2, 3):
                names.add("ptz")
            if ptz in (1, 2):
                names |= {"zoom", "focus"}
            for key, name in (
                ("ptzPreset", "presets"),
                ("floodLight", "spotlight"),
                ("alarmAudio", "siren"),
                ("battery", "battery"),
                ("supportAi", "ai"),
            ):
                if on(chn, key):
                    names.add(name)
        return names

    def channels(self) -> list[Channel]:
        value = self._one("GetChannelstatus")
        try:
            return [
                Channel(channel=int(row["channel"]), name=str(row.get("name", "")), online=bool(row.get("online")))
                for row in value["status"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise LanUnexpectedResponse("GetChannelstatus answered an odd list.", command="GetChannelstatus") from exc

    def states(self, channels: Sequence[int] | None = None) -> list[ChannelState]:
        """Motion and AI state of ``channels`` (default: all) in ONE request."""
        if channels is None:
            if self._channel_count is None:
                self.device_info()
            assert self._channel_count is not None
            channels = range(self._channel_count)
        chosen = [_channel(ch) for ch in channels]
        if not chosen:
            return []
        return parse_states(self._where, chosen, self.call(states_batch(chosen)))

    def snapshot(self, channel: int = 0, stream: str = "main") -> bytes:
        """A JPEG of ``channel``, at most ``max_snapshot_bytes`` long."""
        if stream not in ("main", "sub"):
            raise ValueError("stream is main or sub.")
        params: dict[str, Any] = {"cmd": "Snap", "channel": _channel(channel), "snapType": stream}
        for attempt in (1, 2):
            params["rs"] = f"{time.time_ns():x}"
            params["token"] = self._valid_token()
            response = self._send("GET", params, stream=True)
            with response:
                body = self._read_bounded(response)
            if body.startswith(JPEG_MAGIC):
                return body
            try:
                answers = json.loads(body)
            except ValueError:
                answers = None
            # Old firmware answers a refused token with its web UI's HTML page.
            refused = (isinstance(answers, list) and answers and self._refused(answers)) or body.lstrip()[:1] == b"<"
            if refused and attempt == 1:
                self._token = None
                continue
            if isinstance(answers, list) and answers and isinstance(answers[0], dict):
                self._value(answers[0])
            raise LanUnexpectedResponse(f"Snap on {self.host}:{self.port} did not answer a JPEG.", command="Snap")
        raise LanAuthFailed("The device refused a fresh token for Snap.", command="Snap")

    def _read_bounded(self, response: requests.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_snapshot_bytes:
                    raise LanUnexpectedResponse(
                        f"Snap on {self.host}:{self.port} is larger than {self.max_snapshot_bytes} bytes.",
                        command="Snap",
                    )
                chunks.append(chunk)
        except requests.exceptions.RequestException as exc:
            raise LanUnreachable(f"{self.host}:{self.port} broke off the snapshot: {exc}") from exc
        return b"".join(chunks)

    # -- PTZ, spotlight, siren, reboot ---------------------------------------------
    def ptz(self, channel: int, op: str, speed: int = 32) -> None:
        """Start a move/zoom/focus (``op`` in PTZ_OPS) or Stop; it runs until Stop."""
        if op not in PTZ_OPS:
            raise ValueError(f"op is one of {', '.join(PTZ_OPS)}.")
        if isinstance(speed, bool) or not isinstance(speed, int) or not 1 <= speed <= 64:
            raise ValueError("speed is 1-64.")
        self._one("PtzCtrl", {"channel": _channel(channel), "op": op, "speed": speed})

    def ptz_stop(self, channel: int) -> None:
        self.ptz(channel, "Stop")

    def presets(self, channel: int) -> list[Preset]:
        """The presets the device has saved (enabled), with their names."""
        rows = self._one("GetPtzPreset", {"channel": _channel(channel)}).get("PtzPreset", [])
        return [Preset(id=int(r["id"]), name=str(r.get("name", ""))) for r in rows if r.get("enable") == 1]

    def recall_preset(self, channel: int, preset_id: int, speed: int = 32) -> None:
        if isinstance(preset_id, bool) or not isinstance(preset_id, int) or not 1 <= preset_id <= 64:
            raise ValueError("A preset is 1-64.")
        if not 1 <= speed <= 64:
            raise ValueError("speed is 1-64.")
        self._one("PtzCtrl", {"channel": _channel(channel), "op": "ToPos", "id": preset_id, "speed": speed})

    def spotlight(self, channel: int, on: bool) -> None:
        self._one("SetWhiteLed", {"WhiteLed": {"channel": _channel(channel), "state": 1 if on else 0}})

    def siren(self, channel: int = 0, times: int = 1) -> None:
        """Play the siren ``times`` times (AudioAlarmPlay over the JSON API)."""
        if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 100:
            raise ValueError("times is 1-100.")
        param = {"channel": _channel(channel), "alarm_mode": "times", "times": times, "manual_switch": 0}
        self._one("AudioAlarmPlay", param)

    def reboot(self) -> None:
        """Reboot the device; it drops every token, so the next call logs in again."""
        self._one("Reboot")
        self._token = None
