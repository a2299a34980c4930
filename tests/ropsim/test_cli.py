"""The command line: options, help, and a real process serving the API."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import fields

import requests

from ropsim.cli import build_parser, config_from_args
from ropsim.config import SimConfig


def test_it_explains_every_option_in_the_help() -> None:
    text = build_parser().format_help()
    for f in fields(SimConfig):
        if f.metadata.get("cli", True):
            assert f"--{f.name.replace('_', '-')}" in text
    for required in (
        "--devices",
        "--seed",
        "--port",
        "--token",
        "--callback-url",
        "--authcode",
        "--latency-ms",
        "--jitter-ms",
        "--rate-limit",
        "--error-rate",
        "--offline-rate",
        "--upgrade-seconds",
        "--host",
        "--auth-header",
        "--data-dir",
        "--alarm-rate",
        "--lan-devices",
        "--lan-port-base",
    ):
        assert required in text


def test_it_turns_arguments_into_a_sim_config() -> None:
    cfg = config_from_args(
        [
            "--devices",
            "500",
            "--seed",
            "7",
            "--token",
            "T",
            "--latency-ms",
            "50",
            "--jitter-ms",
            "20",
            "--rate-limit",
            "200",
            "--error-rate",
            "0.01",
            "--offline-rate",
            "0.05",
            "--upgrade-seconds",
            "30",
            "--auth-header",
            "X-Key",
        ]
    )
    assert (cfg.devices, cfg.seed, cfg.token, cfg.latency_ms, cfg.rate_limit, cfg.port) == (
        500,
        7,
        "T",
        50.0,
        200.0,
        8900,
    )
    assert cfg.auth_header == "X-Key" and cfg.error_rate == 0.01 and cfg.offline_rate == 0.05


def test_it_turns_the_demo_states_on_unless_told_not_to() -> None:
    assert SimConfig().demo_states is False  # tests get a plain fleet
    assert config_from_args([]).demo_states is True  # `make run` gets the demo's states
    assert config_from_args(["--no-demo-states"]).demo_states is False
    assert config_from_args(["--demo-states"]).demo_states is True
    cfg = config_from_args(["--slow-devices", "2", "--slow-latency-ms", "900", "--unwakeable-devices", "1"])
    assert (cfg.slow_devices, cfg.slow_latency_ms, cfg.unwakeable_devices) == (2, 900.0, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_it_serves_the_api_from_python_m_ropsim(tmp_path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ropsim",
            "--devices",
            "25",
            "--seed",
            "7",
            "--port",
            str(port),
            "--token",
            "TOKEN",
            "--data-dir",
            str(tmp_path),
            "--lan-devices",
            "1",
            "--no-demo-states",  # every device online: the count below is the fleet's size
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 15
        while True:
            try:
                r = requests.get(
                    f"http://127.0.0.1:{port}/v1.0/devices", headers={"Authorization": "Bearer TOKEN"}, timeout=2
                )
                break
            except requests.ConnectionError:
                assert time.time() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["totalRows"] == 25
        assert (
            requests.post(
                f"http://127.0.0.1:{port}/v1.0/firmware/x.pak",
                data=b"1",
                headers={"Authorization": "Bearer TOKEN"},
                timeout=5,
            ).status_code
            == 200
        )
        assert (tmp_path / "x.pak").read_bytes() == b"1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
