"""Runs every bench/bench_*.py (each exposes run() -> list of rows) and prints one
table: benchmark, figure, baseline measured in the same run, ratio. The table is
recorded in docs/benchmarks.md between the markers, with the date and machine.

Usage: make bench            (all)
       make bench ARGS=ropsim (those whose name contains "ropsim")

Each bench runs in a process of its own: a figure must not depend on which benches ran
before it in the same interpreter (their objects left for the garbage collector to walk,
their imports, caches and connections). In one interpreter, the device list's request
floor (its lightest page) read 9.5 ms after the API bench's 100,000-row exports, against
6.8-7.8 ms when it ran alone.
"""

import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fmt(value: object) -> str:
    if not isinstance(value, float):
        return str(value)
    # Three significant digits, without an exponent for big figures (100,724 s, not 1e+05).
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}"


def fmt_ratio(ratio: float | None) -> str:
    if ratio is None:
        return ""
    # Two decimals, or two significant digits for a ratio far below 1 (0.0011×, not 0.00×).
    return f"{ratio:.2f}×" if ratio == 0 or abs(ratio) >= 0.01 else f"{ratio:.2g}×"


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| benchmark | figure | baseline (same run) | ratio | unit | target |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['benchmark']} | {fmt(r['figure'])} | {r.get('baseline_name', '')} {fmt(r['baseline'])} | "
            f"{fmt_ratio(r.get('ratio'))} | {r.get('unit', '')} | {r.get('target', '')} |"
        )
    return "\n".join(lines)


def run_apart(path: Path) -> list[dict[str, Any]]:
    """The rows of one bench, run in a new interpreter (`run.py --one PATH OUT`)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        done = subprocess.run([sys.executable, __file__, "--one", str(path), out.name], check=False)
        if done.returncode != 0:
            raise RuntimeError(f"exited with {done.returncode} (its output is above)")
        rows: list[dict[str, Any]] = json.loads(Path(out.name).read_text())
        return rows


def main(argv: list[str]) -> int:
    if argv[1:2] == ["--one"]:  # inside run_apart's process
        sys.path.insert(0, str(ROOT))
        Path(argv[3]).write_text(json.dumps(load(Path(argv[2])).run()))
        return 0
    sys.path.insert(0, str(ROOT))
    wanted = argv[1:]
    rows: list[dict[str, Any]] = []
    for path in sorted((ROOT / "bench").glob("bench_*.py")):
        if wanted and not any(w in path.stem for w in wanted):
            continue
        print(f"running {path.name} ...", flush=True)
        try:
            rows.extend(run_apart(path))
        except Exception as exc:  # one broken bench must not lose the others' figures
            print(f"  {path.name} failed: {exc!r}", flush=True)
            rows.append(
                {"benchmark": f"{path.stem}: FAILED ({type(exc).__name__}: {exc})", "figure": "", "baseline": ""}
            )
    text = table(rows)
    print("\n" + text)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    record = f"{BEGIN}\nLast `make bench`: {when} on {machine()}.\n\n{text}\n{END}"
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n"
    if BEGIN in doc and not wanted:
        doc = doc[: doc.index(BEGIN)] + record + doc[doc.index(END) + len(END) :]
    elif not wanted:
        doc = doc.rstrip() + "\n\n" + record + "\n"
    DOC.write_text(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
