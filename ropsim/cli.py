"""Command line: ``python -m ropsim --devices 500 --seed 7 --port 8900 --token T ...``.

Options are generated from SimConfig's fields, so every field has a flag and
its help text. Every option takes a value, and whatever follows it is that value,
even when it starts with "-" (generated tokens and secrets may): ``--token -x`` and
``--token=-x`` both mean the token "-x". The secrets may also come from the
environment (``ROPSIM_TOKEN``, ``ROPSIM_AUTHCODE``), which keeps them out of ``ps``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
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
# Secrets the environment may give instead of the command line (which `ps` shows).
ENV_DEFAULTS = {"token": "ROPSIM_TOKEN", "authcode": "ROPSIM_AUTHCODE"}


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
    parser.add_argument(
        "--print-config", action="store_true", help="Print the configuration as JSON and exit (checks a command line)."
    )
    return parser


def _values_attached(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``--opt VALUE`` → ``--opt=VALUE`` for every option that takes a value, so that
    argparse never mistakes a value starting with "-" for an option."""
    takes_value = {s for a in parser._actions if a.nargs is None for s in a.option_strings}
    out: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--":
            out += [arg, *args]
            break
        if arg in takes_value:
            value = next(args, None)
            out.append(arg if value is None else f"{arg}={value}")
        else:
            out.append(arg)
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = build_parser()
    return parser.parse_args(_values_attached(parser, sys.argv[1:] if argv is None else argv))


def config_from_args(argv: list[str] | None = None) -> SimConfig:
    args = vars(parse_args(argv))
    args.pop("log_level")
    args.pop("print_config")
    for name, variable in ENV_DEFAULTS.items():
        # Applied after parsing so that --help never shows a secret as a default.
        if args[name] is None:
            args[name] = os.environ.get(variable) or None
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
    parser_args = parse_args(argv)
    config = config_from_args(argv)
    if parser_args.print_config:
        print(json.dumps(config.as_dict()))
        return 0
    logging.basicConfig(level=parser_args.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(serve(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
