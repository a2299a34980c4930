"""A CSV export of 100,000 devices streams in constant memory: the process's resident
memory grows by about as little for 100,000 devices as for 10,000 while the whole export
is read, far below what the rows would take if they were held at once. (RSS sampled from
/proc rather than tracemalloc, which slows the export several times over.)"""

import gc
import os

from django.db import connection

from devices.models import Device
from tests.devices.fleet_rows import made_up_fleet

URL = "/api/v1/partners/acme/devices.csv?sort=uid"


PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def export_peak(api) -> tuple[int, int]:
    """(lines, the most resident memory grew while the export was requested and read to the end)."""
    gc.collect()
    before = peak = rss()
    response = api.get(URL)
    assert response.status_code == 200 and response.streaming
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        peak = max(peak, rss())  # a chunk is ~64 KB of CSV (api.paging.CSV_CHUNK)
    return lines, max(peak, rss()) - before


def copy_fleet(times: int) -> None:
    """Each device copied `times` more times in one statement (the 4th UID character numbers
    the copy): 90,000 rows in seconds rather than a minute of ORM objects."""
    columns = [str(f.column) for f in Device._meta.concrete_fields if f.column not in ("id", "uid")]
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO devices_device (uid, {names}) "
            f"SELECT overlay(uid placing copy::text from 4 for 1), {names} "
            "FROM devices_device CROSS JOIN generate_series(1, %s) AS copy",
            [times],
        )


def test_it_exports_100000_devices_in_flat_memory(api, acme):
    made_up_fleet(acme, 10_000, tag_every=7)
    lines_10k, peak_10k = export_peak(api)
    copy_fleet(9)
    assert Device.objects.count() == 100_000
    lines_100k, peak_100k = export_peak(api)

    assert (lines_10k, lines_100k) == (10_001, 100_001)  # a header and every device
    # Ten times the rows, about the same growth (plus allocator slack): one batch at a time.
    assert peak_100k < 1.5 * peak_10k + 4 * 2**20, (peak_10k, peak_100k)
    # 100,000 Device objects at once take hundreds of MB (the CSV text alone is ~10 MB); the
    # peak here is one database chunk (devices.selectors.export_rows) and its prefetch.
    assert peak_100k < 32 * 2**20, peak_100k
