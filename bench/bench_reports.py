"""Benchmark of the reports page's figures at 100,000 devices and 1,000,000 health samples.

The time to compute the whole report of one partner (dashboard.report_data.report,
bypassing its cache: every aggregate query of the page) for 7, 30 and 90 days, with
100,000 devices, 1,000,000 health samples spread over 90 days and 200,000 alarms, on
PostgreSQL. Beside it, in the same run: the database's floor for the largest part,
a bare COUNT(*) of the partner's samples in the same period (reading the rows the
online-share chart aggregates, with nothing computed).

The rows live in a dedicated database (<DATABASE_URL's name>_bench), created, migrated
and dropped by the benchmark (see bench_device_list.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rop_fleet python -m bench.bench_reports
    make bench ARGS=reports
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from bench import bench_device_list as fleet  # the device list bench's fleet
from bench.support.database import bench_database, django_setup

SAMPLES_PER_DEVICE = 10  # 1,000,000 samples over the 100,000 devices
ALARMS = 200_000
REPEAT = 5
PERIODS = (7, 30, 90)


def _load_history(partner_id: int) -> None:
    """Samples and alarms written by the database itself (generate_series): a million rows
    through the ORM would take longer than the measurement."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO devices_devicehealthsample (device_id, taken_at, online, battery_percent, charge_status,"
            " alarm_enabled) SELECT d.id, now() - random() * interval '90 days', random() < 0.85, NULL, '', true"
            " FROM devices_device d, generate_series(1, %s) WHERE d.partner_id = %s",
            [SAMPLES_PER_DEVICE, partner_id],
        )
        cursor.execute(
            "INSERT INTO alarms_alarmevent (partner_id, device_uid, channel, status, ai_types, source, received_at,"
            " count, last_seen_at) SELECT %s, 'BENC000000000001', 0, 'MD',"
            " (ARRAY['[\"people\"]', '[\"vehicle\"]', '[]', '[\"people\", \"vehicle\"]'])[1 + g %% 4]::jsonb,"
            " 'webhook', now() - random() * interval '90 days', 1 + g %% 3, now() FROM generate_series(1, %s) g",
            [partner_id, ALARMS],
        )
        cursor.execute("VACUUM ANALYZE devices_devicehealthsample")  # as autovacuum would have by now
        cursor.execute("VACUUM ANALYZE alarms_alarmevent")


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def run() -> list[dict[str, Any]]:
    django_setup()
    from django.db import connection
    from django.utils import timezone

    from dashboard.report_data import period_start, report
    from devices.models import DeviceHealthSample

    with bench_database("reports"):
        started = time.perf_counter()
        bench, _admin = fleet.seed()
        _load_history(bench.id)
        print(f"  loaded the fleet and its history in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        rows = []
        for days in PERIODS:
            now = timezone.now()
            samples = DeviceHealthSample.objects.filter(device__partner=bench, taken_at__gte=period_start(days, now))
            # Warm-up (plans, caches), then measured runs; report(now=...) bypasses the page's cache.
            report(bench, days, now)
            samples.count()
            ours = [_timed(lambda d=days, n=now: report(bench, d, n)) for _ in range(REPEAT)]
            floor = [_timed(samples.count) for _ in range(REPEAT)]
            n = samples.count()
            rows.append(
                {
                    "benchmark": f"reports page figures, {days} days (100,000 devices, {n:,} samples in the period,"
                    f" {ALARMS:,} alarms; all five charts' queries, uncached), median of {REPEAT}",
                    "figure": round(statistics.median(ours), 1),
                    "unit": "ms",
                    "baseline": round(statistics.median(floor), 1),
                    "baseline_name": "COUNT(*) of the same samples",
                    "ratio": round(statistics.median(ours) / statistics.median(floor), 2),
                    "target": "fast at 1M samples",
                }
            )
        connection.close()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
