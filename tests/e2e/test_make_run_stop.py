"""Ctrl-C stops everything `make run` started: bin/run-demo (the real start-up, on the embedded
defaults) is interrupted the way a terminal does it, SIGINT to its whole process group, and
then no process it started is left: not in its group, and not among its descendants, which
honcho starts in sessions of their own (the worker's pool processes included, whatever the
pool). And only one `make run` at a time uses a var directory."""

import contextlib
import os
import signal
import time
from pathlib import Path

from .demo_process import DemoProcess, answers, free_port, read_until, start_demo, stop, wait_for

# From the Ctrl-C until the last process is gone: bin/run-demo gives honcho 20 s, then
# what is left 5 s between its SIGTERM and its SIGKILL.
STOP_BOUND_SECONDS = 30


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (state, ppid, pgrp, ...), None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _processes() -> dict[int, list[str]]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            table[int(entry)] = fields
    return table


def process_tree(root: int) -> dict[int, str]:
    """ROOT and all its descendants, each pid with its start time (so that a pid used again
    by some other process later is not taken for one of these)."""
    table = _processes()
    if root not in table:
        return {}
    tree = {root: table[root][19]}
    todo = [root]
    while todo:
        parent = todo.pop()
        for pid, fields in table.items():
            if int(fields[1]) == parent and pid not in tree:
                tree[pid] = fields[19]
                todo.append(pid)
    return tree


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()
    except OSError:
        return "?"


def left_running(tree: dict[int, str], group: int) -> dict[int, str]:
    """Which of TREE still run, and any other process of GROUP: pid -> command line
    (zombies have ended, they only wait to be reaped)."""
    left = {}
    for pid, fields in _processes().items():
        if fields[0] in "ZX":
            continue
        if tree.get(pid) == fields[19] or int(fields[2]) == group:
            left[pid] = _command(pid)
    return left


def end_what_is_left(proc: DemoProcess, tree: dict[int, str]) -> None:
    """However the test went, leave nothing of this run behind (SIGKILL)."""
    if proc.poll() is None:
        tree = {**tree, **process_tree(proc.pid)}
    for pid in left_running(tree, proc.pid):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def in_use(proc: DemoProcess, port: int) -> None:
    """Wait until the demo serves and its worker has done some work: the first sync of the fleet."""
    read_until(proc, r"celery@\S+ ready\.", timeout=180)
    read_until(proc, r"synced demo: ", timeout=90)
    wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 60, "the web server")


def test_it_leaves_no_process_behind_after_a_ctrl_c_three_times_in_a_row(tmp_path):
    port, sim_port = free_port(), free_port()
    # The third time, the person presses Ctrl-C twice: it ends what is left at once.
    for presses in (1, 1, 2):
        proc = start_demo(tmp_path, port, sim_port)
        tree: dict[int, str] = {}
        try:
            in_use(proc, port)
            tree = process_tree(proc.pid)
            commands = " ".join(_command(pid) for pid in tree)
            assert "honcho" in commands and "worker" in commands and "beat" in commands and "ropsim" in commands
            interrupted = time.monotonic()
            for press in range(presses):
                if press:
                    time.sleep(0.5)
                os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
            assert proc.wait(timeout=STOP_BOUND_SECONDS) == 0
            while (left := left_running(tree, proc.pid)) and time.monotonic() - interrupted < STOP_BOUND_SECONDS:
                time.sleep(0.5)
            assert left == {}, f"still running {time.monotonic() - interrupted:.0f} s after Ctrl-C"
        finally:
            end_what_is_left(proc, tree)


def test_it_refuses_a_second_make_run_on_the_same_var_directory_while_the_first_runs(tmp_path):
    port, sim_port = free_port(), free_port()
    first = start_demo(tmp_path, port, sim_port)
    try:
        read_until(first, r"ROP Fleet is starting on", timeout=180)
        # Other ports: were it not refused, it would start a whole second set of processes.
        second = start_demo(tmp_path, free_port(), free_port())
        try:
            assert second.wait(timeout=60) == 1
        finally:
            end_what_is_left(second, {})
        message = read_until(second, r"already running", timeout=5).string
        assert f"make run is already running on {tmp_path} (pid {first.pid})" in message
        # The first run goes on unharmed.
        in_use(first, port)
    finally:
        tree = process_tree(first.pid) if first.poll() is None else {}
        code = stop(first)
        end_what_is_left(first, tree)
    assert code == 0
