"""Containment of a Core Server that hangs or is down, against ropsim over real HTTP: the
total deadline of a call a person waits on, the circuit breaker per Core Server (and the
overview saying so), polling through an outage, and Celery's queues."""

import threading
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from devices import polling
from devices.models import Device
from devices.sync import sync_partner
from partners.circuit import circuit_state
from partners.rop_clients import rop_client_for
from rop import RetryPolicy, errors

from .device_page_tools import htmx, page_device, set_faults, url
from .simtools import control

NO_RETRY = RetryPolicy(max_retries=0)


@pytest.fixture
def tight(settings):
    """Short timeouts and a breaker that trips after 3 failures for 1 s."""
    settings.ROP_TIMEOUT_SECONDS = 0.3
    settings.ROP_INTERACTIVE_DEADLINE_SECONDS = 1.0
    settings.ROP_BACKGROUND_DEADLINE_SECONDS = 0.6
    settings.ROP_CIRCUIT_FAILURES = 3
    settings.ROP_CIRCUIT_OPEN_SECONDS = 1.0
    return settings


def hang(sim):
    """Every device call answers after 3 s: longer than any timeout above."""
    set_faults(sim, latency_ms=3000)


def timed(fn):
    started = time.monotonic()
    try:
        return fn(), time.monotonic() - started
    except Exception as exc:  # noqa: BLE001 - what the call raised is the result here
        return exc, time.monotonic() - started


# --- the deadline ------------------------------------------------------------------------------


def test_it_answers_a_page_within_the_deadline_when_a_device_is_slow(sim, acme_on_sim, client_of, victor, settings):
    settings.ROP_INTERACTIVE_DEADLINE_SECONDS = 1.5  # far below the 10 s per-read timeout
    device = page_device(sim, acme_on_sim, battery=False)
    control(sim, "PUT", f"/devices/{device.uid}/behaviour", json={"latencyMs": 6000})
    response, elapsed = timed(
        lambda: htmx(client_of(victor)).get(url("device_snapshot", device), {"channel": 0, "stream": "subStream"})
    )
    assert response.status_code == 200
    assert "The Core Server did not answer within 1.5 seconds. Try again shortly." in response.content.decode()
    assert elapsed < 2.5


def test_it_bounds_retries_and_budget_waits_by_the_deadline(sim, acme_on_sim):
    acme_on_sim.request_budget = 0.5  # one request, then a token every 2 s
    acme_on_sim.save()
    uid = next(iter(sim.sim.fleet.devices))
    with rop_client_for(acme_on_sim, deadline=0.8, max_wait=30) as client:
        client.get_device_name(uid)
        result, elapsed = timed(lambda: client.get_device_name(uid))
    assert type(result).__name__ == "BudgetTimeout" and elapsed < 0.75  # no 2 s wait past the deadline


# --- the circuit breaker --------------------------------------------------------------------


def test_it_opens_the_circuit_after_repeated_timeouts_and_then_fails_fast(sim, acme_on_sim, tight, client_of, alice):
    hang(sim)
    uid = next(iter(sim.sim.fleet.devices))
    client = rop_client_for(acme_on_sim, retry=NO_RETRY)
    for _ in range(3):
        result, elapsed = timed(lambda: client.get_alarm_enabled(uid))
        assert isinstance(result, errors.RopUnavailable) and not isinstance(result, errors.CircuitOpen)
        assert elapsed >= 0.25
    result, elapsed = timed(lambda: client.get_alarm_enabled(uid))
    # Refused before any request (only the breaker raises CircuitOpen), well within a timeout.
    assert isinstance(result, errors.CircuitOpen) and elapsed < 0.25
    assert "has not answered since" in result.message
    # The overview says so, with since when and when it is tried again.
    state = circuit_state(acme_on_sim)
    assert state is not None and state.retry_at - state.opened_at == timedelta(seconds=1)
    html = client_of(alice).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert "Core Server unreachable" in html and state.retry_at.strftime("%H:%M:%S") in html


