"""Benchmarks of the ROP Core Server simulator (ropsim).

1. Start-up: process start of ``python -m ropsim --devices 10000`` until the first
   successful GET /v1.0/devices (target: under 10 s).
2. Throughput: device calls (GET /v1.0/devices/{uid}/settings/general-config over
   random UIDs of the 10,000-device fleet, no latency injected), driven by an
   aiohttp load generator in a separate process with bounded concurrency, count
   and time, loopback only (target: at least 1,000 req/s).

Each figure sits beside a baseline measured in the same run on the same machine:
a bare aiohttp app answering a fixed JSON body, started and loaded the same way.

    python -m bench.bench_ropsim          # prints the rows
    make bench ARGS=ropsim                # via bench/run.py, which calls run()
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from typing import Any

from bench.support.database import ROOT
from bench.support.processes import cpu_seconds, free_port, ropsim_command, serving
from bench.support.stats import row

DEVICES = 10_000
CONCURRENCY = 64
REQUESTS = 20_000
MAX_SECONDS = 10.0

BARE_SERVER = """
import sys
from aiohttp import web
BODY = b'{"deviceName": "front yard"}'
async def handler(request):
    return web.Response(body=BODY, content_type="application/json")
app = web.Application()
app.router.add_get("/{tail:.*}", handler)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def _measured_load(proc: subprocess.Popen[bytes], base: str, paths_from: str | None, path: str) -> dict[str, float]:
    cpu_before = cpu_seconds(proc.pid)
    result = _load(base, paths_from, path)
    # Includes the warm-up and UID fetch, which are small next to the measured requests.
    result["cpu_us_per_request"] = (cpu_seconds(proc.pid) - cpu_before) / max(1, result["requests"]) * 1e6
    return result


def _load(base: str, paths_from: str | None, path: str) -> dict[str, float]:
    """Run the load generator in its own process; returns its JSON result."""
    cmd = [
        sys.executable,
        "-m",
        "bench.bench_ropsim",
        "--load",
        base,
        "--path",
        path,
        "--concurrency",
        str(CONCURRENCY),
        "--count",
        str(REQUESTS),
        "--seconds",
        str(MAX_SECONDS),
    ]
    if paths_from:
        cmd += ["--uids-from", paths_from]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, timeout=MAX_SECONDS + 60)
    summary: dict[str, float] = json.loads(out.stdout)
    return summary


async def _generate(
    base: str, path: str, uids_from: str | None, concurrency: int, count: int, seconds: float
) -> dict[str, float]:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        uids = ["0"]
        if uids_from:
            async with session.get(base + uids_from) as resp:
                uids = [i["uid"] for i in (await resp.json())["items"]]
        rng = random.Random(1)
        sent = ok = 0
        # Warm up connections (not measured).
        await asyncio.gather(*(session.get(base + path.format(uid=uids[0])) for _ in range(concurrency)))
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            nonlocal sent, ok
            while sent < count and time.perf_counter() < deadline:
                sent += 1
                async with session.get(base + path.format(uid=rng.choice(uids))) as resp:
                    await resp.read()
                    ok += resp.status == 200

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"requests": sent, "ok": ok, "seconds": elapsed, "rps": ok / elapsed}


def run() -> list[dict[str, Any]]:
    # Baseline first: a bare aiohttp app, same start-up probe and load generator.
    probe, path = "/v1.0/devices", "/v1.0/devices/{uid}/settings/general-config"
    port = free_port()
    with serving([sys.executable, "-c", BARE_SERVER, str(port)], port, probe, "bare aiohttp app") as bare:
        bare_start = bare.startup
        bare_load = _measured_load(bare.proc, bare.url, None, path)

    port = free_port()
    with serving(ropsim_command(port, DEVICES), port, probe, "ropsim") as sim:
        sim_start = sim.startup
        sim_load = _measured_load(sim.proc, sim.url, probe, path)

    # With one load-generator process on a 2-core machine the client may be the bottleneck,
    # so the server's own CPU time per request is reported too.
    return [
        row(
            f"ropsim start-up, {DEVICES:,} devices (process start to first GET /v1.0/devices)",
            sim_start,
            "s",
            baseline=bare_start,
            baseline_name="bare aiohttp app",
            target="< 10 s",
            digits=3,
        ),
        row(
            f"ropsim device calls, {DEVICES:,} devices, {CONCURRENCY} concurrent, no latency "
            "(GET settings/general-config)",
            sim_load["rps"],
            "req/s",
            baseline=bare_load["rps"],
            baseline_name="bare aiohttp handler",
            target="≥ 1,000 req/s",
            digits=None,
        ),
        row(
            "ropsim server CPU per device call (same load)",
            sim_load["cpu_us_per_request"],
            "us",
            baseline=bare_load["cpu_us_per_request"],
            baseline_name="bare aiohttp handler",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", help="(internal) run the load generator against this base URL")
    parser.add_argument("--path", default="/")
    parser.add_argument("--uids-from")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--count", type=int, default=REQUESTS)
    parser.add_argument("--seconds", type=float, default=MAX_SECONDS)
    args = parser.parse_args()
    if args.load:
        if not args.load.startswith("http://127.0.0.1:"):
            raise SystemExit("the load generator only targets loopback")
        result = asyncio.run(
            _generate(args.load, args.path, args.uids_from, args.concurrency, args.count, args.seconds)
        )
        print(json.dumps(result))
        return
    for line in run():
        print(
            f"{line['benchmark']}: {line['figure']} {line['unit']} (baseline {line['baseline']} {line['unit']}, "
            f"ratio {line['ratio']})"
        )


if __name__ == "__main__":
    main()
