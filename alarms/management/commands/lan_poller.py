"""manage.py lan_poller: poll the LAN cameras' motion and AI state (docs/lan-poller.md).

Run one or several (on one machine or many): they share the LAN devices through
leases. SIGTERM stops it cleanly (logs out, releases its leases)."""

import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alarms.lan_poller.poller import LanPoller, PollerSettings
from partners.rop_clients import lan_policy


class Command(BaseCommand):
    help = "Poll LAN cameras' motion and AI state and record changes as alarm events (runs until SIGTERM)."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = PollerSettings()
        parser.add_argument("--lease-seconds", type=float, default=defaults.lease_seconds)
        parser.add_argument("--refresh-seconds", type=float, default=defaults.refresh_seconds)
        parser.add_argument("--max-devices", type=int, default=defaults.max_devices)
        parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
        parser.add_argument("--health-seconds", type=float, default=defaults.health_seconds)
        parser.add_argument("--run-seconds", type=float, default=None, help="Stop after this long (benchmarks).")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = PollerSettings(
            lease_seconds=options["lease_seconds"],
            refresh_seconds=min(options["refresh_seconds"], options["lease_seconds"] / 3),
            max_devices=options["max_devices"],
            concurrency=options["concurrency"],
            health_seconds=options["health_seconds"],
        )
        poller = LanPoller(lan_policy(), settings)
        asyncio.run(poller.run(run_seconds=options["run_seconds"]))
