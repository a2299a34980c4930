"""Snap: a real JPEG with the device name, channel and time drawn in.

Drawn by the cloud simulator's renderer (ropsim.snapshots) so a device's LAN
and cloud snapshots show the same scene; only the sizes follow the LAN API's
snapType ("main" = the main stream's width capped like the cloud's, "sub" =
the sub stream's).
"""

from __future__ import annotations

from typing import Any

from ropsim import snapshots


def _stream_type(snap_type: str) -> str:
    return "subStream" if snap_type == "sub" else "mainStream"


def size_for(dev: Any, snap_type: str) -> tuple[int, int]:
    return snapshots.snapshot_size(dev.model.main_resolution, _stream_type(snap_type))


async def render(dev: Any, name: str, channel: int, snap_type: str, when: float) -> bytes:
    return await snapshots.render_snapshot_async(
        dev.uid, name, channel, _stream_type(snap_type), size_for(dev, snap_type), when
    )
