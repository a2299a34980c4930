"""JPEG snapshots drawn with Pillow.

A base scene (sky, ground, a house and trees placed by a RNG seeded with the
device and channel) is rendered once per (device, channel, size) and kept in a
small LRU cache; each snapshot copies it and draws the overlay text (device
name, channel, stream type, timestamp) — the expensive part is JPEG encoding.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import io
import random

from PIL import Image, ImageDraw, ImageFont

# Width per stream type; height follows the model's aspect ratio.
STREAM_WIDTHS = {"mainStream": 1920, "externStream": 1280, "subStream": 640}

# Rendering/encoding runs off the event loop so one big JPEG does not stall other calls.
_RENDER_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="ropsim-snap")


def snapshot_size(main_resolution: tuple[int, int], stream_type: str) -> tuple[int, int]:
    w, h = main_resolution
    width = min(w, STREAM_WIDTHS[stream_type])
    return width, max(1, round(width * h / w))


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@functools.lru_cache(maxsize=48)
def _base_scene(uid: str, channel: int, size: tuple[int, int]) -> Image.Image:
    w, h = size
    rng = random.Random(f"ropsim-scene:{uid}:{channel}")
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    horizon = int(h * rng.uniform(0.45, 0.6))
    sky_top, sky_low = (40, 90, 170), (150, 190, 230)
    for y in range(0, horizon, 4):  # banded gradient: cheap and good enough
        t = y / max(1, horizon)
        color = tuple(int(a + (b - a) * t) for a, b in zip(sky_top, sky_low, strict=True))
        draw.rectangle((0, y, w, y + 4), fill=color)
    draw.rectangle((0, horizon, w, h), fill=(70 + rng.randint(0, 30), 110 + rng.randint(0, 40), 60))
    # A house and a few trees so channels of the same device look different.
    hx, hw = int(w * rng.uniform(0.1, 0.55)), int(w * 0.25)
    hy = horizon - int(h * 0.22)
    draw.rectangle((hx, hy, hx + hw, horizon), fill=(180, 150, 120), outline=(60, 40, 30), width=3)
    draw.polygon([(hx - 10, hy), (hx + hw // 2, hy - int(h * 0.12)), (hx + hw + 10, hy)], fill=(140, 50, 40))
    draw.rectangle((hx + hw // 2 - w // 60, horizon - int(h * 0.1), hx + hw // 2 + w // 60, horizon), fill=(90, 60, 40))
    for _ in range(rng.randint(2, 6)):
        tx = rng.randint(0, w)
        tr = rng.randint(h // 30, h // 12)
        draw.rectangle((tx - tr // 5, horizon - tr, tx + tr // 5, horizon + tr // 2), fill=(100, 70, 40))
        leaves = (30, 110 + rng.randint(0, 60), 40)
        draw.ellipse((tx - tr, horizon - 3 * tr, tx + tr, horizon - tr // 2), fill=leaves)
    return img


def render_snapshot(uid: str, name: str, channel: int, stream_type: str, size: tuple[int, int], when: float) -> bytes:
    img = _base_scene(uid, channel, size).copy()
    w, h = size
    draw = ImageDraw.Draw(img)
    font = _font(max(10, h // 24))
    stamp = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    pad = max(4, h // 60)
    lines = [f"{name}  CH{channel:02d}", f"{stream_type}  {w}x{h}", stamp]
    y: float = pad
    for line in lines:
        box = draw.textbbox((pad, y), line, font=font)
        draw.rectangle((box[0] - 3, box[1] - 3, box[2] + 3, box[3] + 3), fill=(0, 0, 0))
        draw.text((pad, y), line, fill=(255, 255, 255), font=font)
        y = box[3] + pad
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()


async def render_snapshot_async(
    uid: str, name: str, channel: int, stream_type: str, size: tuple[int, int], when: float
) -> bytes:
    """render_snapshot on the render pool (for the cloud and the LAN handlers)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_RENDER_POOL, render_snapshot, uid, name, channel, stream_type, size, when)
