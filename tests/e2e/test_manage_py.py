"""`python manage.py …` after `make run` uses the run's settings and keys (var/run.env)
for whatever the environment does not set, so createsuperuser, shell and dbshell work
on the console the user is running."""

import json
import subprocess
import sys
from typing import Any

from rop_fleet.run_env import ensure_run_env, read_env_file

from .demo_process import ROOT, manage, users_env

SHOW = (
    "import json; from django.conf import settings; from partners.models import Partner; "
    "print(json.dumps([settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEYS, settings.DEBUG, "
    "Partner.objects.get(slug='demo').webhook_secret]))"
)


def shown(output: str) -> list[Any]:
    values: list[Any] = json.loads(output.strip().splitlines()[-1])
    return values


def test_it_uses_the_runs_keys_database_and_settings(tmp_path):
    # What bin/run-demo does: keys written once, given to its own processes.
    run_env = ensure_run_env(tmp_path / "run.env")
    the_run = users_env(tmp_path, **run_env)
    manage(tmp_path, "migrate", "--no-input", "-v", "0", env=the_run)
    manage(tmp_path, "load_demo", f"--env-file={tmp_path / 'demo.env'}", env=the_run)
    webhook_secret = read_env_file(tmp_path / "demo.env")["DEMO_WEBHOOK_SECRET"]

    # Later, in a shell where none of it is set: the same keys decrypt the run's secret.
    assert shown(manage(tmp_path, "shell", "-c", SHOW)) == [
        run_env["SECRET_KEY"],
        [run_env["FIELD_ENCRYPTION_KEY"]],
        True,
        webhook_secret,
    ]
    manage(
        tmp_path,
        "createsuperuser",
        "--no-input",
        "--username=ops",
        "--email=ops@example.com",
        env=users_env(tmp_path, DJANGO_SUPERUSER_PASSWORD="a long enough password 42"),
    )
    # dbshell opens the run's database (SQLite in var/), where the new user now is.
    tables = manage(tmp_path, "dbshell", "--", "SELECT username FROM auth_user ORDER BY username;")
    assert tables.split() == ["admin", "ops"]


def test_it_lets_the_environment_win_over_the_runs_file(tmp_path):
    run_env = ensure_run_env(tmp_path / "run.env")
    manage(tmp_path, "migrate", "--no-input", "-v", "0", env=users_env(tmp_path, **run_env))
    manage(tmp_path, "load_demo", env=users_env(tmp_path, **run_env))
    own = users_env(tmp_path, SECRET_KEY="set-by-the-operator")
    secret_key, keys, _, _ = shown(manage(tmp_path, "shell", "-c", SHOW, env=own))
    assert (secret_key, keys) == ("set-by-the-operator", [run_env["FIELD_ENCRYPTION_KEY"]])


def test_it_leaves_the_runs_file_alone_under_pytest(tmp_path):
    ensure_run_env(tmp_path / "run.env")
    env = users_env(tmp_path, PYTEST_VERSION="x")
    env.pop("DEBUG", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    # No DEBUG and no keys from the file: the settings refuse to start without a SECRET_KEY.
    assert done.returncode != 0 and "SECRET_KEY must be set" in done.stderr