def test_it_lets_one_probe_through_when_half_open_and_closes_on_an_answer(sim, acme_on_sim, tight, client_of, alice):
    hang(sim)
    uid = next(iter(sim.sim.fleet.devices))
    client = rop_client_for(acme_on_sim, retry=NO_RETRY)
    for _ in range(3):
        timed(lambda: client.get_alarm_enabled(uid))
    time.sleep(1.05)  # the open period is over: half-open
    # The probe still meets a hung server; while it waits, every other call fails fast.
    probe: dict[str, object] = {}
    prober = threading.Thread(target=lambda: probe.update(result=timed(lambda: client.get_alarm_enabled(uid))[0]))
    prober.start()
    time.sleep(0.1)
    other, elapsed = timed(lambda: rop_client_for(acme_on_sim, retry=NO_RETRY).get_alarm_enabled(uid))
    prober.join()
    assert isinstance(other, errors.CircuitOpen) and elapsed < 0.25
    assert isinstance(probe["result"], errors.RopUnavailable) and not isinstance(probe["result"], errors.CircuitOpen)
    # A failed probe opens the circuit again at once (no three failures needed).
    assert isinstance(timed(lambda: client.get_alarm_enabled(uid))[0], errors.CircuitOpen)
    # The server answers again: the next probe closes the circuit and every call goes through.
    set_faults(sim, latency_ms=0)
    time.sleep(1.05)
    assert client.get_alarm_enabled(uid) in (True, False)
    assert circuit_state(acme_on_sim) is None
    assert client.get_device_name(uid)
    html = client_of(alice).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert "Core Server unreachable" not in html


def test_it_keeps_one_partners_open_circuit_away_from_another(sim, acme_on_sim, bolt, tight):
    from ropsim.testing import SimConfig, start_in_thread

    hang(sim)
    uid = next(iter(sim.sim.fleet.devices))
    for _ in range(3):
        timed(lambda: rop_client_for(acme_on_sim, retry=NO_RETRY).get_alarm_enabled(uid))
    with start_in_thread(SimConfig(devices=3, seed=8, token="bolt-token")) as other:
        bolt.rop_base_url, bolt.gateway_token = other.base_url, "bolt-token"
        bolt.save()
        assert circuit_state(acme_on_sim) is not None and circuit_state(bolt) is None
        assert rop_client_for(bolt).list_online_devices()


# --- polling through an outage --------------------------------------------------------------


def test_it_neither_fails_nor_offlines_devices_during_an_outage_and_resumes_after(sim, acme_on_sim, tight, clock):
    sync_partner(acme_on_sim)
    Device.objects.filter(partner=acme_on_sim).update(next_poll_at=clock.now - timedelta(seconds=1))
    hang(sim)
    claimed = polling.claim_due_devices(acme_on_sim, clock.now)
    assert len(claimed) == 30
    started = time.monotonic()
    results = [polling.poll_device(d) for d in Device.objects.select_related("partner").filter(id__in=claimed)]
    # Three polls meet the hung server (each within its 0.6 s deadline), then the circuit
    # is open and the other 27 give their slot back at once.
    assert not any(results) and time.monotonic() - started < 9  # 30 hung polls: 18 s
    devices = Device.objects.filter(partner=acme_on_sim)
    assert devices.filter(online=True, poll_failures=0).count() == 30
    assert set(devices.values_list("last_poll_error", flat=True)) <= {
        "unavailable",
        "deadline_exceeded",
        "core_server_unreachable",
    }
    assert devices.filter(last_poll_error="core_server_unreachable").count() >= 25
    # While the circuit rests, a sweep sends nothing.
    clock.advance(3600)
    assert polling.claim_due_devices(acme_on_sim, clock.now) == []
    # The server answers again: once the circuit lets a probe through, polling resumes at once.
    set_faults(sim, latency_ms=0)
    time.sleep(1.05)
    claimed = polling.claim_due_devices(acme_on_sim, clock.now)
    assert len(claimed) == 30
    assert all(polling.poll_device(d) for d in Device.objects.select_related("partner").filter(id__in=claimed))
    assert devices.filter(alarm_enabled__isnull=False, poll_failures=0, last_poll_error="").count() == 30


def test_it_still_counts_a_devices_own_failure(sim, acme_on_sim):
    sync_partner(acme_on_sim)
    device = Device.objects.select_related("partner").filter(partner=acme_on_sim, family="powered").first()
    assert device is not None
    control(
        sim, "POST", "/inject", json={"symbol": "cmd_timeout", "path": f"/v1.0/devices/{device.uid}/settings/alarm"}
    )
    assert polling.poll_device(device) is False
    device.refresh_from_db()
    assert device.poll_failures == 1 and device.last_poll_error == "cmd_timeout"
    # A 5xx is the server's, not the device's: deferred, no failure counted.
    control(sim, "POST", "/inject", json={"symbol": "server_internal_error", "count": 2})
    assert polling.poll_device(device) is False
    device.refresh_from_db()
    assert device.poll_failures == 1 and device.last_poll_error == "server_internal_error" and device.online
    assert device.next_poll_at is not None and device.next_poll_at < timezone.now() + timedelta(minutes=2)
