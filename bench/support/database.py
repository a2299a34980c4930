"""Django for a bench, and the bench's own database, created, migrated and dropped."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
# Benches of several people may run at once on one PostgreSQL: each picks its own prefix.
DEFAULT_PREFIX = "rop_fleet_bench"


def django_setup() -> None:
    """Django with the test settings, once per process."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rop_fleet.test_settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def bench_db_name(name: str = "") -> str:
    """The database of the bench `name`: BENCH_DB_PREFIX (default rop_fleet_bench), then _name."""
    prefix = os.environ.get("BENCH_DB_PREFIX") or DEFAULT_PREFIX
    return f"{prefix}_{name}" if name else prefix


def database_url(name: str) -> str:
    """DATABASE_URL pointed at the database `name`, for the servers a bench starts."""
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


@contextmanager
def bench_database(name: str, *, redis: bool = False) -> Iterator[str]:
    """Create and migrate bench_db_name(name) and point the default connection at it, as
    the test runner does for its test database (test environment included); yield its
    name; close, drop it and restore the connection after. `redis`: Redis is needed too."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    if connection.vendor != "postgresql":
        raise RuntimeError("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    if redis and not settings.REDIS_URL:
        raise RuntimeError("this benchmark needs Redis: set REDIS_URL=redis://...")
    db = bench_db_name(name)
    setup_test_environment()
    old_name: str = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = db
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    except BaseException:
        # Not destroy_test_db: before the switch it would drop old_name itself.
        teardown_test_environment()
        raise
    try:
        yield db
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
