"""Benchmark of a 1 GiB firmware upload through the console's upload view.

A real HTTP server (gunicorn, one sync worker, production WSGI stack) receives a
1 GiB multipart upload, generated on the fly by this process and never kept, at
POST /p/bench/firmware/upload/ as an operator's browser sends it. Measured: the
worker's peak memory growth during the request (Linux VmHWM after resetting it
through /proc/<pid>/clear_refs, minus the resident size before), and the time.
Checked: the stored row's size and sha256 equal what was sent.

Baseline, same run, same worker: the same 1 GiB body under a name the Core Server
refuses (.bin), which the upload handler turns down at the part's headers; Django
then reads the whole body and stores nothing. That is the floor of receiving a
gigabyte through this stack; the figure shows what storing and hashing add.

The rows live in a dedicated database (bench_db_name("firmware"): rop_fleet_bench_firmware
by default), created, migrated and dropped by the benchmark; the image in a temporary
MEDIA_ROOT, removed after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rop_fleet python -m bench.bench_firmware_upload
    make bench ARGS=firmware
"""

from __future__ import annotations

import hashlib
import http.client
import os
import struct
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from bench.support.database import bench_database, database_url, django_setup
from bench.support.fleet import member, partner, session_cookie
from bench.support.processes import Server, gunicorn, status_kb
from bench.support.stats import row

SIZE = 1024**3  # 1 GiB, the "1 GB" (and FIRMWARE_MAX_UPLOAD_MB's default)
CHUNK = 1024**2
NAME = "RLC-810A.2400_24010100.REOLINK.pak"
BOUNDARY = "----benchfirmwareboundary7MA4YWxkTrZu0gW"
TARGET_MB = 64


def _csrf_token(server: Server, session: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/p/bench/firmware/", headers={"Cookie": f"sessionid={session}"})
    response = conn.getresponse()
    response.read()
    conn.close()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("csrftoken="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError(f"no CSRF cookie from the library page (HTTP {response.status})")


def _chunks(size: int) -> Iterator[bytes]:
    """`size` bytes of incompressible, non-repeating data, a MiB at a time."""
    block = os.urandom(CHUNK)
    sent, index = 0, 0
    while sent < size:
        n = min(CHUNK, size - sent)
        yield (struct.pack("<Q", index) + block[8:])[:n]
        sent += n
        index += 1


class Upload(NamedTuple):
    status: int
    location: str
    seconds: float
    sha256: str
    growth_mb: float


def _upload(server: Server, session: str, token: str, name: str, size: int) -> Upload:
    """Stream one multipart upload as a browser does; the worker's peak memory growth."""
    worker = server.workers()[0]
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=900)
    conn.putrequest("POST", "/p/bench/firmware/upload/")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(len(head) + size + len(tail)))
    conn.putheader("Cookie", f"sessionid={session}; csrftoken={token}")
    conn.endheaders()
    before_kb = status_kb(worker, "VmRSS")
    Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM := VmRSS
    if status_kb(worker, "VmHWM") > before_kb + 1024:
        raise RuntimeError("this kernel did not reset the peak (VmHWM): the growth could not be measured")
    digest = hashlib.sha256()
    started = time.perf_counter()
    conn.send(head)
    for chunk in _chunks(size):
        digest.update(chunk)
        conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    response.read()
    seconds = time.perf_counter() - started
    peak_kb = status_kb(worker, "VmHWM")
    conn.close()
    return Upload(
        response.status, response.getheader("Location") or "", seconds, digest.hexdigest(), (peak_kb - before_kb) / 1024
    )


def run() -> list[dict[str, Any]]:
    django_setup()
    from firmware.models import FirmwareImage
    from partners.models import Role

    with bench_database("firmware") as db, tempfile.TemporaryDirectory(prefix="bench-media-") as media:
        session = session_cookie(member(partner("bench"), "bench-operator", Role.OPERATOR))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "rop_fleet.test_settings",
            "DATABASE_URL": database_url(db),
            "MEDIA_ROOT": media,
        }
        args = ["rop_fleet.wsgi:application", "--workers=1", "--worker-class=sync", "--timeout=900"]
        with gunicorn([*args, "--log-level=warning"], env) as server:
            if len(server.workers()) != 1:
                raise RuntimeError(f"expected one gunicorn worker, found {server.workers()}")
            token = _csrf_token(server, session)
            # Warm-up: every code path of both requests has run once before measuring.
            warm = _upload(server, session, token, "WARMUP.2400_24010100.pak", 4 * CHUNK)
            _upload(server, session, token, "warmup.bin", 4 * CHUNK)
            if warm.status != 302:
                raise RuntimeError(f"the warm-up upload answered HTTP {warm.status}")
            floor = _upload(server, session, token, NAME.replace(".pak", ".bin"), SIZE)
            ours = _upload(server, session, token, NAME, SIZE)
            if ours.status != 302 or "/p/bench/firmware/" not in ours.location:
                raise RuntimeError(f"the upload answered HTTP {ours.status} {ours.location}")
            image = FirmwareImage.objects.get(file_name=NAME)
            if (image.size, image.sha256) != (SIZE, ours.sha256):
                raise RuntimeError("the stored image's size or sha256 differs from what was sent")
            if FirmwareImage.objects.filter(file_name__endswith=".bin").exists():
                raise RuntimeError("the refused .bin upload was stored")
            if floor.status != 200:
                raise RuntimeError(f"the refused upload answered HTTP {floor.status}")
    print(
        f"  1 GiB stored in {ours.seconds:.1f} s (growth {ours.growth_mb:.1f} MB); "
        f"refused and discarded in {floor.seconds:.1f} s (growth {floor.growth_mb:.1f} MB)",
        file=sys.stderr,
    )
    label = "firmware upload, 1 GiB through the upload view (gunicorn sync worker, real HTTP)"
    floor_name = "same body refused by name (read, not stored)"
    return [
        row(
            f"{label}: worker peak memory growth",
            ours.growth_mb,
            "MB",
            baseline=floor.growth_mb,
            baseline_name=floor_name,
            target=f"< {TARGET_MB} MB",
        ),
        row(
            f"{label}: time, sha256 and size recorded",
            ours.seconds,
            "s",
            baseline=floor.seconds,
            baseline_name=floor_name,
        ),
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
