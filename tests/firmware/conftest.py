"""Firmware tests store uploads under a temporary MEDIA_ROOT."""

import pytest

from rop_fleet.celery import app


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def engine(monkeypatch, settings):
    """The engine in this process: chunk tasks run where they are sent; pending items are
    due at once; upgrades and retries on the simulator's fast clock."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    settings.JOBS_DISPATCH_SECONDS = 0
    settings.ROLLOUT_UPGRADE_SECONDS = 0.3
    settings.ROLLOUT_FIRST_READ_SECONDS = 0.1
    settings.ROLLOUT_RETRY_SECONDS = 0.5
    settings.ROLLOUT_DEFER_SECONDS = 0.5
