"""`make run` starts whatever the generated secrets look like: a token or webhook secret
that starts with "-" (or "--", or holds any other character secrets.token_urlsafe can
produce) is a value everywhere it is passed, never an option."""

import json
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from partners.models import new_webhook_secret
from rop_fleet.run_env import ensure_run_env, read_env_file
from ropsim.cli import config_from_args

from .demo_process import ROOT, answers, free_port, manage, read_until, start_demo, stop, users_env, wait_for

# Every character token_urlsafe (the webhook secret, the simulator's token) can produce.
URLSAFE = string.ascii_letters + string.digits + "-_"
AWKWARD = [
    "-" + URLSAFE,
    "--" + URLSAFE[::-1],
    "-h",
    "--help",
    "--print-config",
    "--token=x",
    "-_-",
    "_" + URLSAFE,
]


def test_it_covers_every_character_the_generators_produce():
    produced = {c for _ in range(500) for c in new_webhook_secret()}
    assert produced <= set(URLSAFE)
    assert "-" in produced  # the case that used to stop `make run`


@pytest.mark.parametrize("secret", AWKWARD)
def test_it_lets_the_simulators_command_line_take_any_value_after_an_option(secret):
    for argv in (["--token", secret, "--authcode", secret], [f"--token={secret}", f"--authcode={secret}"]):
        config = config_from_args([*argv, "--devices", "3"])
        assert (config.token, config.authcode, config.devices) == (secret, secret, 3)


def test_it_takes_the_simulators_secrets_from_the_environment(monkeypatch):
    monkeypatch.setenv("ROPSIM_TOKEN", AWKWARD[0])
    monkeypatch.setenv("ROPSIM_AUTHCODE", AWKWARD[1])
    config = config_from_args([])
    assert (config.token, config.authcode) == (AWKWARD[0], AWKWARD[1])
    assert config_from_args(["--token", "given"]).token == "given"


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile.dev").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_it_never_starts_a_procfile_argument_with_a_variable():
    # "$VALUE" as an argument of its own is an option when VALUE starts with "-".
    for name, command in procfile().items():
        assert not re.search(r'(^|\s)"?\$', command), f"{name}: {command}"


@pytest.mark.parametrize("secret", AWKWARD)
def test_it_gives_the_procfiles_simulator_the_secrets_as_they_are(secret):
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "ROPSIM_TOKEN": secret,
        "DEMO_WEBHOOK_SECRET": secret[::-1],
        "DEMO_WEBHOOK_URL": "http://127.0.0.1:8000/hooks/alarms/demo/",
        "ROPSIM_DEVICES": "40",
        "ROPSIM_PORT": "8900",
        "ROPSIM_LAN_PORT_BASE": "0",
    }
    # The Procfile's own command line, run by a shell as honcho runs it.
    done = subprocess.run(
        ["/bin/sh", "-c", procfile()["sim"] + " --print-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)
    assert (config["token"], config["authcode"], config["devices"]) == (secret, secret[::-1], 40)


def test_it_reads_env_files_literally(tmp_path):
    path = tmp_path / "x.env"
    path.write_text("".join(f"K{i}={value}\n" for i, value in enumerate(AWKWARD)) + "# a comment\nF=a=b==\n")
    assert read_env_file(path) == {**{f"K{i}": value for i, value in enumerate(AWKWARD)}, "F": "a=b=="}


def test_it_starts_make_run_with_secrets_that_begin_with_a_dash(tmp_path):
    """A demo whose simulator token and webhook secret (as "generate a new secret" may
    have left it) start with "-": the run starts, the simulator takes the token and its
    alarms reach the console with the secret."""
    token, webhook_secret = AWKWARD[0], AWKWARD[1]
    run_env = tmp_path / "run.env"
    ensure_run_env(run_env)
    run_env.write_text(re.sub(r"(?m)^ROPSIM_TOKEN=.*$", f"ROPSIM_TOKEN={token}", run_env.read_text()))
    # An earlier run's demo, then its secret regenerated (manage.py reads var/run.env).
    manage(tmp_path, "migrate", "--no-input", "-v", "0")
    manage(tmp_path, "load_demo")
    manage(
        tmp_path,
        "shell",
        "-c",
        "import os; from partners.models import Partner; "
        "Partner.objects.filter(slug='demo').update(webhook_secret=os.environ['NEW_SECRET'])",
        env=users_env(tmp_path, NEW_SECRET=webhook_secret),
    )

    port, sim_port = free_port(), free_port()
    sim = f"http://127.0.0.1:{sim_port}"
    proc = start_demo(tmp_path, port, sim_port)
    try:
        read_until(proc, r"ROP Fleet is starting", timeout=120)
        assert read_env_file(tmp_path / "demo.env")["DEMO_WEBHOOK_SECRET"] == webhook_secret
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 60, "the web server")
        wait_for(lambda: answers(f"{sim}/_sim/alarms"), 60, "the simulator")
        # The token was taken as the token: it is required, and it works.
        assert requests.get(f"{sim}/v1.0/devices", timeout=5).status_code == 403
        listed = requests.get(f"{sim}/v1.0/devices", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert listed.status_code == 200, listed.text
        # The webhook secret too: an alarm reaches the console, which accepts it.
        uid = next(
            d["uid"]
            for d in listed.json()["items"]
            if requests.get(f"{sim}/_sim/devices/{d['uid']}", timeout=5).json()["alarmEnabled"]
        )
        requests.post(f"{sim}/_sim/devices/{uid}/alarm", json={}, timeout=5).raise_for_status()
        stats = wait_for(
            lambda: (s := requests.get(f"{sim}/_sim/alarms", timeout=5).json()["stats"]).get("delivered") and s,
            60,
            "the alarm to be delivered",
        )
        assert not stats.get("failed_attempts"), stats
        assert proc.poll() is None  # honcho still runs every process
    finally:
        assert stop(proc) == 0
