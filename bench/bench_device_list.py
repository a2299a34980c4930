"""Benchmark of the device list page at 100,000 devices.

Server time of GET /p/<slug>/devices/ with filters applied (text search on a name
and on a UID prefix, status, model plus battery sort, alarms off sorted by last
seen, and pages deep into a filter through the keyset cursor), through the Django
test Client in-process against PostgreSQL (bench.support.stats.client_ms). Beside
it, in the same run on the same rows: the Django admin changelist of the same devices
with the equivalent filter or search (/admin/devices/device/, as a superuser; its
search_fields are the list's search columns, so its search uses the same trigram
indexes), which counts every match and pages with OFFSET.

Reported: the p95 over all the filtered views (issue 15's target: at least 5x faster
than the admin's), each view's p95, and the view nearest the admin's (a stricter look
at the same target: 20 requests a view, so one or two slow ones decide it).

The rows live in a dedicated database (bench.support's bench_db_name("device_list")), created,
migrated and dropped by the benchmark, so nothing touches the development or test
databases, and benches of several checkouts on one server do not collide.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rop_fleet python -m bench.bench_device_list
    make bench ARGS=device_list
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bench.support.database import bench_database, django_setup
from bench.support.stats import client_ms

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from partners.models import Partner

DEVICES = 100_000
OTHER_PARTNER_DEVICES = 10_000  # another partner's rows in the same table, as in production
REPEAT = 20  # measured requests per view and side, after warm-up (interleaved: load hits both)
MODELS = [
    ("Argus 3 Pro", "battery"),
    ("Argus 2", "battery"),
    ("Argus PT", "battery"),
    ("RLC-810A", "powered"),
    ("RLC-823A", "powered"),
    ("E1 Zoom", "powered"),
    ("Reolink Duo 2", "powered"),
    ("NVR RLN8-410", "powered"),
]
SITES = ["North", "South", "Harbour", "Depot", "Campus", "Mall", "Tower", "Plant"]


def _load_fleet(partner: Partner, n: int, seed: int) -> None:
    from django.utils import timezone

    from devices.models import ChargeStatus, Device, Tag

    rng = random.Random(seed)
    now = timezone.now()
    prefix = partner.slug.upper()[:4].ljust(4, "X")
    batch = []
    for i in range(n):
        model, family = rng.choice(MODELS)
        battery = family == "battery"
        batch.append(
            Device(
                partner=partner,
                uid=f"{prefix}{i:012d}",
                model=model,
                family=family,
                display_name=f"{rng.choice(SITES)} cam {i}",
                firmware_version=f"v3.{rng.randint(0, 3)}.0.{rng.randint(1, 9)}",
                online=rng.random() < 0.85,
                last_seen=now - timedelta(seconds=rng.randint(0, 30 * 86400)),
                battery_percent=rng.randint(0, 100) if battery else None,
                charge_status=rng.choice([ChargeStatus.NONE, ChargeStatus.CHARGING]) if battery else "",
                alarm_enabled=rng.random() < 0.9,
            )
        )
        if len(batch) == 10_000:
            Device.objects.bulk_create(batch, batch_size=5_000)
            batch = []
    Device.objects.bulk_create(batch, batch_size=5_000)
    # A site tag on every tenth device.
    tag = Tag.objects.create(partner=partner, name="North site")
    through = Device.tags.through
    ids = Device.objects.filter(partner=partner).values_list("id", flat=True)[::10]
    through.objects.bulk_create([through(device_id=i, tag_id=tag.id) for i in ids], batch_size=10_000)


def seed() -> tuple[Partner, User]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from partners.models import Partner

    bench = Partner.objects.create(name="Bench", slug="bench", rop_base_url="http://127.0.0.1:9")
    other = Partner.objects.create(name="Other", slug="other", rop_base_url="http://127.0.0.1:9")
    _load_fleet(bench, DEVICES, seed=1)
    _load_fleet(other, OTHER_PARTNER_DEVICES, seed=2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have by now
    admin = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password-123")
    return bench, admin


def _scenarios(partner_id: int) -> list[tuple[str, str | None, str]]:
    """(name, our URL, the admin changelist URL with the same filter)."""
    ours, admin = "/p/bench/devices/", f"/admin/devices/device/?partner__id__exact={partner_id}"
    return [
        ("offline", f"{ours}?online=no", f"{admin}&online__exact=0"),
        ("model, battery sort", f"{ours}?model=RLC-810A&sort=-battery", f"{admin}&model__exact=RLC-810A&o=-7"),
        ("search: name", f"{ours}?q=harbour", f"{admin}&q=harbour"),
        ("search: UID prefix", f"{ours}?q=BENC0000000123", f"{admin}&q=BENC0000000123"),  # 100 devices
        ("alarms off, last seen", f"{ours}?alarm=off&sort=last_seen", f"{admin}&alarm_enabled__exact=0&o=9"),
        ("online, page 20", None, f"{admin}&online__exact=1&p=20"),
    ]


def _next_page(client: Client, url: str, pages: int) -> str:
    """Our URL for page `pages` of a filter, following the keyset links."""
    import html
    import re

    for _ in range(pages - 1):
        body = client.get(url, secure=True).content.decode()
        more = re.search(r'id="device-more".*?href="\?([^"]+)"', body, re.S)
        if more is None:
            raise RuntimeError(f"no 'More devices' link on {url}")
        query = html.unescape(more.group(1))
        url = f"{url.split('?')[0]}?{query}"
    return url


def _measure(client: Client, bench_id: int) -> tuple[dict[str, list[float]], dict[str, tuple[float, float]]]:
    """All timings per side, and the p95 of each scenario per side. "floor": the console's
    lightest page (partner settings: the same middleware, session and login, one small
    template), timed between them, what any page costs here before its own work."""
    times: dict[str, list[float]] = {"ours": [], "admin": [], "floor": []}
    per_view: dict[str, tuple[float, float]] = {}
    for name, ours, admin in _scenarios(bench_id):
        headers = None
        if ours is None:  # page 20 of "online": the "More devices" link, as htmx asks for it
            ours, headers = _next_page(client, "/p/bench/devices/?online=yes", 20), {"HX-Request": "true"}
        for _ in range(2):  # warm-up: connection, caches, plans
            client_ms(client, ours, headers)
            client_ms(client, admin)
        mine, theirs = [], []
        for _ in range(REPEAT):
            mine.append(client_ms(client, ours, headers))
            theirs.append(client_ms(client, admin))
            times["floor"].append(client_ms(client, "/p/bench/settings/"))
        times["ours"] += mine
        times["admin"] += theirs
        per_view[name] = (_p95(mine), _p95(theirs))
    return times, per_view


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def run() -> list[dict[str, Any]]:
    django_setup()
    from django.test import Client

    with bench_database("device_list"):
        started = time.perf_counter()
        bench, admin = seed()
        print(
            f"  loaded {DEVICES + OTHER_PARTNER_DEVICES:,} device rows in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        client = Client()
        client.force_login(admin)
        times, per_view = _measure(client, bench.id)
    ours_p95, admin_p95 = _p95(times["ours"]), _p95(times["admin"])
    ours_p50, admin_p50 = statistics.median(times["ours"]), statistics.median(times["admin"])
    floor_p50 = statistics.median(times["floor"])
    label = (
        f"device list server time, {DEVICES:,} devices, {len(per_view)} filtered views incl. search and page 20 "
        f"({len(times['ours'])} requests, test Client, PostgreSQL)"
    )
    slowest = max(per_view, key=lambda name: per_view[name][0] / per_view[name][1])
    mine, theirs = per_view[slowest]
    return [
        {
            "benchmark": f"{label}, p95",
            "figure": round(ours_p95, 1),
            "unit": "ms",
            "baseline": round(admin_p95, 1),
            "baseline_name": "Django admin changelist",
            "ratio": round(ours_p95 / admin_p95, 2),
            "target": "≤ 0.20× (5x faster)",
        },
        {
            "benchmark": f"{label}, p50",
            "figure": round(ours_p50, 1),
            "unit": "ms",
            "baseline": round(admin_p50, 1),
            "baseline_name": "Django admin changelist",
            "ratio": round(ours_p50 / admin_p50, 2),
            "target": "faster than the admin",
        },
        {
            "benchmark": f"device list p95 of the view closest to the admin's ({slowest}): the minimum speed-up",
            "figure": round(mine, 1),
            "unit": "ms",
            "baseline": round(theirs, 1),
            "baseline_name": "Django admin changelist",
            "ratio": round(mine / theirs, 2),
            "target": "≤ 0.20× (5x faster)",
        },
        *(
            {
                "benchmark": f"{side} p50 beside the console's lightest page (partner settings), same run",
                "figure": round(p50, 1),
                "unit": "ms",
                "baseline": round(floor_p50, 1),
                "baseline_name": "request floor",
                "ratio": round(p50 / floor_p50, 2),
                "target": "",
            }
            for side, p50 in (("device list", ours_p50), ("Django admin changelist", admin_p50))
        ),
        *(
            {
                "benchmark": f"device list p95, {DEVICES:,} devices: {name}",
                "figure": round(mine, 1),
                "unit": "ms",
                "baseline": round(theirs, 1),
                "baseline_name": "Django admin changelist",
                "ratio": round(mine / theirs, 2),
                "target": "",
            }
            for name, (mine, theirs) in per_view.items()
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
