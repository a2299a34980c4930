"""The reports page's charts as SVG geometry: plain numbers the template draws.

Drawn on the server so that the page needs no script and no chart library: each chart
is an <svg role="img"> with a title, beside a table of the same figures. Coordinates
are in each chart's viewBox; CSS scales the SVG to the page. Colours are CSS classes
(`series-0` … `series-5`), so the page's stylesheet sets them and CSP stays strict."""

import datetime as dt
import re
from typing import Any

from .report_data import BATTERY_BIN, NO_AI_TYPE, OnlinePoint, RolloutRate

WIDTH = 700
PLOT_HEIGHT = 160
BAR_HEIGHT = 18
BAR_GAP = 10
SERIES = 6  # colours available (series-0 … series-5); more series reuse them
TOP_VERSIONS = 5  # a model's most common versions get a segment each, the rest one "other"


def _scale(value: float, top: float, length: float) -> float:
    return round(value / top * length, 1) if top else 0.0


def firmware_bars(models: list[dict[str, Any]]) -> dict[str, Any]:
    """One stacked bar per model, a segment per firmware version (share of the model)."""
    bars = []
    for i, group in enumerate(models):
        versions = sorted(group["versions"], key=lambda v: -v["count"])
        shown = versions[:TOP_VERSIONS]
        rest = sum(v["count"] for v in versions[TOP_VERSIONS:])
        parts = [(v["firmware"] or "unknown", v["count"]) for v in shown] + ([("other", rest)] if rest else [])
        x, segments = 0.0, []
        for j, (label, count) in enumerate(parts):
            width = _scale(count, group["total"], WIDTH)
            segments.append(
                {"x": x, "width": width, "series": j % SERIES, "label": label, "short": _short(label), "count": count}
            )
            x = round(x + width, 1)
        bars.append(
            {
                "model": group["model"] or "Unknown model",
                "total": group["total"],
                "y": i * (BAR_HEIGHT + BAR_GAP * 2) + BAR_GAP * 2,
                "segments": segments,
            }
        )
    return {"bars": bars, "height": len(bars) * (BAR_HEIGHT + BAR_GAP * 2) + BAR_GAP, "width": WIDTH}


# Reolink names start with the model ("Argus_2_220610_1102"), which the bar already says:
# a segment's own label starts at the build date.
_MODEL_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*?_(?=\d{6}_)")


def _short(label: str) -> str:
    return _MODEL_PREFIX.sub("", label)


def online_line(points: list[OnlinePoint], start: dt.datetime, end: dt.datetime, hourly: bool) -> dict[str, Any]:
    """The online share as a line over the period (0–100 %), with a tick per day or week."""
    span = (end - start).total_seconds()

    def x(when: dt.datetime) -> float:
        return _scale(max(0.0, (when - start).total_seconds()), span, WIDTH)

    line = " ".join(f"{x(p.start)},{round(PLOT_HEIGHT - p.percent / 100 * PLOT_HEIGHT, 1)}" for p in points)
    if len(points) == 1:  # a lone point draws nothing as a polyline
        line += f" {min(WIDTH, x(points[0].start) + 4)},{line.split(',')[1]}"
    step = dt.timedelta(days=1 if hourly else 7)
    ticks = []
    tick = start.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    while tick <= end:
        ticks.append({"x": x(tick), "label": tick.strftime("%a %d" if hourly else "%d %b")})
        tick += step
    levels = [{"y": round(PLOT_HEIGHT - p / 100 * PLOT_HEIGHT, 1), "percent": p} for p in (0, 50, 100)]
    last = (
        {"x": x(points[-1].start), "y": round(PLOT_HEIGHT - points[-1].percent / 100 * PLOT_HEIGHT, 1)}
        if points
        else None
    )
    # A console (or a fleet) younger than the period: the chart says since when it has polls.
    since = points[0].start if points and points[0].start - start > dt.timedelta(days=1) else None
    return {
        "line": line,
        "ticks": ticks,
        "levels": levels,
        "width": WIDTH,
        "height": PLOT_HEIGHT,
        "last": last,
        "since": since,
    }


