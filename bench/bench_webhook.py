"""Benchmark of the alarm webhook's request path.

POST /hooks/alarms/<slug>/ through the Django test Client in-process (the whole
middleware stack, PostgreSQL), with 200,000 alarms already stored, a 1,000-device
fleet and an IP allow-list set: new alarms (the INSERT path) and duplicates folded
into one event (the conditional UPDATE path). Beside them, in the same run: a bare
JSON view that only answers {"message": "ok"} through the same stack (the floor of
any Django view here), and the same view making two trivial round trips to the
database (SELECT 1, one committed INSERT): the floor of any view that stores
something. Each alarm costs one SELECT and one write; the run checks it.

And under gunicorn, as production serves it (`WORKERS` sync workers, `CLIENTS`
concurrent clients over real HTTP for LOAD_SECONDS): new alarms beside a bare WSGI
handler that only reads the body and answers 200 (bench/bare_wsgi.py), same workers.

Also the server's share of "POST to visible in the feed": the webhook POST followed by
the feed's poll for new alarms as a viewer's page sends it. An open feed polls every
alarms.views.feed.POLL_SECONDS, so a browser shows an alarm at most that much later.

The rows live in a dedicated database (bench_db_name("webhook"): rop_fleet_bench_webhook by
default), created, migrated and dropped by the benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rop_fleet python -m bench.bench_webhook
    make bench ARGS=webhook
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
import types
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench.support.database import bench_database, database_url, django_setup
from bench.support.fleet import member, partner
from bench.support.processes import gunicorn
from bench.support.stats import p95, row, timed

DEVICES = 1_000
STORED_ALARMS = 200_000
REQUESTS = 1_500  # measured per scenario, after warm-up
# Under gunicorn: the production command's sync workers, loaded by concurrent clients.
WORKERS = 3
CLIENTS = 6
LOAD_SECONDS = 8.0
WARM_UP = 100
URLCONF = "bench_webhook_urls"


def _urlconf() -> None:
    """The project's URLs plus the baseline view, as a module Django can import."""
    from django.db import connection
    from django.http import HttpRequest, JsonResponse
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def bare(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"message": "ok"})

    @csrf_exempt
    def two_queries(request: HttpRequest) -> JsonResponse:
        # The database's share alone: two trivial round trips, one of them a committed write.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("INSERT INTO bench_probe (v) VALUES (1)")
        return JsonResponse({"message": "ok"})

    module = types.ModuleType(URLCONF)
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/bare/", bare),
        path("bench/two-queries/", two_queries),
        path("", include("rop_fleet.urls")),
    ]
    sys.modules[URLCONF] = module


def _seed() -> tuple[Any, list[str], Any]:
    from django.db import connection
    from django.utils import timezone

    from alarms.models import AlarmEvent, AlarmSettings
    from devices.models import Device
    from partners.models import Role

    bench = partner("bench")
    AlarmSettings.objects.create(partner=bench, allowed_networks=["10.0.0.0/8", "127.0.0.0/8"])
    uids = [f"BENCH{i:011d}" for i in range(DEVICES)]
    devices = Device.objects.bulk_create([Device(partner=bench, uid=uid, online=True) for uid in uids])
    rng = random.Random(1)
    now = timezone.now()
    batch = []
    for i in range(STORED_ALARMS):
        device = rng.choice(devices)
        at = now - timedelta(seconds=STORED_ALARMS - i + 3600)  # all older than the dedupe window
        batch.append(
            AlarmEvent(
                partner=bench,
                device=device,
                device_uid=device.uid,
                status="MD",
                ai_types=rng.choice([[], ["people"], ["vehicle"], ["dog_cat", "people"]]),
                received_at=at,
                last_seen_at=at,
            )
        )
        if len(batch) == 20_000:
            AlarmEvent.objects.bulk_create(batch)
            batch = []
    AlarmEvent.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_probe (id bigserial PRIMARY KEY, v integer)")
        cursor.execute("ANALYZE")
    return bench, uids, member(bench, "bench-viewer", Role.VIEWER)


