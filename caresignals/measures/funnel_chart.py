"""Server-side SVG funnel plot: organisations against the Spiegelhalter limits.

The same conventions as :mod:`caresignals.measures.charts` (its colours and helpers): no
script, no web font, no request; presentation attributes rather than a ``<style>`` block;
deterministic output; ``role="img"`` named by a ``<title>`` and a one-sentence ``<desc>``;
a ``<title>`` on every marker; and meaning never carried by colour alone.

Markers: within the limits, a small grey circle; beyond the 99.8 % limit, a filled shape by
verdict (concern: orange square; better than expected: blue diamond; higher or lower where
neither is better: purple triangle pointing the same way); between the 95 % and 99.8 %
limits, the same shape hollow. The 99.8 % limits are solid, the 95 % limits dashed, the
centre line dark. The curves come from the funnel itself (``limits_at`` on a grid), so the
chart draws exactly the limits the organisations are judged against.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from caresignals.measures.charts import (
    COLOURS,
    _esc,
    _n,
    _nice_ticks,
    _text_width,
    flow_legend,
    legend_line,
)
from caresignals.stats.funnels import FunnelLimits

__all__ = ["FunnelData", "FunnelPoint", "funnel_svg"]

_FONT = "Arial, Helvetica, sans-serif"
_GRID_POINTS = 300


class FunnelPoint(Protocol):
    @property
    def denominator(self) -> float: ...
    @property
    def value(self) -> float: ...
    @property
    def marker(self) -> str: ...
    @property
    def tip(self) -> str: ...


class FunnelData(Protocol):
    """What the chart needs: a :class:`caresignals.measures.comparison.FunnelPage` has it."""

    @property
    def units(self) -> Sequence[FunnelPoint]: ...
    @property
    def centre(self) -> float: ...
    @property
    def value_label(self) -> str: ...
    @property
    def denominator_label(self) -> str: ...
    def limits_at(self, denominators: Sequence[float]) -> FunnelLimits: ...
    def format_value(self, value: float) -> str: ...


# marker kind -> (legend label, fill, stroke, shape)
_MARKERS: dict[str, tuple[str, str, str, str]] = {
    "concern": ("Concern (beyond 99.8%)", COLOURS["concern"], COLOURS["concern_dark"], "square"),
    "concern_95": ("Worth watching (beyond 95%)", "#FFFFFF", COLOURS["concern_dark"], "square"),
    "better": (
        "Better than expected (beyond 99.8%)",
        COLOURS["improvement"],
        COLOURS["improvement"],
        "diamond",
    ),
    "better_95": (
        "Possibly better (beyond 95%)",
        "#FFFFFF",
        COLOURS["improvement"],
        "diamond",
    ),
    "higher": ("Higher (beyond 99.8%)", COLOURS["neutral"], COLOURS["neutral"], "up"),
    "higher_95": ("Possibly higher (beyond 95%)", "#FFFFFF", COLOURS["neutral"], "up"),
    "lower": ("Lower (beyond 99.8%)", COLOURS["neutral"], COLOURS["neutral"], "down"),
    "lower_95": ("Possibly lower (beyond 95%)", "#FFFFFF", COLOURS["neutral"], "down"),
    "common": ("Within the limits", COLOURS["common"], COLOURS["common"], "circle"),
}


def _shape(kind: str, x: float, y: float, extra: str = "") -> tuple[str, str]:
    """A marker's opening and closing tags, so that a ``<title>`` can go between them."""
    _, fill, stroke, shape = _MARKERS.get(kind, _MARKERS["common"])
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{extra}'
    if shape == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" {paint}>', "</circle>"
    if shape == "square":
        s = 4.5
        return (
            f'<rect x="{_n(x - s)}" y="{_n(y - s)}" width="{_n(2 * s)}" height="{_n(2 * s)}" '
            f"{paint}>",
            "</rect>",
        )
    s = 6.0
    if shape == "diamond":
        d = f"M{_n(x)} {_n(y - s)}L{_n(x + s)} {_n(y)}L{_n(x)} {_n(y + s)}L{_n(x - s)} {_n(y)}Z"
    else:
        sign = -1 if shape == "up" else 1
        d = (
            f"M{_n(x)} {_n(y + sign * s)}L{_n(x + s)} {_n(y - sign * s * 0.7)}"
            f"L{_n(x - s)} {_n(y - sign * s * 0.7)}Z"
        )
    return f'<path d="{d}" {paint}>', "</path>"


