"""Benchmarks of the ROP Core Server simulator (ropsim).

1. Start-up: process start of ``python -m ropsim --devices 10000`` until the first
   successful GET /v1.0/devices (target: under 10 s).
2. Throughput: device calls (GET /v1.0/devices/{uid}/settings/general-config over
   random UIDs of the 10,000-device fleet, no latency injected), driven by an
   aiohttp load generator in a separate process with bounded concurrency, count
   and time, loopback only (target: at least 1,000 req/s).

Each figure sits beside a baseline measured in the same run on the same machine:
a bare aiohttp app answering a fixed JSON body, started and loaded the same way.

    python bench/bench_ropsim.py          # prints the rows
    make bench ARGS=ropsim                # via bench/run.py, which calls run()
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_first_ok(url: str, proc: subprocess.Popen[bytes], started: float, timeout: float = 60.0) -> float:
    import urllib.error
    import urllib.request

    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback URL we built
                if resp.status == 200:
                    resp.read()
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        if time.perf_counter() - started > timeout:
            raise TimeoutError(url)
        time.sleep(0.02)


def _start(cmd: list[str], probe: str) -> tuple[subprocess.Popen[bytes], float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, _wait_first_ok(probe, proc, started)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process (Linux /proc), to see the server's own cost."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measured_load(proc: subprocess.Popen[bytes], base: str, paths_from: str | None, path: str) -> dict[str, float]:
    cpu_before = _cpu_seconds(proc.pid)
    result = _load(base, paths_from, path)
    # Includes the warm-up and UID fetch, which are small next to the measured requests.
    result["cpu_us_per_request"] = (_cpu_seconds(proc.pid) - cpu_before) / max(1, result["requests"]) * 1e6
    return result


def _load(base: str, paths_from: str | None, path: str) -> dict[str, float]:
    """Run the load generator in its own process; returns its JSON result."""
    cmd = [
        sys.executable,
        __file__,
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
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=MAX_SECONDS + 60)
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


def run() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    # Baseline first: a bare aiohttp app, same start-up probe and load generator.
    port = _free_port()
    bare, bare_start = _start([sys.executable, "-c", BARE_SERVER, str(port)], f"http://127.0.0.1:{port}/v1.0/devices")
    try:
        bare_load = _measured_load(
            bare, f"http://127.0.0.1:{port}", None, "/v1.0/devices/{uid}/settings/general-config"
        )
    finally:
        _stop(bare)

    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "ropsim",
        "--devices",
        str(DEVICES),
        "--seed",
        "7",
        "--port",
        str(port),
        "--log-level",
        "WARNING",
        # The raw server: the demo's slow device and cameras that never wake would measure the demo.
        "--no-demo-states",
    ]
    sim, sim_start = _start(cmd, f"http://127.0.0.1:{port}/v1.0/devices")
    try:
        sim_load = _measured_load(
            sim, f"http://127.0.0.1:{port}", "/v1.0/devices", "/v1.0/devices/{uid}/settings/general-config"
        )
    finally:
        _stop(sim)

    rows.append(
        {
            "benchmark": f"ropsim start-up, {DEVICES:,} devices (process start to first GET /v1.0/devices)",
            "figure": round(sim_start, 3),
            "unit": "s",
            "baseline": round(bare_start, 3),
            "baseline_name": "bare aiohttp app",
            "ratio": round(sim_start / bare_start, 2),
            "target": "< 10 s",
        }
    )
    rows.append(
        {
            "benchmark": f"ropsim device calls, {DEVICES:,} devices, {CONCURRENCY} concurrent, no latency "
            "(GET settings/general-config)",
            "figure": round(sim_load["rps"]),
            "unit": "req/s",
            "baseline": round(bare_load["rps"]),
            "baseline_name": "bare aiohttp handler",
            "ratio": round(sim_load["rps"] / bare_load["rps"], 2),
            "target": "≥ 1,000 req/s",
        }
    )
    # With one load-generator process on a 2-core machine the client may be the bottleneck,
    # so the server's own CPU time per request is reported too.
    rows.append(
        {
            "benchmark": "ropsim server CPU per device call (same load)",
            "figure": round(sim_load["cpu_us_per_request"], 1),
            "unit": "us",
            "baseline": round(bare_load["cpu_us_per_request"], 1),
            "baseline_name": "bare aiohttp handler",
            "ratio": round(sim_load["cpu_us_per_request"] / bare_load["cpu_us_per_request"], 2),
        }
    )
    return rows


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
    for row in run():
        print(
            f"{row['benchmark']}: {row['figure']} {row['unit']} (baseline {row['baseline']} {row['unit']}, "
            f"ratio {row['ratio']})"
        )


if __name__ == "__main__":
    main()
