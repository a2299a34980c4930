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

The rows live in a dedicated database (rop_fleet_bench_firmware), created, migrated
and dropped by the benchmark; the image in a temporary MEDIA_ROOT, removed after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rop_fleet python bench/bench_firmware_upload.py
    make bench ARGS=firmware
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "rop_fleet_bench_firmware"
SIZE = 1024**3  # 1 GiB, the "1 GB" (and FIRMWARE_MAX_UPLOAD_MB's default)
CHUNK = 1024**2
NAME = "RLC-810A.2400_24010100.REOLINK.pak"
BOUNDARY = "----benchfirmwareboundary7MA4YWxkTrZu0gW"
TARGET_MB = 64


def _django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rop_fleet.test_settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _create_database() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    old_name: str = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return old_name


def _drop_database(old_name: str) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(old_name, verbosity=0)


def _session_cookie() -> str:
    """An operator of partner "bench", logged in: the session cookie's value."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from partners.models import Membership, Partner, Role

    partner = Partner.objects.create(name="Bench", slug="bench", rop_base_url="http://127.0.0.1:9")
    user = get_user_model().objects.create_user("bench-operator", "op@example.com", "bench-password-123")
    Membership.objects.create(user=user, partner=partner, role=Role.OPERATOR)
    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bench_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


# NamedTuple, not a dataclass: bench/run.py loads this file without registering it
# in sys.modules, which dataclasses need to resolve postponed annotations.
class Server(NamedTuple):
    port: int
    worker_pid: int


@contextlib.contextmanager
def _gunicorn(media_root: str) -> Iterator[Server]:
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rop_fleet.test_settings",
        "DATABASE_URL": _bench_database_url(),
        "MEDIA_ROOT": media_root,
        "PYTHONPATH": str(ROOT),
    }
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "rop_fleet.wsgi:application",
        "--workers=1",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        "--timeout=900",
        "--log-level=warning",
    ]
    master = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603 - our own command line
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline or master.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
        if len(children) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {children}")
        yield Server(port, int(children[0]))
    finally:
        master.terminate()
        master.wait(timeout=30)


def _status_kb(pid: int, field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    if match is None:
        raise RuntimeError(f"no {field} in /proc/{pid}/status")
    return int(match.group(1))


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
    before_kb = _status_kb(server.worker_pid, "VmRSS")
    Path(f"/proc/{server.worker_pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
    if _status_kb(server.worker_pid, "VmHWM") > before_kb + 1024:
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
    peak_kb = _status_kb(server.worker_pid, "VmHWM")
    conn.close()
    return Upload(
        response.status, response.getheader("Location") or "", seconds, digest.hexdigest(), (peak_kb - before_kb) / 1024
    )


def run() -> list[dict[str, Any]]:
    _django()
    from firmware.models import FirmwareImage

    old_name = _create_database()
    try:
        session = _session_cookie()
        with tempfile.TemporaryDirectory(prefix="bench-media-") as media, _gunicorn(media) as server:
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
    finally:
        _drop_database(old_name)
    print(
        f"  1 GiB stored in {ours.seconds:.1f} s (growth {ours.growth_mb:.1f} MB); "
        f"refused and discarded in {floor.seconds:.1f} s (growth {floor.growth_mb:.1f} MB)",
        file=sys.stderr,
    )
    label = "firmware upload, 1 GiB through the upload view (gunicorn sync worker, real HTTP)"
    floor_name = "same body refused by name (read, not stored)"
    return [
        {
            "benchmark": f"{label}: worker peak memory growth",
            "figure": round(ours.growth_mb, 1),
            "unit": "MB",
            "baseline": round(floor.growth_mb, 1),
            "baseline_name": floor_name,
            "ratio": round(ours.growth_mb / floor.growth_mb, 2) if floor.growth_mb > 0 else None,
            "target": f"< {TARGET_MB} MB",
        },
        {
            "benchmark": f"{label}: time, sha256 and size recorded",
            "figure": round(ours.seconds, 1),
            "unit": "s",
            "baseline": round(floor.seconds, 1),
            "baseline_name": floor_name,
            "ratio": round(ours.seconds / floor.seconds, 2),
            "target": "",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
