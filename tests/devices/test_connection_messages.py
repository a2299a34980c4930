"""devices.connection.messages: the one wording of a failed ROP call, for pages, bulk
results, audit entries and a device's last poll error."""

import pytest

from core.request_budget import BudgetTimeout
from devices.connection import NotSupported, describe
from devices.models import ItemResult
from rop import errors, lan


@pytest.mark.parametrize(
    ("exc", "result", "message", "symbol"),
    [
        (errors.WakeUpTimeout("x"), ItemResult.OFFLINE, "The battery camera did not wake up.", "wake_up_timeout"),
        (errors.DeviceOffline("x"), ItemResult.OFFLINE, "The device is offline.", "device_offline"),
        (
            errors.DeviceConnectionNotFound("x"),
            ItemResult.OFFLINE,
            "The device is offline.",
            "device_connection_not_found",
        ),
        (errors.CommandNotSupported("x"), ItemResult.NOT_SUPPORTED, "does not support that", "cmd_not_support"),
        (errors.DeviceChannelNotFound("x"), ItemResult.NOT_SUPPORTED, "no such channel", "device_channel_not_found"),
        (errors.CommandTimeout("x"), ItemResult.ERROR, "did not answer in time", "cmd_timeout"),
        (errors.SnapError("x"), ItemResult.ERROR, "could not carry out the command", "snap_error"),
        (errors.FrequentRequest("x"), ItemResult.ERROR, "rate limiting the console", "frequent_request"),
        (errors.AuthFailed("x"), ItemResult.ERROR, "refused the console's credentials", "auth_failed"),
        (errors.SessionExpired("x"), ItemResult.ERROR, "The session expired. Start again.", "session_expired"),
        (errors.RopUnavailable("connection refused"), ItemResult.ERROR, "cannot be reached", "unavailable"),
        (errors.WorkDirNotFound("x"), ItemResult.ERROR, "had an internal error", "work_dir_not_found"),
        (BudgetTimeout(), ItemResult.ERROR, "request budget is used up", "budget_exhausted"),
    ],
)
def test_it_words_each_failure_for_a_fleet_manager(exc, result, message, symbol):
    failure = describe(exc)
    assert (failure.result, failure.symbol) == (result, symbol)
    assert message in failure.message


def test_it_quotes_the_core_servers_reason_for_a_rejected_value():
    failure = describe(errors.InvalidParameter("name is longer than 31 characters"))
    assert failure.message == "The Core Server rejected a value: name is longer than 31 characters"
    assert failure.symbol == "invalid_parameter"


def test_it_names_an_unknown_symbol_or_the_http_status():
    unknown = describe(errors.RopError("?", symbol="brand_new_error", http_status=400))
    assert unknown.message == "The Core Server answered an error (brand_new_error)."
    assert (unknown.result, unknown.symbol) == (ItemResult.ERROR, "brand_new_error")
    bare = describe(errors.RopError("?", http_status=418))
    assert bare.message == "The Core Server answered an error (418)." and bare.symbol == "http_418"
    assert describe(errors.RopError("?")).symbol == "http_error"


def test_it_keeps_a_symbol_short_enough_for_the_device_row():
    assert len(describe(errors.RopError("?", symbol="x" * 300)).symbol) == 64


def test_it_gives_the_outcome_a_page_shows():
    outcome = describe(errors.DeviceOffline("x")).outcome()
    assert not outcome.ok and outcome.level == "warning" and outcome.message == "The device is offline."


@pytest.mark.parametrize(
    ("exc", "result", "message", "symbol"),
    [
        (
            lan.LanAuthFailed("x", command="Login", rsp_code=-7),
            ItemResult.ERROR,
            "refused the user name",
            "lan_auth_failed",
        ),
        (lan.LanLocked("x", retry_after=299.6, command="Login"), ItemResult.ERROR, "try again in 300 s", "lan_locked"),
        (lan.LanTimeout("slow"), ItemResult.OFFLINE, "did not answer in time", "lan_timeout"),
        (lan.LanUnreachable("refused"), ItemResult.OFFLINE, "cannot be reached: refused", "lan_unreachable"),
        (
            lan.LanNotSupported("x", rsp_code=-9),
            ItemResult.NOT_SUPPORTED,
            "This model does not support",
            "lan_not_supported",
        ),
        (lan.LanCommandError("bad speed"), ItemResult.ERROR, "refused the command: bad speed", "lan_command_error"),
        (lan.CertificateChanged("a" * 64, "b" * 64), ItemResult.ERROR, "b" * 64, "certificate_changed"),
        (
            NotSupported("The siren", "rop"),
            ItemResult.NOT_SUPPORTED,
            "not supported on this transport (ROP Core Server)",
            "transport_not_supported",
        ),
    ],
)
def test_it_words_each_lan_and_transport_failure(exc, result, message, symbol):
    failure = describe(exc)
    assert (failure.result, failure.symbol) == (result, symbol)
    assert message in failure.message
