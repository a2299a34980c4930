"""Benchmark of the export API at 100,000 devices.

1. The CSV export of 100,000 devices (GET /api/v1/partners/<slug>/devices.csv, read to the
   end through the Django test Client in-process): rows per second. Beside it, in the same
   run: psycopg's COPY of the same rows and columns (tags included, same order) to a file,
   the database's floor for getting these rows out.
2. The JSON device endpoint's p95 server time over filtered views (limit 50, as the page
   shows) with a token. Beside it: the console's own device list page with the same
   filters, as a logged-in admin, same run.

The fleet is bench_device_list's (same loader, same seeds), in its own database
(rop_fleet_bench_api), created, migrated and dropped here.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rop_fleet python -m bench.bench_api
    make bench ARGS=api
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from typing import Any

from bench import bench_device_list as fleet  # the device list bench's fleet
from bench.support.database import bench_database, django_setup
from bench.support.stats import client_ms

DEVICES = fleet.DEVICES
REPEAT = 12
CSV_RUNS = 2
FILTERS = ["online=no", "model=RLC-810A&sort=-battery", "q=harbour", "alarm=off&sort=last_seen"]
COPY_SQL = """
COPY (
  SELECT d.uid, d.display_name, d.model, d.family, d.transport, d.firmware_version, d.online,
         to_char(d.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
         d.battery_percent, d.charge_status, d.alarm_enabled,
         (SELECT string_agg(t.name, '; ' ORDER BY t.name) FROM devices_device_tags dt
            JOIN devices_tag t ON t.id = dt.tag_id WHERE dt.device_id = d.id)
  FROM devices_device d WHERE d.partner_id = %s ORDER BY d.display_name, d.id
) TO STDOUT (FORMAT CSV, HEADER)
"""


def _csv_seconds(client: Any, token: str) -> float:
    started = time.perf_counter()
    response = client.get("/api/v1/partners/bench/devices.csv", headers={"Authorization": f"Bearer {token}"})
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    if lines != DEVICES + 1:
        raise RuntimeError(f"the export had {lines} lines")
    return elapsed


def _copy_seconds(partner_id: int) -> float:
    from django.db import connection

    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, connection.cursor() as cursor:
        with cursor.cursor.copy(COPY_SQL, [partner_id]) as copy:
            for data in copy:
                out.write(data)
        size = out.tell()
    elapsed = time.perf_counter() - started
    if size < DEVICES * 40:
        raise RuntimeError(f"COPY wrote only {size} bytes")
    return elapsed


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def run() -> list[dict[str, Any]]:
    django_setup()
    from django.test import Client

    from api.tokens import create_token

    # Not bench_device_list's database: the two benches may run at the same time.
    with bench_database("api"):
        started = time.perf_counter()
        bench, admin = fleet.seed()
        print(f"  loaded the fleet in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        token = create_token(bench, admin, "bench")[1]
        client = Client()
        export = min(_csv_seconds(client, token) for _ in range(CSV_RUNS))
        copy = min(_copy_seconds(bench.id) for _ in range(CSV_RUNS))
        api_headers = {"Authorization": f"Bearer {token}"}
        session = Client()
        session.force_login(admin)
        ours: list[float] = []
        page: list[float] = []
        for query in FILTERS:
            api_url, page_url = f"/api/v1/partners/bench/devices/?{query}&limit=50", f"/p/bench/devices/?{query}"
            for _ in range(2):  # warm-up
                client_ms(client, api_url, api_headers)
                client_ms(session, page_url)
            for _ in range(REPEAT):
                ours.append(client_ms(client, api_url, api_headers))
                page.append(client_ms(session, page_url))
    return [
        {
            "benchmark": f"API CSV export of {DEVICES:,} devices (streamed, test Client, PostgreSQL)",
            "figure": round(DEVICES / export),
            "unit": "rows/s",
            "baseline": round(DEVICES / copy),
            "baseline_name": "psycopg COPY of the same rows to a file",
            "ratio": round(copy / export, 2),
            "target": "",
        },
        {
            "benchmark": (
                f"API JSON device list server time, {DEVICES:,} devices, {len(FILTERS)} filtered views, "
                f"limit 50 ({len(ours)} requests), p95"
            ),
            "figure": round(_p95(ours), 1),
            "unit": "ms",
            "baseline": round(_p95(page), 1),
            "baseline_name": "the console's device list page, same filters",
            "ratio": round(_p95(ours) / _p95(page), 2),
            "target": "",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