def battery_columns(battery: dict[str, Any]) -> dict[str, Any]:
    """One column per 10 % of charge."""
    bins: list[int] = battery["bins"]
    top = max(bins, default=0)
    slot = WIDTH / len(bins)
    columns = []
    for i, n in enumerate(bins):
        height = _scale(n, top, PLOT_HEIGHT)
        low, high = i * BATTERY_BIN, (100 if i == len(bins) - 1 else (i + 1) * BATTERY_BIN - 1)
        columns.append(
            {
                "x": round(i * slot + 4, 1),
                "width": round(slot - 8, 1),
                "y": round(PLOT_HEIGHT - height, 1),
                "height": height,
                "label": f"{low}–{high}",
                "count": n,
                "center": round(i * slot + slot / 2, 1),
            }
        )
    return {"columns": columns, "top": top, "width": WIDTH, "height": PLOT_HEIGHT}


def alarm_columns(alarms: dict[str, Any]) -> dict[str, Any]:
    """A stacked column per day, a segment per AI type."""
    days: list[dt.date] = alarms["days"]
    types: list[str] = alarms["types"]
    counts: dict[str, list[int]] = alarms["counts"]
    totals = [sum(counts[t][i] for t in types) for i in range(len(days))]
    top = max(totals, default=0)
    slot = WIDTH / max(1, len(days))
    columns = []
    for i, day in enumerate(days):
        y = float(PLOT_HEIGHT)
        segments = []
        for j, ai_type in enumerate(types):
            n = counts[ai_type][i]
            if not n:
                continue
            height = _scale(n, top, PLOT_HEIGHT)
            y = round(y - height, 1)
            segments.append({"y": y, "height": height, "series": j % SERIES, "type": ai_type, "count": n})
        columns.append(
            {
                "x": round(i * slot + slot * 0.1, 1),
                "width": round(slot * 0.8, 1),
                "day": day,
                "total": totals[i],
                "segments": segments,
            }
        )
    step = max(1, len(days) // 7)  # about seven day labels whatever the period
    labels = [
        {"x": round(i * slot + slot / 2, 1), "label": day.strftime("%d %b")}
        for i, day in enumerate(days)
        if i % step == 0
    ]
    legend = [{"type": t, "label": type_label(t), "series": j % SERIES} for j, t in enumerate(types)]
    rows = [{"day": day, "counts": [counts[t][i] for t in types], "total": totals[i]} for i, day in enumerate(days)]
    return {
        "columns": columns,
        "labels": labels,
        "legend": legend,
        "rows": rows,
        "top": top,
        "total": sum(totals),
        "width": WIDTH,
        "height": PLOT_HEIGHT,
    }


def type_label(ai_type: str) -> str:
    return "No AI type" if ai_type == NO_AI_TYPE else ai_type.replace("_", "/").capitalize()


def rollout_bars(rates: list[RolloutRate]) -> dict[str, Any]:
    """One bar per rollout: devices upgraded, failed, otherwise ended, and waiting."""
    bars = []
    for i, r in enumerate(rates):
        total = r.succeeded + r.failed + r.other + r.pending
        x, segments = 0.0, []
        for series, (label, n) in enumerate(
            [("succeeded", r.succeeded), ("failed", r.failed), ("other", r.other), ("pending", r.pending)]
        ):
            width = _scale(n, total, WIDTH)
            if n:
                segments.append({"x": x, "width": width, "kind": label, "count": n, "series": series})
            x = round(x + width, 1)
        bars.append({"rollout": r, "y": i * (BAR_HEIGHT + BAR_GAP * 2) + BAR_GAP * 2, "segments": segments})
    return {"bars": bars, "height": len(bars) * (BAR_HEIGHT + BAR_GAP * 2) + BAR_GAP, "width": WIDTH}