def _marker(kind: str, x: float, y: float, title: str) -> str:
    opening, closing = _shape(kind, x, y, f' class="pt {kind}"')
    return f"{opening}<title>{_esc(title)}</title>{closing}"


def _curve(
    xs: Sequence[float], ys: np.ndarray, ypos: Callable[[float], float], lo: float, hi: float
) -> str:
    """A polyline through the finite points, pixel y clamped just outside the plot (the
    clip path hides the rest), broken where the limit is undefined."""
    parts: list[str] = []
    pen = False
    for x, v in zip(xs, ys.tolist(), strict=True):
        if not math.isfinite(v):
            pen = False
            continue
        y = min(max(ypos(v), lo), hi)
        parts.append(f"{'L' if pen else 'M'}{_n(x)} {_n(y)}")
        pen = True
    return "".join(parts)


def _fmt_tick(v: float, decimals: int) -> str:
    return f"{v:,.{decimals}f}"


def funnel_svg(
    page: FunnelData,
    *,
    title: str,
    summary: str,
    width: int = 720,
    height: int = 440,
    id_prefix: str | None = None,
) -> str:
    """A complete ``<svg>`` funnel plot of ``page``: x = denominator, y = value.

    ``title`` is the accessible name and ``summary`` the ``<desc>``; neither is drawn, as the
    page's heading and text say them. Ids default to a digest of the inputs, so two charts
    on one page never clash and the same chart always has the same ids.
    """
    units = list(page.units)
    den = np.array([u.denominator for u in units], dtype=float)
    val = np.array([u.value for u in units], dtype=float)
    if id_prefix is None:
        digest = hashlib.blake2b(digest_size=5)
        for part in (title, summary, str(width), str(height)):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
        digest.update(den.tobytes() + val.tobytes())
        id_prefix = f"funnel-{digest.hexdigest()}"
    tid, did, cid = f"{id_prefix}-title", f"{id_prefix}-desc", f"{id_prefix}-clip"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{_esc(tid)} {_esc(did)}" '
        f'class="funnel-chart" font-family="{_FONT}" font-size="12">'
        f'<title id="{_esc(tid)}">{_esc(title)}</title>'
        f'<desc id="{_esc(did)}">{_esc(summary)}</desc>'
    )
    if not units:
        return (
            head + f'<text x="{_n(width / 2)}" y="{_n(height / 2)}" text-anchor="middle" '
            f'fill="{COLOURS["text_secondary"]}">No organisations to compare</text></svg>'
        )

    # ---- x domain: from 0 to a round number past the largest denominator
    x_ticks, x_dec = _nice_ticks(0.0, float(den.max()) * 1.04)
    x0, x1 = 0.0, x_ticks[-1]
    grid = np.linspace(x1 / _GRID_POINTS, x1, _GRID_POINTS)
    curves = page.limits_at(grid.tolist())
    # ---- y domain: every point, the centre, and the 99.8 % limits at the smallest unit
    at_small = page.limits_at([float(den.min())])
    stack = [val, np.array([page.centre]), at_small.lower998, at_small.upper998]
    finite = np.concatenate([a[np.isfinite(a)] for a in stack])
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    y_ticks, y_dec = _nice_ticks(lo, hi)
    y0, y1 = y_ticks[0], y_ticks[-1]

    # ---- layout
    y_labels = [_fmt_tick(t, y_dec) for t in y_ticks]
    left = max(40.0, max(_text_width(s, 12) for s in y_labels) + 14)
    right, top = 24.0, 28.0
    kinds_shown = [k for k in _MARKERS if any(u.marker == k for u in units)]
    legend_items: list[tuple[str, str]] = [(k, _MARKERS[k][0]) for k in kinds_shown]
    legend_items += [
        ("centre", f"Average of all ({page.format_value(page.centre)})"),
        ("l998", "99.8% limits"),
        ("l95", "95% limits"),
    ]
    legend, legend_h = _legend(legend_items, left, width - right)
    bottom = 48.0 + legend_h
    plot_w, plot_h = width - left - right, height - top - bottom

    def xpos(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * plot_w

    def ypos(v: float) -> float:
        return top + (y1 - v) / (y1 - y0) * plot_h

    parts = [
        head,
        f'<defs><clipPath id="{_esc(cid)}"><rect x="{_n(left)}" y="{_n(top)}" '
        f'width="{_n(plot_w)}" height="{_n(plot_h)}"/></clipPath></defs>',
    ]
    # ---- grid, axes and labels
    for t, label in zip(y_ticks, y_labels, strict=True):
        yy = _n(ypos(t))
        parts.append(
            f'<path class="grid" d="M{_n(left)} {yy}H{_n(left + plot_w)}" '
            f'stroke="{COLOURS["grid"]}" stroke-width="1"/>'
            f'<text class="y-label" x="{_n(left - 6)}" y="{yy}" dy="0.35em" text-anchor="end" '
            f'fill="{COLOURS["text"]}">{_esc(label)}</text>'
        )
    if page.value_label:
        parts.append(
            f'<text class="unit-label" x="{_n(left)}" y="16" fill="{COLOURS["text_secondary"]}">'
            f"{_esc(page.value_label)}</text>"
        )
    axis_y = top + plot_h
    parts.append(
        f'<path class="x-axis" d="M{_n(left)} {_n(axis_y)}H{_n(left + plot_w)}" '
        f'stroke="{COLOURS["common"]}" stroke-width="1"/>'
    )
    last_right = -math.inf
    for t in x_ticks:
        xx = xpos(t)
        text = _fmt_tick(t, x_dec)
        w = _text_width(text, 12)
        if xx - w / 2 < last_right + 8:
            continue  # never let two labels touch
        last_right = xx + w / 2
        parts.append(
            f'<path class="x-tick" d="M{_n(xx)} {_n(axis_y)}v4" stroke="{COLOURS["common"]}"/>'
            f'<text class="x-label" x="{_n(xx)}" y="{_n(axis_y + 17)}" text-anchor="middle" '
            f'fill="{COLOURS["text"]}">{_esc(text)}</text>'
        )
    parts.append(
        f'<text class="x-title" x="{_n(left + plot_w / 2)}" y="{_n(axis_y + 36)}" '
        f'text-anchor="middle" fill="{COLOURS["text_secondary"]}">'
        f"{_esc(page.denominator_label)}</text>"
    )

    # ---- limits and centre, clipped to the plot
    xs = [xpos(v) for v in grid.tolist()]
    clamp_lo, clamp_hi = top - 20, axis_y + 20
    l998 = "".join(
        _curve(xs, c, ypos, clamp_lo, clamp_hi) for c in (curves.upper998, curves.lower998)
    )
    l95 = "".join(_curve(xs, c, ypos, clamp_lo, clamp_hi) for c in (curves.upper95, curves.lower95))
    cy = _n(ypos(page.centre))
    parts.append(
        f'<g clip-path="url(#{_esc(cid)})">'
        f'<path class="limits-95" d="{l95}" fill="none" stroke="{COLOURS["common"]}" '
        f'stroke-width="1.2" stroke-dasharray="6 4"/>'
        f'<path class="limits-998" d="{l998}" fill="none" stroke="{COLOURS["line"]}" '
        f'stroke-width="1.5"/>'
        f'<path class="centre" d="M{_n(left)} {cy}H{_n(left + plot_w)}" fill="none" '
        f'stroke="{COLOURS["text"]}" stroke-width="1.5"/></g>'
    )

    # ---- the organisations: within the limits first, so outliers are drawn on top
    order = sorted(range(len(units)), key=lambda i: (units[i].marker != "common", i))
    for i in order:
        u = units[i]
        if not (math.isfinite(u.value) and math.isfinite(u.denominator)):
            continue
        parts.append(_marker(u.marker, xpos(u.denominator), ypos(u.value), u.tip))

    parts.extend(_shift(legend, axis_y + 58))
    parts.append("</svg>")
    return "".join(parts)


_LINES = {
    "centre": (COLOURS["text"], ""),
    "l998": (COLOURS["line"], ""),
    "l95": (COLOURS["common"], ' stroke-dasharray="6 4"'),
}


def _legend_symbol(what: str, x: float, y: float) -> str:
    if what in _MARKERS:
        opening, closing = _shape(what, x + 8, y)
        return opening + closing
    return legend_line(x, y, *_LINES[what])


def _legend(items: list[tuple[str, str]], x0: float, x_max: float) -> tuple[list[str], float]:
    """Legend entries flowed left to right and wrapped; positions relative to y = 0."""
    return flow_legend(items, x0, x_max, _legend_symbol, size=11)


def _shift(items: list[str], dy: float) -> list[str]:
    return [f'<g class="legend" transform="translate(0 {_n(dy)})">', *items, "</g>"]
