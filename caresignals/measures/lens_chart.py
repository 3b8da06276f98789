"""Server-side SVG for the inequality lens: one row per group, a value and its interval.

Groups are drawn as horizontal rows rather than vertical bars because their names ("Black or
Black British", "1 – most deprived 20%") are long and must be read in full, never turned on
their side or cut short. Each row carries a dot (or a bar, for shares of a whole) with its 95 %
confidence interval as a line with end caps, and the value printed in a column on the right, so
nothing depends on colour (WCAG 1.4.1) and the numbers can be read without judging lengths.

Conventions are those of :mod:`caresignals.measures.charts`: the same colours and helpers, a
``role="img"`` element named by ``<title>`` and described by a one-sentence ``<desc>``, a
``<title>`` on every row for hover, no ``<style>`` block, no scripts or fonts, coordinates to
0.1 px and deterministic output. The comparison group is drawn as a hollow ring, named in its
label too, and an optional reference line (1 for ratios) is dashed and labelled. Suppressed
groups keep their row, with the word "suppressed" where the dot would be, so a reader sees
that a group exists but its figure is withheld rather than that it is missing.

The data table printed under every chart on the page is the accessible equivalent.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from caresignals.measures.charts import (
    COLOURS,
    _esc,
    _n,
    _nice_ticks,
    _text_width,
    _with_unit,
)

__all__ = ["ChartRow", "interval_chart_svg"]

_FONT = "Arial, Helvetica, sans-serif"
_ROW_H = 30.0
_LABEL_MAX = 300.0


@dataclass(frozen=True)
class ChartRow:
    """One group. ``value`` None means nothing to draw: ``note`` says why ("suppressed")."""

    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    note: str = ""
    reference: bool = False


def _one_place(v: float) -> str:
    """One decimal place throughout a chart, so that values and limits line up."""
    return f"{v:,.1f}"


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def interval_chart_svg(
    rows: Sequence[ChartRow],
    *,
    title: str,
    desc: str,
    unit_label: str = "",
    style: str = "dot",
    reference_line: float | None = None,
    reference_label: str = "",
    value_format: Callable[[float], str] | None = None,
    width: int = 720,
    id_prefix: str | None = None,
) -> str:
    """A complete ``<svg>`` with one row per group (``style`` "dot" or "bar").

    ``title`` is the accessible name and ``desc`` the summary sentence; neither is drawn, since
    the page's heading and summary say the same. ``reference_line`` draws a dashed vertical line
    (for example at 1 on a ratio chart) labelled ``reference_label``. The axis always starts at
    zero (or below, for negative values) so that lengths are honest.
    """
    if style not in ("dot", "bar"):
        raise ValueError(f"style must be 'dot' or 'bar', got {style!r}")
    fmt = value_format or _one_place

    def value_text(r: ChartRow) -> str:
        """The value and interval, printed beside the row; the unit is named once, above."""
        if not _finite(r.value):
            return r.note or "not available"
        assert r.value is not None
        text = fmt(r.value)
        if _finite(r.lower) and _finite(r.upper):
            assert r.lower is not None and r.upper is not None
            text += f" ({fmt(r.lower)} to {fmt(r.upper)})"
        elif r.upper is not None and math.isinf(r.upper):
            text += " (upper limit unbounded)"
        return text

    texts = [value_text(r) for r in rows]
    digest = hashlib.sha1(  # noqa: S324 - an id, not security
        "|".join([title, desc, *texts, *(r.label for r in rows)]).encode()
    ).hexdigest()[:8]
    prefix = id_prefix or f"lens-{digest}"
    tid, did = f"{prefix}-title", f"{prefix}-desc"

    label_w = min(_LABEL_MAX, max((_text_width(r.label, 12) for r in rows), default=60) + 16)
    value_w = max((_text_width(t, 12) for t in texts), default=60) + 16
    plot_w = width - label_w - value_w - 12
    if plot_w < 220:  # long labels: widen the drawing rather than squash the plot
        width = math.ceil(width + 220 - plot_w)
        plot_w = 220.0
    top = 24.0 if unit_label else 10.0
    has_interval = any(_finite(r.lower) for r in rows if _finite(r.value))
    has_ring = style == "dot" and any(r.reference and _finite(r.value) for r in rows)
    legend_h = 20.0 if (has_ring or has_interval or reference_line is not None) else 0.0
    plot_h = max(1, len(rows)) * _ROW_H
    height = math.ceil(top + plot_h + 28 + legend_h + 6)

    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cs-lens-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{_esc(tid)}" aria-describedby="{_esc(did)}" '
        f'font-family="{_FONT}" font-size="12">'
        f'<title id="{_esc(tid)}">{_esc(title)}</title><desc id="{_esc(did)}">{_esc(desc)}</desc>'
    )
    numbers: list[float] = [0.0]
    for r in rows:
        numbers += [v for v in (r.value, r.lower, r.upper) if v is not None and _finite(v)]
    if reference_line is not None:
        numbers.append(reference_line)
    lo, hi = min(numbers), max(numbers)
    if hi - lo < 1e-12:
        hi = lo + 1.0
    ticks, decimals = _nice_ticks(lo, hi)
    x0_val, x1_val = ticks[0], ticks[-1]
    left = label_w
    right_edge = left + plot_w

    def xpos(v: float) -> float:
        return left + (v - x0_val) / (x1_val - x0_val) * plot_w

    parts = [head]
    if unit_label:
        parts.append(
            f'<text class="unit-label" x="{_n(left)}" y="14" fill="{COLOURS["text_secondary"]}">'
            f"{_esc(unit_label)}</text>"
        )
    axis_y = top + plot_h
    for t in ticks:
        xx = _n(xpos(t))
        parts.append(
            f'<path class="grid" d="M{xx} {_n(top)}V{_n(axis_y)}" stroke="{COLOURS["grid"]}" '
            f'stroke-width="1"/>'
            f'<text class="x-label" x="{xx}" y="{_n(axis_y + 17)}" text-anchor="middle" '
            f'fill="{COLOURS["text"]}">{_esc(f"{t:,.{decimals}f}")}</text>'
        )
    parts.append(
        f'<path class="x-axis" d="M{_n(left)} {_n(axis_y)}H{_n(right_edge)}" '
        f'stroke="{COLOURS["common"]}" stroke-width="1"/>'
    )
    if reference_line is not None and x0_val <= reference_line <= x1_val:
        rx = _n(xpos(reference_line))
        parts.append(
            f'<path class="reference-line" d="M{rx} {_n(top - 4)}V{_n(axis_y)}" '
            f'stroke="{COLOURS["text"]}" stroke-width="1.2" stroke-dasharray="5 3"/>'
        )

    ink = COLOURS["improvement"]  # NHS blue: 6.4:1 on white; the only data colour used
    for i, (r, text) in enumerate(zip(rows, texts, strict=True)):
        cy = top + (i + 0.5) * _ROW_H
        y = _n(cy)
        tip = f"{r.label}: {text}"
        if _finite(r.value):
            assert r.value is not None
            tip = f"{r.label}: {_with_unit(fmt(r.value), unit_label)}"
            if _finite(r.lower) and _finite(r.upper):
                assert r.lower is not None and r.upper is not None
                tip += f", 95% confidence interval {fmt(r.lower)} to {fmt(r.upper)}"
        row = [f'<g class="row{" reference" if r.reference else ""}"><title>{_esc(tip)}</title>']
        row.append(
            f'<text class="group-label" x="{_n(left - 8)}" y="{y}" dy="0.35em" '
            f'text-anchor="end" fill="{COLOURS["text"]}">{_esc(r.label)}</text>'
        )
        if _finite(r.value):
            assert r.value is not None
            vx = xpos(r.value)
            if style == "bar":
                x_start = xpos(0.0)
                bx, bw = min(x_start, vx), abs(vx - x_start)
                row.append(
                    f'<rect class="bar" x="{_n(bx)}" y="{_n(cy - 9)}" width="{_n(bw)}" '
                    f'height="18" fill="{ink}"/>'
                )
            if _finite(r.lower) and (_finite(r.upper) or (r.upper and math.isinf(r.upper))):
                assert r.lower is not None and r.upper is not None
                lx = xpos(r.lower)
                ux = right_edge if math.isinf(r.upper) else xpos(r.upper)
                caps = f"M{_n(lx)} {_n(cy - 6)}V{_n(cy + 6)}"
                if not math.isinf(r.upper):
                    caps += f"M{_n(ux)} {_n(cy - 6)}V{_n(cy + 6)}"
                whisker = COLOURS["text"] if style == "bar" else COLOURS["line"]
                row.append(
                    f'<path class="interval" d="M{_n(lx)} {y}H{_n(ux)}{caps}" '
                    f'stroke="{whisker}" stroke-width="1.5" fill="none"/>'
                )
            if style == "dot":
                if r.reference:
                    row.append(
                        f'<circle class="estimate" cx="{_n(vx)}" cy="{y}" r="5" fill="#FFFFFF" '
                        f'stroke="{ink}" stroke-width="2"/>'
                    )
                else:
                    row.append(
                        f'<circle class="estimate" cx="{_n(vx)}" cy="{y}" r="5" fill="{ink}"/>'
                    )
        else:
            row.append(
                f'<text class="no-value" x="{_n(left + 6)}" y="{y}" dy="0.35em" '
                f'font-style="italic" fill="{COLOURS["text_secondary"]}">'
                f"{_esc(r.note or 'not available')}</text>"
            )
        row.append(
            f'<text class="value" x="{_n(right_edge + 12)}" y="{y}" dy="0.35em" '
            f'fill="{COLOURS["text"]}">{_esc(text)}</text></g>'
        )
        parts.append("".join(row))

    if legend_h:
        ly = axis_y + 38
        x = 8.0
        items: list[str] = []
        if has_ring:
            items.append(
                f'<circle cx="{_n(x + 6)}" cy="{_n(ly)}" r="5" fill="#FFFFFF" stroke="{ink}" '
                f'stroke-width="2"/><text x="{_n(x + 16)}" y="{_n(ly)}" dy="0.35em" '
                f'font-size="11" fill="{COLOURS["text"]}">Comparison group</text>'
            )
            x += 16 + _text_width("Comparison group", 11) + 16
        if reference_line is not None:
            label = reference_label or f"Reference line at {fmt(reference_line)}"
            items.append(
                f'<path d="M{_n(x)} {_n(ly)}h18" stroke="{COLOURS["text"]}" stroke-width="1.2" '
                f'stroke-dasharray="5 3"/><text x="{_n(x + 22)}" y="{_n(ly)}" dy="0.35em" '
                f'font-size="11" fill="{COLOURS["text"]}">{_esc(label)}</text>'
            )
            x += 22 + _text_width(label, 11) + 16
        if has_interval:
            items.append(
                f'<path d="M{_n(x)} {_n(ly)}h18M{_n(x)} {_n(ly - 5)}v10'
                f'M{_n(x + 18)} {_n(ly - 5)}v10" '
                f'stroke="{COLOURS["line"]}" stroke-width="1.5" fill="none"/>'
                f'<text x="{_n(x + 24)}" y="{_n(ly)}" dy="0.35em" font-size="11" '
                f'fill="{COLOURS["text"]}">95% confidence interval</text>'
            )
        parts.append(f'<g class="legend">{"".join(items)}</g>')
    parts.append("</svg>")
    return "".join(parts)
