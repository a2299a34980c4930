#!/usr/bin/env python
import importlib.util
import os
import sys
from pathlib import Path


def apply_run_env() -> None:
    """After `make run`, the same settings and keys as the running console (its
    var/run.env) for whatever the environment does not set itself."""
    # Loaded by path: importing the rop_fleet package starts the Celery app, which reads
    # the settings, which need these keys first.
    spec = importlib.util.spec_from_file_location("_run_env", Path(__file__).parent / "rop_fleet" / "run_env.py")
    assert spec is not None and spec.loader is not None
    run_env = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_env)
    run_env.apply_run_env()


if __name__ == "__main__":
    apply_run_env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rop_fleet.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
