"""Command line: ``python -m ropsim --devices 500 --seed 7 --port 8900 --token T ...``.

Options are generated from SimConfig's fields, so every field has a flag and
its help text.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import types
import typing
from dataclasses import MISSING, fields

from aiohttp import web

from ropsim.config import SimConfig
from ropsim.server import create_app
from ropsim.sim import Simulator

CLI_DEFAULTS: dict[str, object] = {"port": 8900}


def _field_type(tp: object) -> type:
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    assert isinstance(tp, type)
    return tp


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ropsim",
        description="Simulated ROP v1.0 Core Server (HTTP API) with a seeded fleet of Reolink devices, "
        "fault injection and a control API under /_sim/.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    hints = typing.get_type_hints(SimConfig)
    for f in fields(SimConfig):
        if not f.metadata.get("cli", True):
            continue
        field_default = f.default if f.default is not MISSING else None
        default = CLI_DEFAULTS.get(f.name, f.metadata.get("cli_default", field_default))
        if hints[f.name] is bool:
            # --demo-states / --no-demo-states
            parser.add_argument(
                f"--{f.name.replace('_', '-')}",
                dest=f.name,
                action=argparse.BooleanOptionalAction,
                default=default,
                help=f.metadata["help"],
            )
            continue
        parser.add_argument(
            f"--{f.name.replace('_', '-')}",
            dest=f.name,
            type=_field_type(hints[f.name]),
            default=default,
            help=f.metadata["help"],
            metavar=f.name.upper(),
        )
    parser.add_argument("--log-level", default="INFO", help="Logging level.")
    return parser


def config_from_args(argv: list[str] | None = None) -> SimConfig:
    args = vars(build_parser().parse_args(argv))
    args.pop("log_level")
    return SimConfig(**args)


async def serve(config: SimConfig) -> None:
    sim = Simulator(config)
    runner = web.AppRunner(create_app(sim), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    logging.getLogger("ropsim").info(
        "ropsim: %d devices on http://%s:%d (control API /_sim/, firmware in %s)",
        len(sim.fleet.devices),
        config.host,
        config.port,
        sim.firmware.dir,
    )
    for ep in sim.lan_endpoints:
        logging.getLogger("ropsim").info("LAN %s on %s", ep["uid"], ep["url"])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        sim.close()


def main(argv: list[str] | None = None) -> int:
    parser_args = build_parser().parse_args(argv)
    logging.basicConfig(level=parser_args.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    config = config_from_args(argv)
    asyncio.run(serve(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
