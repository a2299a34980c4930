#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    from rop_fleet.run_env import apply_run_env

    # After `make run`, the same settings and keys as the running console (its var/run.env)
    # for whatever the environment does not set itself.
    apply_run_env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rop_fleet.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
