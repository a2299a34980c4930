"""Every non-2xx answer becomes the right RopError subclass; no answer becomes RopUnavailable."""

from __future__ import annotations

import socket

import pytest
import requests

from rop import RetryPolicy, RopClient, errors

ALARM = "/v1.0/devices/{uid}/settings/alarm"

# symbol -> (HTTP status the Core Server uses, class the client must raise). Written out
# rather than derived from rop.errors.ERROR_CLASSES so the test checks the table.
SYMBOLS = {
    "auth_failed": (403, errors.AuthFailed),
    "invalid_parameter": (400, errors.InvalidParameter),
    "device_offline": (404, errors.DeviceOffline),
    "cmd_timeout": (400, errors.CommandTimeout),
    "cmd_not_support": (400, errors.CommandNotSupported),
    "cmd_exec_error": (400, errors.CommandExecError),
    "session_not_found": (404, errors.SessionNotFound),
    "frequent_request": (429, errors.FrequentRequest),
    "server_internal_error": (500, errors.ServerInternalError),
    "session_expired": (400, errors.SessionExpired),
    "up_to_upgrade_session_limit": (400, errors.UpgradeSessionLimitReached),
    "duplicate_upgrade": (400, errors.DuplicateUpgrade),
    "invalid_filename": (400, errors.InvalidFilename),
    "duplicate_snap": (400, errors.DuplicateSnap),
    "snap_error": (400, errors.SnapError),
    "duplicate_firmware": (400, errors.DuplicateFirmware),
    "stream_type_not_support": (400, errors.StreamTypeNotSupported),
    "direction_not_support": (400, errors.DirectionNotSupported),
    "wake_up_timeout": (400, errors.WakeUpTimeout),
    "device_signaling_connection_closed": (400, errors.DeviceSignalingConnectionClosed),
    "device_channel_not_found": (404, errors.DeviceChannelNotFound),
    "device_connection_not_found": (404, errors.DeviceConnectionNotFound),
    "file_not_found": (404, errors.FileNotFound),
    "work_dir_not_found": (500, errors.WorkDirNotFound),
    "duplicate_create_ca": (500, errors.DuplicateCreateCa),
    # Known symbols the console has no special handling for: plain RopError.
    "code_invalid": (400, errors.RopError),
    "device_not_matched": (400, errors.RopError),
    "signature_not_matched": (400, errors.RopError),
    "access_key_not_valid": (400, errors.RopError),
    "url_not_found": (404, errors.RopError),
    "request_not_found": (404, errors.RopError),
    "parse_xml_error": (404, errors.RopError),
}

# The subclass relations the console relies on ("is the device reachable?" etc.).
PARENTS = {
    errors.SessionExpired: errors.SessionNotFound,
    errors.WakeUpTimeout: errors.CommandTimeout,
    errors.DeviceConnectionNotFound: errors.DeviceOffline,
    errors.DeviceSignalingConnectionClosed: errors.DeviceOffline,
    errors.StreamTypeNotSupported: errors.CommandNotSupported,
    errors.DirectionNotSupported: errors.CommandNotSupported,
    errors.InvalidFilename: errors.InvalidParameter,
    errors.SnapError: errors.CommandExecError,
    errors.DuplicateSnap: errors.CommandExecError,
    errors.WorkDirNotFound: errors.ServerInternalError,
}


@pytest.fixture
def once(running):
    """A client that never retries, to see each answer exactly as the server gave it."""
    with RopClient(running.base_url, timeout=5.0, retry=RetryPolicy(max_retries=0)) as rop_client:
        yield rop_client


@pytest.mark.parametrize("symbol", sorted(SYMBOLS))
def test_it_raises_each_symbols_own_exception_with_symbol_status_and_message(once, faults, ptz_camera, symbol):
    status, cls = SYMBOLS[symbol]
    faults.inject(symbol=symbol, status=status, path=ALARM, message=f"canned {symbol}")
    with pytest.raises(errors.RopError) as caught:
        once.get_alarm_enabled(ptz_camera)
    error = caught.value
    assert type(error) is cls
    assert (error.symbol, error.http_status, error.message) == (symbol, status, f"canned {symbol}")
    assert symbol in str(error) and str(status) in str(error)
    for child, parent in PARENTS.items():
        if cls is child:
            assert isinstance(error, parent)


def test_it_carries_the_retry_after_the_server_sent_on_frequent_request(once, faults, ptz_camera):
    faults.inject(symbol="frequent_request", path=ALARM, retryAfter=7)
    with pytest.raises(errors.FrequentRequest) as caught:
        once.get_alarm_enabled(ptz_camera)
    assert caught.value.retry_after == 7.0


def test_it_still_raises_rop_error_with_the_status_for_an_unknown_symbol(once, faults, ptz_camera):
    faults.inject(symbol="brand_new_symbol", status=418, path=ALARM, message="A newer server")
    with pytest.raises(errors.RopError) as caught:
        once.get_alarm_enabled(ptz_camera)
    assert type(caught.value) is errors.RopError
    assert (caught.value.symbol, caught.value.http_status, caught.value.message) == (
        "brand_new_symbol",
        418,
        "A newer server",
    )


