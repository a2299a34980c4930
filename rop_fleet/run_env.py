"""The environment file of `make run` (var/run.env): generated once by bin/run-demo,
and read by manage.py so that `python manage.py createsuperuser` (shell, dbshell, …)
after `make run` uses the same database and keys as the running console.

Plain Python with no Django import: manage.py reads it before Django starts.
"""

import os
import secrets
from collections.abc import MutableMapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE_NAME = "run.env"


def var_dir(environ: MutableMapping[str, str] = os.environ) -> Path:
    # The same rule as settings.VAR_DIR, without importing the settings.
    return Path(environ.get("ROP_FLEET_VAR_DIR") or ROOT / "var")


def run_env_path(environ: MutableMapping[str, str] = os.environ) -> Path:
    return var_dir(environ) / FILE_NAME


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, taken literally (no quoting, no expansion): the values are
    generated keys, and whatever characters they hold they stay data, never syntax."""
    values = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        key = key.strip()
        if sep and key and not key.startswith("#"):
            values[key] = value
    return values


def ensure_run_env(path: Path) -> dict[str, str]:
    """The run's settings: keys generated on the first run and kept, so that encrypted
    secrets stay readable and logins valid across runs."""
    if not path.exists():
        from cryptography.fernet import Fernet  # only the first run needs it

        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(
            "DEBUG=1\n"
            f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
            f"FIELD_ENCRYPTION_KEY={Fernet.generate_key().decode()}\n"
            f"ROPSIM_TOKEN={secrets.token_urlsafe(24)}\n"
        )
    return read_env_file(path)


def apply_run_env(environ: MutableMapping[str, str] = os.environ) -> list[str]:
    """Fill in from var/run.env the keys the environment does not set; answer their names.

    Nothing happens without the file (production, CI) or under pytest: a test that
    runs manage.py chooses its whole environment itself."""
    path = run_env_path(environ)
    if "PYTEST_VERSION" in environ or not path.is_file():
        return []
    added = {key: value for key, value in read_env_file(path).items() if key not in environ}
    environ.update(added)
    return list(added)
