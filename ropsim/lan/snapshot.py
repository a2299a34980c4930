"""Snap: a real JPEG with the device name, channel and time drawn in.

Drawn by the cloud simulator's renderer (ropsim.snapshots) so a device's LAN
and cloud snapshots show the same scene; only the sizes follow the LAN API's
snapType ("main" = the main stream's width capped like the cloud's, "sub" =
the sub stream's).
"""

from __future__ import annotations

from typing import Any

from ropsim import snapshots

DEFAULT_RESOLUTION = (1920, 1080)


def size_for(dev: Any, stream: str) -> tuple[int, int]:
    resolution = getattr(getattr(dev, "model", None), "main_resolution", None) or DEFAULT_RESOLUTION
    return snapshots.snapshot_size(tuple(resolution), "subStream" if stream == "sub" else "mainStream")


def render(dev: Any, uid: str, name: str, channel: int, stream: str, when: float) -> bytes:
    stream_type = "subStream" if stream == "sub" else "mainStream"
    return snapshots.render_snapshot(uid, name, channel, stream_type, size_for(dev, stream), when)
