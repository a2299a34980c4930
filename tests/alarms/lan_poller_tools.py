"""Helpers of the LAN poller tests: ropsim's LAN cameras over real HTTP, Device rows
pointing at them, and the poller running in this process (on a thread with its own
event loop) or as `manage.py lan_poller` in another process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from alarms.lan_poller.poller import LanPoller, PollerSettings
from devices.models import Channel, Device, Transport
from partners.models import Partner
from rop.addresses import AddressPolicy
from ropsim.fleet import SimDevice
from ropsim.lan import DEMO_PASSWORD
from ropsim.lan.testing import LanThread

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = AddressPolicy.for_lan(allow_loopback=True)
# Quick enough for tests; the poller's real defaults are in PollerSettings.
FAST = PollerSettings(lease_seconds=6.0, refresh_seconds=0.5, flush_seconds=0.2, health_seconds=60.0)


def lan_device(
    partner: Partner, lan: LanThread, dev: SimDevice, *, channels: int = 1, interval_ms: int = 2000, **fields: object
) -> Device:
    ep = lan.endpoint(dev.uid)
    values: dict[str, object] = {
        "partner": partner,
        "uid": dev.uid,
        "transport": Transport.LAN,
        "model": dev.model.name,
        "online": True,
        "lan_host": ep.host,
        "lan_port": ep.port,
        "lan_use_https": ep.scheme == "https",
        "lan_username": ep.username,
        "lan_password": DEMO_PASSWORD,
        "lan_cert_sha256": ep.cert_sha256 or "",
        "lan_status_interval_ms": interval_ms,
        "lan_timeout_ms": 2000,
        "channel_count": channels,
    }
    values.update(fields)
    device = Device.objects.create(**values)
    Channel.objects.bulk_create(Channel(device=device, index=i, name=f"CH{i + 1:02d}") for i in range(channels))
    return device


class PollerThread:
    """A LanPoller on a thread (its own event loop), stopped as SIGTERM would stop it."""

    def __init__(self, settings: PollerSettings = FAST, ident: str | None = None) -> None:
        self.poller = LanPoller(LOOPBACK, settings, ident)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._main, name=f"lan-poller-{self.poller.ident}", daemon=True)
        self.error: BaseException | None = None

    def _main(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._started.set()
            await self.poller.run()

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported by stop()
            self.error = exc
        finally:
            connection.close()  # this thread's DB connections (the poller's worker thread closes its own)

    def start(self) -> PollerThread:
        self._thread.start()
        self._started.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self.poller.stop)
        self._thread.join(30)
        assert not self._thread.is_alive(), "the poller did not stop"
        if self.error is not None:
            raise self.error

    def __enter__(self) -> PollerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def poller_process(*args: str) -> Iterator[subprocess.Popen[str]]:
    """`manage.py lan_poller` in another process, on the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rop_fleet.test_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "LOG_LEVEL": "INFO",
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "lan_poller", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    except BaseException:
        if process.poll() is None:
            process.kill()
        output, _ = process.communicate(timeout=10)
        print(f"manage.py lan_poller said:\n{output}")  # shown with the failure
        raise
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def lan_requests(lan: LanThread, uid: str) -> int:
    return lan.state(uid).requests_seen


def commands(lan: LanThread, uid: str, name: str) -> int:
    return sum(1 for seen in list(lan.state(uid).commands_seen) if seen == name)
