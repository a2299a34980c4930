"""ROP error symbols and the error envelope.

Statuses follow the interface document's common table plus the symbols the
real Core Server was seen to answer (rop-core-server-facts.md).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

# symbol -> (HTTP status, default message)
SYMBOLS: dict[str, tuple[int, str]] = {
    "auth_failed": (403, "Authentication failed"),
    "invalid_parameter": (400, "The client request with invalid parameter."),
    "device_offline": (404, "The device is offline"),
    "cmd_timeout": (400, "Command execution timed out"),
    "cmd_not_support": (400, "Command not supported"),
    "cmd_exec_error": (400, "Command execution error"),
    "session_not_found": (404, "Session not found"),
    "frequent_request": (429, "Too many requests"),
    "server_internal_error": (500, "Internal server error"),
    # Seen on the real Core Server beyond the document:
    "session_expired": (400, "Session expired"),
    "up_to_upgrade_session_limit": (400, "Up to upgrade session limit"),
    "duplicate_upgrade": (400, "The device is already upgrading"),
    "invalid_filename": (400, "Invalid file name"),
    "duplicate_snap": (400, "A snapshot of this channel is already being taken"),
    "snap_error": (400, "Snapshot error"),
    "duplicate_firmware": (400, "A firmware file with this name already exists"),
    "stream_type_not_support": (400, "Stream type not supported"),
    "direction_not_support": (400, "Direction not supported"),
    "wake_up_timeout": (400, "The device did not wake up in time"),
    "device_channel_not_found": (404, "Device channel not found"),
    "device_connection_not_found": (404, "Device connection not found"),
    "file_not_found": (404, "File not found"),
    "url_not_found": (404, "URL not found"),
    # Answered by a camera's POST /rop/setup (onboarding over the LAN; facts, sic "registe_failed"):
    "device_not_matched": (400, "The setup values are for another device."),
    "sync_time_failed": (400, "The device could not synchronise its clock with the server."),
    "download_ca_failed": (400, "The device could not download the CA certificate."),
    "download_private_key_failed": (400, "The device could not download its certificate and private key."),
    "registe_failed": (400, "The device could not register with the server."),
}

NOT_FOUND_BODY = {"message": "resource not found."}


class RopError(Exception):
    """Raised anywhere in a handler; the error middleware turns it into the envelope."""

    def __init__(
        self, symbol: str, message: str | None = None, *, data: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        status, default = SYMBOLS[symbol]
        super().__init__(symbol)
        self.symbol = symbol
        self.status = status
        self.message = message or default
        self.data = data
        self.headers = headers or {}

    def response(self) -> web.Response:
        body: dict[str, Any] = {"error": {"symbol": self.symbol, "message": self.message}}
        if self.data is not None:
            body["error"]["data"] = self.data
        return web.json_response(body, status=self.status, headers=self.headers)


def invalid(message: str = "The client request with invalid parameter.") -> RopError:
    return RopError("invalid_parameter", message)


def not_found_response() -> web.Response:
    return web.json_response(NOT_FOUND_BODY, status=404)
