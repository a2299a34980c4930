"""Fairness between partners: one partner's hung Core Server does not slow another's
pages and polls (a real Celery worker, two ropsims over real HTTP), and each kind of
work has its own queue that a production worker consumes."""

import threading
import time
from pathlib import Path

import pytest
import redis
import yaml
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from devices.models import Device
from devices.sync import sync_partner
from devices.tasks.polling import poll_device_task
from rop_fleet.celery import app
from ropsim.testing import SimConfig, start_in_thread

from .device_page_tools import page_device, set_faults, url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bolt_on_sim(bolt):
    with start_in_thread(SimConfig(devices=10, seed=11, token="bolt-token")) as running:
        bolt.rop_base_url, bolt.gateway_token, bolt.request_budget = running.base_url, "bolt-token", 500
        bolt.save()
        yield bolt


def test_it_keeps_another_partners_polls_fast_while_one_core_server_hangs(
    sim, acme_on_sim, bolt_on_sim, settings, celery_worker
):
    settings.ROP_TIMEOUT_SECONDS = 0.5
    settings.ROP_BACKGROUND_DEADLINE_SECONDS = 1.0
    settings.ROP_CIRCUIT_FAILURES = 3
    sync_partner(acme_on_sim)
    sync_partner(bolt_on_sim)
    set_faults(sim, latency_ms=5000)  # Acme's Core Server hangs
    # Acme's 30 polls are queued first, ahead of Bolt's 10, on a worker of 2 slots.
    for device_id in Device.objects.filter(partner=acme_on_sim).values_list("id", flat=True):
        poll_device_task.delay(device_id)
    started = time.monotonic()
    for device_id in Device.objects.filter(partner=bolt_on_sim).values_list("id", flat=True):
        poll_device_task.delay(device_id)
    bolt_read = Device.objects.filter(partner=bolt_on_sim, alarm_enabled__isnull=False)
    while bolt_read.count() < 10 and time.monotonic() - started < 30:
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    assert bolt_read.count() == 10
    # Without the breaker the 30 hung polls alone hold the 2 slots for 15 s and more.
    assert elapsed < 10, f"Bolt's polls took {elapsed:.1f} s behind Acme's hung server"
    acme = Device.objects.filter(partner=acme_on_sim)
    assert acme.filter(online=True, poll_failures=0).count() == 30  # the outage is nobody's failure


def test_it_keeps_another_partners_pages_fast_while_one_core_server_hangs(
    sim, acme_on_sim, bolt_on_sim, alice, bob, settings, transactional_db
):
    settings.ROP_INTERACTIVE_DEADLINE_SECONDS = 5.0
    settings.ROP_CIRCUIT_FAILURES = 1000  # only the deadline here: every Acme request waits it out
    set_faults(sim, latency_ms=10_000)
    powered = [uid for uid, dev in sim.sim.fleet.devices.items() if not dev.model.battery][:4]
    acme_devices = [page_device(sim, acme_on_sim, uid=uid) for uid in powered]
    bolt_device = Device.objects.create(partner=bolt_on_sim, uid="95270000BOLT0042", model="RLC-810A", online=True)

    def look_at_acme(device: Device) -> None:
        client = Client()
        client.force_login(alice)
        query: dict[str, str | int] = {"channel": 0, "stream": "mainStream", "refresh": "1"}
        client.get(url("device_snapshot", device), query)
        connection.close()

    waiting = [threading.Thread(target=look_at_acme, args=(device,)) for device in acme_devices]
    for thread in waiting:
        thread.start()
    time.sleep(0.3)  # Acme's requests are now waiting on its Core Server
    client = Client()
    client.force_login(bob)
    times = []
    for _ in range(5):
        started = time.monotonic()
        response = client.get(reverse("device_detail", kwargs={"slug": "bolt", "uid": bolt_device.uid}))
        times.append(time.monotonic() - started)
        assert response.status_code == 200
    still_waiting = sum(thread.is_alive() for thread in waiting)
    for thread in waiting:
        thread.join()
    assert still_waiting == 4 and max(times) < 1.5, times


# --- routing ---------------------------------------------------------------------------------------


def queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return str(route["queue"].name)


def test_it_routes_each_task_to_its_queue():
    app.loader.import_default_modules()
    expected = {
        "devices.tasks.polling.sync_all_partners": settings.QUEUE_POLLING,
        "devices.tasks.polling.sync_partner_task": settings.QUEUE_POLLING,
        "devices.tasks.polling.sweep_due_polls": settings.QUEUE_POLLING,
        "devices.tasks.polling.poll_device_task": settings.QUEUE_POLLING,
        "devices.tasks.polling.prune_health_samples": settings.QUEUE_POLLING,
        "audit.tasks.prune_audit_log": settings.QUEUE_POLLING,
        "alarms.tasks.prune_alarm_events": settings.QUEUE_POLLING,
        "jobs.tasks.sweep": settings.QUEUE_POLLING,
        "jobs.tasks.run_chunk": settings.QUEUE_BULK,
        "firmware.tasks.push_image_task": settings.QUEUE_BULK,
        "firmware.tasks.sweep_incoming_uploads": settings.QUEUE_POLLING,
        "devices.tasks.commands.stop_ptz_task": settings.QUEUE_INTERACTIVE,
    }
    assert {name: queue_of(name) for name in expected} == expected
    # Every task of ours is routed on purpose: a new one is added above, with its queue.
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert ours <= set(expected), f"tasks without a queue of their own: {sorted(ours - set(expected))}"
    # Anything not routed goes to the interactive queue, which every production worker takes.
    assert queue_of("some.new.task") == settings.QUEUE_INTERACTIVE


def test_it_sends_a_sync_now_to_the_interactive_queue(acme, olga, client_of, django_capture_on_commit_callbacks):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("reads the queue's length in the Redis broker")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queues = (settings.QUEUE_INTERACTIVE, settings.QUEUE_POLLING, settings.QUEUE_BULK)
    before = {queue: broker.llen(queue) for queue in queues}
    with django_capture_on_commit_callbacks(execute=True):
        client_of(olga).post(reverse("sync_now", kwargs={"slug": "acme"}))
    # In the interactive queue, and in no other.
    assert {queue: broker.llen(queue) - before[queue] for queue in queues} == {
        settings.QUEUE_INTERACTIVE: 1,
        settings.QUEUE_POLLING: 0,
        settings.QUEUE_BULK: 0,
    }


def test_it_runs_production_workers_that_keep_bulk_work_apart_from_polls():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    consumed = {}
    for name, service in services.items():
        command = service.get("command", [])
        if command[:4] == ["celery", "-A", "rop_fleet", "worker"]:
            consumed[name] = set(command[command.index("--queues") + 1].split(","))
    every_queue = {settings.QUEUE_INTERACTIVE, settings.QUEUE_POLLING, settings.QUEUE_BULK}
    assert set().union(*consumed.values()) == every_queue
    assert not any({settings.QUEUE_POLLING, settings.QUEUE_BULK} <= queues for queues in consumed.values())
    assert all(settings.QUEUE_INTERACTIVE in queues for queues in consumed.values())
