"""Adds the simulator's LAN cameras to the demo partner as LAN devices (`make run`).

ropsim starts with the console (Procfile.dev, `--lan-devices=3` on ports
ROPSIM_LAN_PORT_BASE..+2), so this waits for each port to accept connections and
then adds the device through the same service as the "Add a LAN device" page.
Idempotent: a port already added is skipped."""

import os
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.models import Partner

from ...lan_devices import add_lan_device
from ...models import Device, Transport

DEMO_SLUG = "demo"
# ropsim.lan's demo account (ropsim.lan.DEMO_USERNAME / DEMO_PASSWORD); not a secret.
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "ropsim-demo-1"


class Command(BaseCommand):
    help = "Add ropsim's LAN cameras to the demo partner (waits for the simulator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partner", default=DEMO_SLUG, help="The partner's slug (default: the demo's).")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--ports", default="", help="Comma-separated ports, instead of --port-base and --count.")
        parser.add_argument("--port-base", type=int, default=int(os.environ.get("ROPSIM_LAN_PORT_BASE", "8910")))
        parser.add_argument("--count", type=int, default=3)
        parser.add_argument("--wait", type=float, default=60.0, help="Seconds to wait for each port.")

    def handle(
        self, *args: Any, host: str, ports: str, port_base: int, count: int, wait: float, **options: Any
    ) -> None:
        if ports:
            try:
                chosen = [int(p) for p in ports.split(",")]
            except ValueError:
                raise CommandError("--ports is a comma-separated list of port numbers.") from None
        elif port_base > 0:
            chosen = list(range(port_base, port_base + count))
        else:
            raise CommandError("The LAN ports are chosen by the simulator (port base 0): give --ports.")
        partner = Partner.objects.filter(slug=options["partner"]).first()
        if partner is None:
            raise CommandError(f"No partner {options['partner']!r}: run load_demo first.")
        for port in chosen:
            known = Device.objects.filter(partner=partner, transport=Transport.LAN, lan_host=host, lan_port=port)
            if known.exists():
                self.stdout.write(f"  LAN device on {host}:{port}: already added")
                continue
            if not _wait_for(host, port, wait):
                self.stderr.write(f"  LAN device on {host}:{port}: nothing answered within {wait:g} s")
                continue
            data = {
                "lan_host": host,
                "lan_port": port,
                "lan_use_https": False,
                "lan_username": DEMO_USERNAME,
                "lan_password": DEMO_PASSWORD,
                "lan_status_interval_ms": 5000,
                "lan_timeout_ms": 8000,
            }
            outcome = add_lan_device(partner, None, data)
            self.stdout.write(f"  LAN device on {host}:{port}: {outcome.message}")


def _wait_for(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)