def test_it_keeps_the_envelopes_data_member(once, faults, ptz_camera):
    body = {"error": {"symbol": "cmd_exec_error", "message": "Device said no", "data": {"code": 7}}}
    faults.inject(body=body, status=400, path=ALARM)
    with pytest.raises(errors.CommandExecError) as caught:
        once.get_alarm_enabled(ptz_camera)
    assert caught.value.data == {"code": 7}


def test_it_raises_route_not_found_for_an_unknown_route_from_the_non_envelope_404(once):
    with pytest.raises(errors.RouteNotFound) as caught:
        once.transport.request("GET", "/v1.0/no/such/route", idempotent=True)
    assert isinstance(caught.value, errors.RopError)
    assert (caught.value.http_status, caught.value.symbol) == (404, None)
    assert caught.value.message == "resource not found."


def test_it_raises_route_not_found_for_a_wrong_method_too(once):
    with pytest.raises(errors.RouteNotFound):
        once.transport.request("DELETE", "/v1.0/devices", idempotent=True)


def test_it_still_raises_rop_error_with_the_status_for_a_non_json_gateway_page(once, faults, ptz_camera):
    faults.inject(body="<html>502 Bad Gateway</html>", status=502, path=ALARM)
    with pytest.raises(errors.RopError) as caught:
        once.get_alarm_enabled(ptz_camera)
    assert type(caught.value) is errors.RopError
    assert (caught.value.http_status, caught.value.symbol) == (502, None)
    assert "502 Bad Gateway" in caught.value.message


def test_it_raises_auth_failed_for_a_gateway_401_without_envelope(once, faults, ptz_camera):
    faults.inject(body={"message": "Unauthorized"}, status=401, path=ALARM)
    with pytest.raises(errors.AuthFailed) as caught:
        once.get_alarm_enabled(ptz_camera)
    assert (caught.value.http_status, caught.value.symbol, caught.value.message) == (401, None, "Unauthorized")


def test_it_raises_invalid_parameter_for_the_servers_own_validation_errors(once):
    # Bypass the client's validation to see the server's answer mapped.
    for path in ("/v1.0/devices/not-a-uid/settings/alarm", "/v1.0/devices/952700000A5S348E/records"):
        with pytest.raises(errors.InvalidParameter) as caught:
            once.transport.request("GET", path, idempotent=True)
        assert (caught.value.symbol, caught.value.http_status) == ("invalid_parameter", 400)


@pytest.mark.parametrize(
    ("path", "body", "cls"),
    [
        ("/v1.0/firmware/image.bin", None, errors.InvalidFilename),
        (
            "/v1.0/devices/{uid}/upgrade-session",
            {"upgradeFile": "image.bin", "factoryReset": False},
            errors.InvalidFilename,
        ),
        ("/v1.0/devices/{uid}/ptz/rotate", {"channel": 0, "direction": "rightUP", "speed": 5}, errors.InvalidParameter),
        (
            "/v1.0/devices/{uid}/ptz/rotate",
            {"channel": 0, "direction": "sideways", "speed": 5},
            errors.InvalidParameter,  # the real server validates the direction before the device
        ),
    ],
)
def test_it_maps_server_rejections_the_client_would_have_prevented_to_their_classes(once, ptz_camera, path, body, cls):
    path = path.replace("{uid}", ptz_camera)
    with pytest.raises(cls):
        once.transport.request("POST", path, json=body, idempotent=False)


def test_it_raises_unexpected_response_for_a_200_with_an_unreadable_body(once, faults, ptz_camera):
    faults.inject(body="definitely not json", status=200, path=ALARM)
    with pytest.raises(errors.UnexpectedResponse):
        once.get_alarm_enabled(ptz_camera)
    faults.inject(body={"something": "else"}, status=200, path=ALARM)
    with pytest.raises(errors.UnexpectedResponse):
        once.get_alarm_enabled(ptz_camera)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_it_raises_rop_unavailable_wrapping_the_cause_for_a_refused_connection():
    dead = RopClient(f"http://127.0.0.1:{free_port()}", retry=RetryPolicy(max_retries=1, backoff_base=0.01))
    with dead, pytest.raises(errors.RopUnavailable) as caught:
        dead.list_online_devices()
    error = caught.value
    assert isinstance(error, errors.RopError)
    assert isinstance(error.cause, requests.ConnectionError)
    assert error.__cause__ is error.cause
    assert (error.symbol, error.http_status) == (None, None)


def test_it_raises_rop_unavailable_for_a_read_timeout(running, faults, ptz_camera):
    faults.faults(latency_ms=500)
    slow = RopClient(running.base_url, timeout=0.1, retry=RetryPolicy(max_retries=0))
    with slow, pytest.raises(errors.RopUnavailable) as caught:
        slow.get_device_name(ptz_camera)
    assert isinstance(caught.value.cause, requests.Timeout)