def _post(client: Any, url: str, body: dict[str, str]) -> Any:
    response = client.post(url, data=json.dumps(body), content_type="application/json", secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"POST {url} answered {response.status_code}: {response.content[:200]!r}")
    return response


def _measure(partner: Any, uids: list[str], viewer: Any) -> dict[str, list[float]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from alarms.models import AlarmEvent

    client = Client(REMOTE_ADDR="127.0.0.1")
    hook = f"/hooks/alarms/bench/?authcode={partner.webhook_secret}"
    counter = iter(range(10**9))

    def new_alarm() -> dict[str, str]:
        i = next(counter)
        # Every device and channel in turn: never a duplicate within the window.
        return {"uid": uids[i % len(uids)], "channelId": str((i // len(uids)) % 32), "status": "MD", "AItpe": "people"}

    duplicate = {"uid": uids[0], "channelId": "0", "status": "videoLoss", "AItpe": "none"}
    scenarios: dict[str, Callable[[], Any]] = {
        "bare": lambda: _post(client, "/bench/bare/", duplicate),
        "two_queries": lambda: _post(client, "/bench/two-queries/", duplicate),
        "new": lambda: _post(client, hook, new_alarm()),
        "duplicate": lambda: _post(client, hook, duplicate),
    }
    for call in scenarios.values():
        timed(call, WARM_UP)
    # The claim the design rests on: one SELECT and one write per alarm.
    for name, write in (("new", "INSERT"), ("duplicate", "UPDATE")):
        with CaptureQueriesContext(connection) as queries:
            scenarios[name]()
        kinds = [q["sql"].split()[0] for q in queries.captured_queries]
        if kinds != ["SELECT", write]:
            raise RuntimeError(f"{name} alarm took {kinds}, not one SELECT and one {write}")
    # Interleaved rounds, so a slower moment of the machine hits every scenario alike.
    times: dict[str, list[float]] = {name: [] for name in scenarios}
    rounds = 10
    for _ in range(rounds):
        for name, call in scenarios.items():
            times[name] += timed(call, REQUESTS // rounds)
    folded = AlarmEvent.objects.get(partner=partner, device_uid=uids[0], status="videoLoss").count
    if folded < REQUESTS:
        raise RuntimeError(f"duplicates were not folded into one event (count {folded})")

    # POST, then the poll a viewer's open feed sends, until the poll shows the alarm.
    viewer_client = Client()
    viewer_client.force_login(viewer)
    since = AlarmEvent.objects.filter(partner=partner).order_by("-id").values_list("id", flat=True).first()

    def post_then_poll() -> None:
        nonlocal since
        event_id = _post(client, hook, new_alarm()).json()["id"]
        answer = viewer_client.get(f"/p/bench/alarms/new/?since={since}", secure=True, headers={"HX-Request": "true"})
        if answer.status_code != 200 or f'data-alarm-id="{event_id}"'.encode() not in answer.content:
            raise RuntimeError(f"the poll did not show alarm {event_id}: {answer.status_code}")
        since = event_id

    timed(post_then_poll, WARM_UP // 4)
    times["visible"] = timed(post_then_poll, REQUESTS // 5)
    return times


def _load(port: int, path: str, bodies: Callable[[], dict[str, str]]) -> tuple[float, list[float]]:
    """CLIENTS threads POSTing for LOAD_SECONDS: (requests per second, latencies in ms)."""
    import http.client
    import threading

    times: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + LOAD_SECONDS

    def client() -> None:
        while time.monotonic() < stop:
            data = json.dumps(bodies()).encode()
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", path, body=data, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            connection.close()
            with lock:
                times.append((time.perf_counter() - started) * 1000)
                if response.status != 200:
                    failures.append(response.status)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed under load, e.g. {failures[0]}")
    return len(times) / (time.perf_counter() - started), times


def _under_gunicorn(db: str, secret: str, uids: list[str]) -> dict[str, tuple[float, list[float]]]:
    """The webhook under gunicorn (the production command's sync workers) beside the
    bare WSGI handler, each loaded by CLIENTS concurrent clients."""
    import threading

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rop_fleet.test_settings",
        "DATABASE_URL": database_url(db),
        "ALARM_DEDUPE_SECONDS": "3600",
    }
    counter = iter(range(10**9))
    lock = threading.Lock()

    def new_alarm() -> dict[str, str]:
        with lock:
            i = next(counter)
        # Other channels than the in-process run used: never a duplicate.
        return {"uid": uids[i % len(uids)], "channelId": str(31 - (i // len(uids)) % 16), "status": "MD"}

    results = {}
    for name, app, probe, path in (
        ("bare", "bench.bare_wsgi:app", "/", "/"),
        ("webhook", "rop_fleet.wsgi", "/healthz", f"/hooks/alarms/bench/?authcode={secret}"),
    ):
        with gunicorn([app, "--workers", str(WORKERS)], env, probe=probe) as server:
            _load(server.port, path, new_alarm)  # warm-up: workers import, connect, plan
            results[name] = _load(server.port, path, new_alarm)
    return results


def run() -> list[dict[str, Any]]:
    django_setup()
    from django.db import connection
    from django.test.utils import override_settings

    from alarms.views.feed import POLL_SECONDS

    _urlconf()
    with bench_database("webhook") as db:
        started = time.perf_counter()
        bench, uids, viewer = _seed()
        print(f"  stored {STORED_ALARMS:,} alarms in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        with override_settings(ROOT_URLCONF=URLCONF, ALARM_DEDUPE_SECONDS=3600):
            times = _measure(bench, uids, viewer)
        connection.close()  # the gunicorn workers' turn
        served = _under_gunicorn(db, bench.webhook_secret, uids)

    bare_p95, bare_rate = p95(times["bare"]), 1000 / statistics.mean(times["bare"])
    floor_rate = 1000 / statistics.mean(times["two_queries"])
    label = f"alarm webhook, {STORED_ALARMS:,} alarms stored, allow-list on (test Client, PostgreSQL)"
    rows: list[dict[str, Any]] = []
    for name, what in (("new", "new alarms (SELECT + INSERT)"), ("duplicate", "duplicates (SELECT + UPDATE)")):
        rate = 1000 / statistics.mean(times[name])
        rows += [
            row(
                f"{label}: {what}, throughput, one client",
                rate,
                "requests/s",
                baseline=bare_rate,
                baseline_name="bare JSON view",
                digits=None,
            ),
            row(
                f"{label}: {what}, p95",
                p95(times[name]),
                "ms",
                baseline=bare_p95,
                baseline_name="bare JSON view",
                digits=2,
            ),
            row(
                f"{label}: {what}, throughput beside the database's floor",
                rate,
                "requests/s",
                baseline=floor_rate,
                baseline_name="JSON view with SELECT 1 + one INSERT",
                target="close to the floor",
                digits=None,
            ),
        ]
    (bare_served, bare_times), (hook_served, hook_times) = served["bare"], served["webhook"]
    served_label = f"alarm webhook under gunicorn ({WORKERS} sync workers, {CLIENTS} concurrent clients, PostgreSQL)"
    bare_name = "bare WSGI handler under gunicorn"
    rows += [
        row(
            f"{served_label}: new alarms, throughput",
            hook_served,
            "requests/s",
            baseline=bare_served,
            baseline_name=bare_name,
            digits=None,
        ),
        row(
            f"{served_label}: new alarms, p95",
            p95(hook_times),
            "ms",
            baseline=p95(bare_times),
            baseline_name=bare_name,
            digits=2,
        ),
        row(
            "alarm POST then the feed's poll showing it, server time p95 "
            f"(a browser adds up to the {POLL_SECONDS} s poll interval)",
            p95(times["visible"]),
            "ms",
            baseline=bare_p95 * 2,
            baseline_name="two bare JSON requests",
            target=f"< {POLL_SECONDS} s end to end",
            digits=2,
        ),
    ]
    return rows


if __name__ == "__main__":
    for line in run():
        print(line)
