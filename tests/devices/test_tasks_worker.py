"""The sync and polling tasks on a real Celery worker (threads) and the Redis test broker."""

import contextlib
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from devices.models import Device, DeviceHealthSample, Family
from devices.tasks.polling import poll_device_task, sweep_due_polls
from devices.tasks.sync import sync_all_partners, sync_partner_task

from .simtools import control, wait_for


def test_it_syncs_a_partner_end_to_end(sim, acme_on_sim, celery_worker):
    sync_partner_task.delay(acme_on_sim.id)
    wait_for(
        lambda: Device.objects.filter(partner=acme_on_sim, online=True).count() == 30,
        what="the worker to sync 30 devices",
    )
    acme_on_sim.refresh_from_db()
    assert acme_on_sim.last_synced_at is not None


def test_it_fans_out_sync_all_partners_past_an_unreachable_partner(sim, acme_on_sim, bolt, celery_worker):
    # Bolt's Core Server (127.0.0.1:9) refuses connections; Acme's is the simulator.
    sync_all_partners.delay()
    wait_for(lambda: Device.objects.filter(partner=acme_on_sim).count() == 30, what="Acme's sync")
    assert not Device.objects.filter(partner=bolt).exists()


def test_it_polls_each_due_device_exactly_once_in_two_sweeps_back_to_back(sim, acme_on_sim, celery_worker):
    sync_partner_task.delay(acme_on_sim.id)
    wait_for(lambda: Device.objects.filter(partner=acme_on_sim).count() == 30, what="the sync")
    Device.objects.filter(partner=acme_on_sim).update(next_poll_at=timezone.now() - timedelta(seconds=1))
    control(sim, "POST", "/counters/reset")
    sweep_due_polls()
    sweep_due_polls()
    wait_for(lambda: DeviceHealthSample.objects.filter(device__partner=acme_on_sim).count() >= 30, what="30 polls")
    # A grace period for a duplicate poll, were there one, to land before counting.
    time.sleep(1.5)
    per_device = DeviceHealthSample.objects.filter(device__partner=acme_on_sim).values("device").annotate(n=Count("id"))
    assert sorted(row["n"] for row in per_device) == [1] * 30
    battery = Device.objects.filter(partner=acme_on_sim, family=Family.BATTERY).count()
    counters = control(sim, "GET", "/counters")
    battery_calls = sum(v["count"] for k, v in counters.items() if k.endswith("/states/battery"))
    assert battery_calls == battery  # one battery read per battery camera, never a second wake-up


@pytest.fixture
def black_hole():
    """A server that accepts connections and never answers: a device that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, accepted = [], threading.Event()

    def accept():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            accepted.set()

    def release():
        # shutdown() wakes the blocked accept(); close() alone would leave it listening.
        for sock in [server, *held]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted, release
    release()


def test_it_does_not_let_a_hanging_device_delay_others(sim, acme_on_sim, bolt, black_hole, settings, celery_worker):
    settings.ROP_TIMEOUT_SECONDS = 15  # the hanging poll outlasts everything below
    url, accepted, release = black_hole
    bolt.rop_base_url = url
    bolt.save()
    stuck = Device.objects.create(partner=bolt, uid="95270000HANG0001", online=True, family=Family.POWERED)
    poll_device_task.delay(stuck.id)
    assert accepted.wait(timeout=20), "the hanging poll never started"
    # One worker thread is now stuck on that device; the other gets through Acme's fleet.
    sync_partner_task.delay(acme_on_sim.id)
    wait_for(lambda: Device.objects.filter(partner=acme_on_sim).count() == 30, what="the sync")
    Device.objects.filter(partner=acme_on_sim).update(next_poll_at=timezone.now() - timedelta(seconds=1))
    sweep_due_polls()
    wait_for(
        lambda: DeviceHealthSample.objects.filter(device__partner=acme_on_sim).count() == 30, what="Acme's 30 polls"
    )
    stuck.refresh_from_db()
    assert stuck.poll_failures == 0 and not DeviceHealthSample.objects.filter(device=stuck).exists()
    release()  # the hanging poll now fails fast
    wait_for(lambda: Device.objects.get(pk=stuck.pk).last_poll_error == "unavailable", what="the stuck poll to end")
    # No answer is the Core Server's failure, not the device's (issue 13): not counted.
    assert Device.objects.get(pk=stuck.pk).poll_failures == 0
