"""Authentication variants (a partner's gateway), User-Agent, and what never reaches the logs."""

from __future__ import annotations

import io
import logging

import pytest

from rop import RetryPolicy, RopClient, errors

from .conftest import FAST_RETRY, start_sim

TOKEN = "gw-token-5f1e0c77a9"


@pytest.fixture(scope="module")
def bearer_gateway():
    sim = start_sim(token=TOKEN)
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def api_key_gateway():
    sim = start_sim(token=TOKEN, auth_header="X-Api-Key")
    yield sim
    sim.stop()


def sent_headers(client: RopClient) -> list[dict[str, str]]:
    """Collect the headers of every request the client really sent (a response hook)."""
    seen: list[dict[str, str]] = []
    client.transport.session.hooks["response"].append(lambda r, *a, **k: seen.append(dict(r.request.headers)))
    return seen


def test_it_sends_a_token_as_a_bearer_authorization_by_default(bearer_gateway):
    with RopClient(bearer_gateway.base_url, token=TOKEN, retry=FAST_RETRY) as client:
        seen = sent_headers(client)
        client.list_online_devices()
    assert seen[-1]["Authorization"] == f"Bearer {TOKEN}"


def test_it_can_send_the_token_in_another_header(api_key_gateway):
    with RopClient(api_key_gateway.base_url, token=TOKEN, auth_header="X-Api-Key", retry=FAST_RETRY) as client:
        seen = sent_headers(client)
        client.list_online_devices()
    assert seen[-1]["X-Api-Key"] == TOKEN
    assert "Authorization" not in seen[-1]


def test_it_takes_the_scheme_of_the_authorization_header_from_configuration(running):
    with RopClient(running.base_url, token=TOKEN, auth_scheme="Token", retry=FAST_RETRY) as client:
        seen = sent_headers(client)
        client.list_online_devices()
    assert seen[-1]["Authorization"] == f"Token {TOKEN}"


def test_it_sends_no_credential_without_a_token_and_a_gateway_refuses(bearer_gateway, running):
    with RopClient(running.base_url, retry=FAST_RETRY) as open_client:
        seen = sent_headers(open_client)
        open_client.list_online_devices()  # the bare Core Server has no authentication
    assert "Authorization" not in seen[-1]
    with RopClient(bearer_gateway.base_url, retry=FAST_RETRY) as client, pytest.raises(errors.AuthFailed) as caught:
        client.list_online_devices()
    assert (caught.value.symbol, caught.value.http_status) == ("auth_failed", 403)


def test_it_raises_auth_failed_for_a_wrong_token_or_the_wrong_header(bearer_gateway, api_key_gateway):
    wrong_token = RopClient(bearer_gateway.base_url, token="wrong", retry=FAST_RETRY)
    wrong_header = RopClient(api_key_gateway.base_url, token=TOKEN, retry=FAST_RETRY)
    for client in (wrong_token, wrong_header):
        with client, pytest.raises(errors.AuthFailed):
            client.list_online_devices()


def test_it_names_the_project_and_version_in_the_user_agent(client):
    seen = sent_headers(client)
    client.list_online_devices()
    assert seen[-1]["User-Agent"].startswith("rop-fleet/")
    assert seen[-1]["User-Agent"].split("/", 1)[1][0].isdigit()


def test_it_keeps_the_token_out_of_reprs(running):
    with RopClient(running.base_url, token=TOKEN) as client:
        assert TOKEN not in repr(client)
        assert TOKEN not in repr(client.transport.session.auth)


def test_it_logs_each_request_with_method_path_status_and_duration(client, caplog, ptz_camera):
    caplog.set_level(logging.DEBUG, logger="rop")
    client.get_device_name(ptz_camera)
    record = next(r for r in caplog.records if r.name == "rop")
    assert record.rop_method == "GET"
    assert record.rop_path == f"/v1.0/devices/{ptz_camera}/settings/general-config"
    assert record.rop_status == 200
    assert record.rop_duration_ms >= 0
    assert "GET" in record.getMessage() and "200" in record.getMessage() and " ms" in record.getMessage()


def test_it_keeps_tokens_wifi_keys_authcodes_and_play_urls_out_of_the_logs(bearer_gateway, caplog):
    from .conftest import Control

    control = Control(bearer_gateway)
    camera = control.add_device("Reolink Duo 2", sdCard=True)
    wifi_key = "Wifi-Key-81d2!"
    caplog.set_level(logging.DEBUG)  # every logger, urllib3 included
    secrets: list[str] = [TOKEN, wifi_key]
    policy = RetryPolicy(max_retries=1, backoff_base=0.01, backoff_max=0.01)
    with RopClient(bearer_gateway.base_url, token=TOKEN, retry=policy) as client:
        client.set_wifi_config(camera, "TP-LINK_JIN", wifi_key, "US")
        client.test_wifi(camera, "TP-LINK_JIN", wifi_key, "US")
        init = client.create_initialization_session(camera)
        secrets.append(init.code)
        live = client.create_live_session(camera, 0, "mainStream")
        secrets.append(live.play_url)
        secrets.append(live.play_url.rsplit("/", 1)[1])  # the signature alone
        control.inject(symbol="server_internal_error", path="/v1.0/devices/{uid}/settings/wifi-config")
        client.set_wifi_config(camera, "TP-LINK_JIN", wifi_key, "US")  # retried: logged as a warning
        control.inject(symbol="invalid_parameter", path="/v1.0/devices/{uid}/wifi/test", message=f"bad key {wifi_key}")
        with pytest.raises(errors.InvalidParameter):
            client.test_wifi(camera, "TP-LINK_JIN", wifi_key, "US")
        client.upload_firmware("Reolink-Duo-2.9001_24010100.REOLINK.paks", io.BytesIO(b"fw"))
    logged = caplog.text + "".join(repr(vars(r)) for r in caplog.records)
    assert any(r.name == "rop" and r.levelno == logging.WARNING for r in caplog.records)
    for secret in secrets:
        assert secret not in logged
