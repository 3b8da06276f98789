"""Server-side SVG for Making Data Count charts and icons: no JavaScript, fonts or requests.

Charts are drawn on the server so that every page, board-report PDF and e-mail shows the same
picture, works without scripts and never loads anything off the machine. Output is a plain
string, deterministic (the same result gives the same bytes, so pages cache and tests can
compare) and compact (coordinates rounded to 0.1 px). Styling is done with presentation
attributes, not a ``<style>`` block, because a ``<style>`` inside inline SVG leaks to the page.

Colours follow Making Data Count, adjusted where its own palette fails WCAG 2.2 AA:

* special cause concern: MDC orange ``#ED8B00``, outlined in dark orange ``#A35200``
  (the orange alone is 2.5:1 on white, under the 3:1 that graphics need);
* special cause improvement: NHS blue ``#005EB8`` (6.4:1) rather than MDC's light blue
  ``#41B6E6`` (2.3:1);
* special cause that is neither better nor worse: purple ``#7030A0``;
* common cause: NHS mid grey ``#768692`` (3.8:1).

Colour never carries meaning alone (WCAG 1.4.1). Markers differ in shape too: common cause is
a small circle, concern a square, improvement a diamond, and neutral special cause a triangle
pointing up (high) or down (low). A legend names the shapes, and every marker has a
``<title>`` with its month, value and the rule that fired, shown on hover.

The chart has ``role="img"``, so assistive technology reads its ``<title>`` and the one-sentence
``<desc>`` and treats the markers as decoration; point-by-point detail for screen-reader and
keyboard users belongs in the data table printed beside every chart, not in
focusable markers, which ``role="img"`` would hide (axe: nested-interactive).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from caresignals.core.periods import Month
from caresignals.stats import spc
from caresignals.stats.spc import SPCResult

__all__ = [
    "ASSURANCE_ICONS",
    "BODY_TEXT",
    "COLOURS",
    "VARIATION_ICONS",
    "assurance_icon_svg",
    "icon_symbols",
    "rule_key",
    "rule_words",
    "spc_chart_svg",
    "variation_icon_svg",
]

COLOURS: dict[str, str] = {
    "concern": "#ED8B00",
    "concern_dark": "#A35200",
    "improvement": "#005EB8",
    "neutral": "#7030A0",
    "common": "#768692",
    "text": "#212B32",
    "text_secondary": "#4C6272",
    "line": "#425563",
    "target": "#D5281B",
    "grid": "#E8EDEE",
}
"""Hex colours by role; every text colour is at least 4.5:1 on white."""

_FONT = "Arial, Helvetica, sans-serif"  # system fonts only: no request for Frutiger
BODY_TEXT = 19
"""Every text on a full-size chart is drawn at NHS.UK's desktop body size (19 px). The page
shows the chart at its own size, scrolling sideways on a narrow screen rather than shrinking
it, so the text never reads smaller than body text (ADR 22)."""
_LINE_H = BODY_TEXT * 1.45
_CHAR_W = 0.6  # generous average glyph width / font size for Arial, so labels never touch
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_FULL = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
# Not allowed in XML 1.0 at all, even escaped: drop them rather than emit a broken document.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# point_type -> (legend label, fill, stroke)
_KINDS: dict[str, tuple[str, str, str]] = {
    "special_cause_concern": ("Special cause concern", COLOURS["concern"], COLOURS["concern_dark"]),
    "special_cause_improvement": (
        "Special cause improvement",
        COLOURS["improvement"],
        COLOURS["improvement"],
    ),
    "special_cause_neutral_high": (
        "Special cause variation, high",
        COLOURS["neutral"],
        COLOURS["neutral"],
    ),
    "special_cause_neutral_low": (
        "Special cause variation, low",
        COLOURS["neutral"],
        COLOURS["neutral"],
    ),
    "common_cause": ("Common cause", COLOURS["common"], COLOURS["common"]),
}


# --------------------------------------------------------------------------- small helpers


def _esc(text: str) -> str:
    """Escape for XML text and double-quoted attributes."""
    text = _XML_BAD.sub("", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _n(x: float) -> str:
    """A coordinate to 0.1 px, without a trailing ".0" or a "-0"."""
    s = f"{x:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


def _text_width(text: str, size: float) -> float:
    return len(text) * size * _CHAR_W


def _default_format(v: float) -> str:
    """Three significant figures or so, with thousands separators and no trailing zeros."""
    a = abs(v)
    decimals = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 0.1 or a == 0 else 4
    s = f"{v:,.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _with_unit(text: str, unit: str) -> str:
    """Append the unit, unless a custom ``value_format`` already did ("12.0%")."""
    if not unit or text.endswith(unit):
        return text
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def _nice_ticks(lo: float, hi: float) -> tuple[list[float], int]:
    """4–6 ticks on a 1, 2, 2.5 or 5 × 10ⁿ step covering [lo, hi], and their decimals.

    Consecutive candidate steps are at most twice apart, so the first step giving at most six
    ticks always gives at least four.
    """
    span = hi - lo
    mag = 10.0 ** math.floor(math.log10(span / 6))
    for step_m in (1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0):
        step = step_m * mag
        first = math.floor(lo / step + 1e-9)
        last = math.ceil(hi / step - 1e-9)
        if last - first + 1 <= 6:
            break
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if round(step / 10.0 ** math.floor(math.log10(step) + 1e-9), 6) == 2.5:
        decimals += 1
    ticks = [round(k * step, decimals + 2) for k in range(first, last + 1)]
    return ticks, decimals


def _dates(result: SPCResult) -> list[dt.date] | None:
    if result.periods is None:
        return None
    return list(result.periods.astype("datetime64[D]").astype(dt.date).tolist())


def _monthly(dates: Sequence[dt.date]) -> bool:
    return all(d.day == 1 for d in dates)


def _period_name(dates: list[dt.date] | None, i: int, monthly: bool) -> str:
    if dates is None:
        return f"Point {i + 1}"
    d = dates[i]
    month_year = f"{_MONTH_FULL[d.month - 1]} {d.year}"
    return month_year if monthly else f"{d.day} {month_year}"


def _axis_label(dates: list[dt.date] | None, i: int, monthly: bool) -> str:
    if dates is None:
        return str(i + 1)
    d = dates[i]
    month = f"{_MONTH_ABBR[d.month - 1]} {d.year % 100:02d}"
    return month if monthly else f"{d.day} {month}"


def _reason(label: str, centre: str) -> str:
    """NHSRplotthedots' rule label as plain English."""
    if label == "Common Cause":
        return "common cause variation"
    if label == "Above UCL":
        return "above the upper process limit"
    if label == "Below LCL":
        return "below the lower process limit"
    m = re.fullmatch(r"(\d+) Point Trend \((Increasing|Decreasing)\)", label)
    if m:
        return f"part of a run of {m[1]} points {'rising' if m[2] == 'Increasing' else 'falling'}"
    m = re.fullmatch(r"2 in 3 (Above|Below) CL", label)
    if m:
        return f"2 of 3 points close to the {'upper' if m[1] == 'Above' else 'lower'} process limit"
    m = re.fullmatch(r"(\d+) Points (Above|Below) CL", label)
    if m:
        return f"part of a run of {m[1]} points {m[2].lower()} the {centre}"
    return label


def rule_words(label: str, chart: str = "xmr") -> str:
    """A rule label from :mod:`caresignals.stats.spc` in plain words, capitalised, for tables."""
    text = _reason(label, "median" if chart == "run_chart" else "mean")
    return text[:1].upper() + text[1:]


def rule_key(result: SPCResult) -> list[tuple[str, int]]:
    """Each rule the chart applies, in plain words, with how many points it marked.

    The key beside a chart: it names every rule, including those that found nothing, so a
    reader knows what was looked for as well as what was found.
    """
    k, centre = result.run_length, "median" if result.chart == "run_chart" else "mean"
    found = [str(x) for x in result.special_cause_type.tolist()]
    rules: list[tuple[str, tuple[str, ...]]] = []
    if result.chart != "run_chart":
        rules.append(
            ("A point above the upper or below the lower process limit", ("Above UCL", "Below LCL"))
        )
    if result.chart == "g_chart":
        return [(words, sum(found.count(x) for x in labels)) for words, labels in rules]
    rules.append(
        (
            f"{k} points in a row above the {centre}, or {k} in a row below it",
            (f"{k} Points Above CL", f"{k} Points Below CL"),
        )
    )
    rules.append(
        (
            f"{k} points in a row each higher than the one before, or each lower",
            (f"{k} Point Trend (Increasing)", f"{k} Point Trend (Decreasing)"),
        )
    )
    if result.chart != "run_chart":
        rules.append(
            (
                "2 of 3 points in a row close to a process limit, all on one side of the mean",
                ("2 in 3 Above CL", "2 in 3 Below CL"),
            )
        )
    return [(words, sum(found.count(x) for x in labels)) for words, labels in rules]


def _marker(kind: str, x: float, y: float, small: bool, title: str) -> str:
    """One point: a shape per kind, so that the kind does not rest on colour alone."""
    _, fill, stroke = _KINDS.get(kind, _KINDS["common_cause"])
    t = f"<title>{_esc(title)}</title>"
    k = 0.55 if small else 1.0
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{_n(1.2 * k)}"'
    cls = f'class="pt {kind}"'
    if kind == "common_cause":
        r = 3.0 * k
        return f'<circle {cls} cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}">{t}</circle>'
    if kind == "special_cause_concern":
        s = 4.5 * k
        return (
            f'<rect {cls} x="{_n(x - s)}" y="{_n(y - s)}" width="{_n(2 * s)}" '
            f'height="{_n(2 * s)}" {paint}>{t}</rect>'
        )
    if kind == "special_cause_improvement":
        s = 6.0 * k
        d = f"M{_n(x)} {_n(y - s)}L{_n(x + s)} {_n(y)}L{_n(x)} {_n(y + s)}L{_n(x - s)} {_n(y)}Z"
    else:  # neutral: a triangle pointing the way the process moved
        s = 6.0 * k
        sign = -1 if kind == "special_cause_neutral_high" else 1
        tip, base = y + sign * s, y - sign * s * 0.7
        d = f"M{_n(x)} {_n(tip)}L{_n(x + s)} {_n(base)}L{_n(x - s)} {_n(base)}Z"
    return f'<path {cls} d="{d}" {paint}>{t}</path>'


def _legend_marker(kind: str, x: float, y: float) -> str:
    """The point's shape for the legend: no title, and not classed as a point."""
    svg = _marker(kind, x, y, False, "").replace("<title></title>", "")
    return svg.replace('class="pt ', 'class="legend-symbol ', 1)


def _clip(a: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    """Clip to what is possible, keeping NaN (no line) as NaN."""
    if low is not None:
        a = np.where(a < low, low, a)
    if high is not None:
        a = np.where(a > high, high, a)
    return a


def _step_path(xl: Sequence[float], xr: Sequence[float], ys: Sequence[float]) -> str:
    """A level line across each point's slot, joined by vertical steps; NaN lifts the pen.

    Equal neighbouring levels merge, so a constant limit is one short "M…H…" and Laney
    limits, which move with each denominator, come out as steps.
    """
    out: list[str] = []
    level: str | None = None  # None: pen up
    end = 0.0
    for a, b, y in zip(xl, xr, ys, strict=True):
        if y != y:
            if level is not None:
                out.append(f"H{_n(end)}")
            level = None
            continue
        yy = _n(y)
        if level == yy:
            end = b
            continue
        out.append(f"M{_n(a)} {yy}" if level is None else f"H{_n(end)}V{yy}")
        level, end = yy, b
    if level is not None:
        out.append(f"H{_n(end)}")
    return "".join(out)


# --------------------------------------------------------------------------- the chart


def spc_chart_svg(
    result: SPCResult,
    *,
    title: str,
    unit_label: str = "",
    width: int | None = None,
    height: int | None = None,
    small: bool = False,
    value_format: Callable[[float], str] | None = None,
    summary: str | None = None,
    id_prefix: str | None = None,
    bounds: tuple[float | None, float | None] = (None, None),
    point_names: Sequence[str] | None = None,
    x_title: str = "",
    y_title: str | None = None,
) -> str:
    """A complete ``<svg>`` element drawing ``result`` as a Making Data Count chart.

    Full size (720 × 380 by default, text at :data:`BODY_TEXT`): y axis with 4–6 ticks,
    month labels thinned so they never overlap, a legend, the mean (solid), process limits
    (dashed) and target (dash-dot, labelled). ``small=True`` (240 × 60 by default) is a
    sparkline for tables: same lines and markers, no text. A new mean or limit starts a new
    line segment (a rebase); a missing value breaks the data line.

    ``title`` is the accessible name, not drawn: the page's own heading names the chart.
    ``summary`` is the ``<desc>`` sentence (default: :func:`caresignals.stats.spc.summary`).
    ``value_format`` formats values in point titles and on the y axis. ``id_prefix`` names the
    ``<title>``/``<desc>`` ids; by default it is a digest of the inputs, so two different charts
    on one page never share an id and the same chart always gets the same one.

    ``bounds`` is what the measure can possibly be (0 and None for a count or rate, 0 and 100
    for a percentage): a mean or limit beyond it is drawn at the boundary, as Making Data
    Count asks, while ``result`` (and so the data table) keeps the computed value.
    ``point_names`` name the points in their titles and on the x axis instead of their
    periods (a g chart's points are events, not months); ``x_title`` is drawn under the axis.
    ``y_title`` names the y axis's unit where it differs from ``unit_label``, which also
    follows each value ("Number in the month" for a count).
    """
    width = width if width is not None else (240 if small else 720)
    height = height if height is not None else (60 if small else 380)
    fmt = value_format or _default_format
    y = np.asarray(result.values, dtype=float)
    n = int(y.size)
    present = ~np.isnan(y)
    desc = summary if summary is not None else spc.summary(result)[1]
    if id_prefix is None:
        digest = hashlib.blake2b(digest_size=5)
        for part in (title, unit_label, desc, str(width), str(height), str(small)):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
        digest.update(y.tobytes())
        id_prefix = f"spc-{digest.hexdigest()}"
    tid, did = f"{id_prefix}-title", f"{id_prefix}-desc"

    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{_esc(tid)} {_esc(did)}" '
        f'class="spc-chart{" spc-chart-small" if small else ""}" '
        f'font-family="{_FONT}" font-size="{12 if small else BODY_TEXT}">'
        f'<title id="{_esc(tid)}">{_esc(title)}</title><desc id="{_esc(did)}">{_esc(desc)}</desc>'
    )
    if not present.any():
        if small:
            return head + "</svg>"
        return (
            head + f'<text x="{_n(width / 2)}" y="{_n(height / 2)}" text-anchor="middle" '
            f'fill="{COLOURS["text_secondary"]}">No data to chart yet</text></svg>'
        )

    dates = _dates(result)
    monthly = dates is not None and _monthly(dates)
    low, high = bounds
    mean = _clip(np.asarray(result.mean, dtype=float), low, high)
    lpl = _clip(np.asarray(result.lpl, dtype=float), low, high)
    upl = _clip(np.asarray(result.upl, dtype=float), low, high)
    target = result.target
    kinds = [str(k) for k in result.point_type.tolist()]

    # ---- y domain and ticks
    stack = [y, mean, lpl, upl]
    finite = np.concatenate([a[~np.isnan(a)] for a in stack])
    lo, hi = float(finite.min()), float(finite.max())
    if target is not None:
        lo, hi = min(lo, target), max(hi, target)
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    ticks, decimals = _nice_ticks(lo, hi)
    if low is not None and ticks[0] < low <= lo:  # no tick below what is possible
        ticks = [t for t in ticks if t >= low] or [low]
        if ticks[0] > low:
            ticks.insert(0, low)
    if high is not None and ticks[-1] > high >= hi:
        ticks = [t for t in ticks if t <= high]
        if ticks[-1] < high:
            ticks.append(high)
    if small:  # no axis to show, so hug the data rather than round numbers
        span = hi - lo
        y0, y1 = lo - 0.06 * span, hi + 0.06 * span
    else:
        y0, y1 = ticks[0], ticks[-1]

    def tick_text(v: float) -> str:
        return fmt(v) if value_format else f"{v:,.{decimals}f}"

    # ---- layout
    legend: list[str] = []
    if small:
        left, right, top, bottom = 3.0, 3.0, 4.0, 4.0
    else:
        labels = [tick_text(t) for t in ticks]
        left = max(48.0, max(_text_width(s, BODY_TEXT) for s in labels) + 16)
        right = 28.0
        axis_unit = unit_label if y_title is None else y_title
        top = 2 * _LINE_H if axis_unit else BODY_TEXT
        legend_items = _legend_items(kinds, present, mean, lpl, upl, target, result.chart)
        legend, legend_h = _legend(legend_items, 12.0, width - 12.0)
        bottom = _LINE_H * (2 if x_title else 1) + 14 + legend_h
    plot_w, plot_h = width - left - right, height - top - bottom
    dx = plot_w / n

    def xpos(i: int) -> float:
        return left + (i + 0.5) * dx

    def ypos(v: float) -> float:
        return top + (y1 - v) / (y1 - y0) * plot_h

    xs = [xpos(i) for i in range(n)]
    parts = [head]

    # ---- grid and y axis
    if not small:
        for t in ticks:
            yy = _n(ypos(t))
            parts.append(
                f'<path class="grid" d="M{_n(left)} {yy}H{_n(left + plot_w)}" '
                f'stroke="{COLOURS["grid"]}" stroke-width="1"/>'
            )
            parts.append(
                f'<text class="y-label" x="{_n(left - 6)}" y="{yy}" dy="0.35em" '
                f'text-anchor="end" fill="{COLOURS["text"]}">{_esc(tick_text(t))}</text>'
            )
        if axis_unit:
            parts.append(
                f'<text class="unit-label" x="{_n(left)}" y="{_n(_LINE_H * 0.75)}" '
                f'fill="{COLOURS["text_secondary"]}">{_esc(axis_unit)}</text>'
            )

    # ---- centre line and limits, one segment per rebase (mean or group changes)
    seg_starts = [0]
    for i in range(1, n):
        same_mean = mean[i] == mean[i - 1] or (mean[i] != mean[i] and mean[i - 1] != mean[i - 1])
        if not same_mean or result.rebase_group[i] != result.rebase_group[i - 1]:
            seg_starts.append(i)
    seg_bounds = list(zip(seg_starts, [*seg_starts[1:], n], strict=True))
    inset = 0.4 * dx  # segments stop short of each other, so a rebase shows as a break
    mean_d, upl_d, lpl_d = [], [], []
    for a, b in seg_bounds:
        xl = [xs[i] - (inset if i == a else dx / 2) for i in range(a, b)]
        xr = [xs[i] + (inset if i == b - 1 else dx / 2) for i in range(a, b)]
        mean_d.append(_step_path(xl, xr, [ypos(v) if v == v else v for v in mean[a:b]]))
        upl_d.append(_step_path(xl, xr, [ypos(v) if v == v else v for v in upl[a:b]]))
        lpl_d.append(_step_path(xl, xr, [ypos(v) if v == v else v for v in lpl[a:b]]))
    lw = 0.8 if small else 1.2
    limits_d = "".join(upl_d) + "".join(lpl_d)
    if limits_d:
        parts.append(
            f'<path class="limits" d="{limits_d}" fill="none" stroke="{COLOURS["common"]}" '
            f'stroke-width="{_n(lw)}" stroke-dasharray="{"3 2" if small else "6 4"}"/>'
        )
    if "".join(mean_d):
        parts.append(
            f'<path class="mean" d="{"".join(mean_d)}" fill="none" stroke="{COLOURS["text"]}" '
            f'stroke-width="{_n(lw)}"/>'
        )
    if target is not None:
        ty = _n(ypos(target))
        parts.append(
            f'<path class="target" d="M{_n(left)} {ty}H{_n(left + plot_w)}" fill="none" '
            f'stroke="{COLOURS["target"]}" stroke-width="{_n(lw * 1.2)}" '
            f'stroke-dasharray="{"1 2 4 2" if small else "2 3 8 3"}"/>'
        )
        if not small:
            parts.append(
                f'<text class="target-label" x="{_n(left + plot_w)}" y="{ty}" dy="-4" '
                f'text-anchor="end" fill="{COLOURS["target"]}" stroke="#FFFFFF" '
                f'stroke-width="3" paint-order="stroke">'
                f"{_esc('Target ' + _with_unit(fmt(target), unit_label))}</text>"
            )

    # ---- the data: a line broken at each missing value, then the markers on top
    line: list[str] = []
    pen = False
    yv = [ypos(float(v)) if ok else math.nan for v, ok in zip(y, present, strict=True)]
    for i in range(n):
        if not present[i]:
            pen = False
            continue
        line.append(f"{'L' if pen else 'M'}{_n(xs[i])} {_n(yv[i])}")
        pen = True
    parts.append(
        f'<path class="data-line" d="{"".join(line)}" fill="none" stroke="{COLOURS["line"]}" '
        f'stroke-width="{_n(1 if small else 1.5)}" stroke-linejoin="round"/>'
    )
    centre = "median" if result.chart == "run_chart" else "mean"
    reasons = result.special_cause_type.tolist()
    for i in range(n):
        if not present[i]:
            continue
        kind = kinds[i]
        value = _with_unit(fmt(float(y[i])), unit_label)
        name = point_names[i] if point_names is not None else _period_name(dates, i, monthly)
        head_txt = f"{name}: {value}."
        if kind == "common_cause":
            tip = f"{head_txt} Common cause variation."
        else:
            label = _KINDS.get(kind, ("Special cause",))[0].split(",")[0]
            tip = f"{head_txt} {label}: {_reason(str(reasons[i]), centre)}."
        parts.append(_marker(kind, xs[i], yv[i], small, tip))

    # ---- x axis labels, thinned so that none overlaps its neighbour
    if not small:
        axis_y = top + plot_h
        parts.append(
            f'<path class="x-axis" d="M{_n(left)} {_n(axis_y)}H{_n(left + plot_w)}" '
            f'stroke="{COLOURS["common"]}" stroke-width="1"/>'
        )
        for i in _x_label_indices(dates, monthly, xs, n):
            text = _axis_label(dates, i, monthly)
            parts.append(
                f'<path class="x-tick" d="M{_n(xs[i])} {_n(axis_y)}v4" '
                f'stroke="{COLOURS["common"]}"/>'
                f'<text class="x-label" x="{_n(xs[i])}" y="{_n(axis_y + 6 + BODY_TEXT)}" '
                f'text-anchor="middle" fill="{COLOURS["text"]}">{_esc(text)}</text>'
            )
        legend_y = axis_y + _LINE_H + 14
        if x_title:
            parts.append(
                f'<text class="x-title" x="{_n(left + plot_w / 2)}" '
                f'y="{_n(axis_y + 6 + BODY_TEXT + _LINE_H)}" text-anchor="middle" '
                f'fill="{COLOURS["text_secondary"]}">{_esc(x_title)}</text>'
            )
            legend_y += _LINE_H
        parts.extend(_shift(legend, legend_y))
    parts.append("</svg>")
    return "".join(parts)


_X_GAP = 8.0  # px between neighbouring month labels


def _x_label_indices(
    dates: list[dt.date] | None, monthly: bool, xs: Sequence[float], n: int
) -> list[int]:
    """Which points get an axis label: every k-th, k the first of 1, 2, 3, 4, 6, 12, 24… that
    fits, aligned to the calendar for monthly data (quarters, Januaries), then any label
    still too close to the one before (dates that skip months) is dropped."""
    widths = [_text_width(_axis_label(dates, i, monthly), BODY_TEXT) for i in range(n)]
    need = max(widths) + _X_GAP
    dx = (xs[1] - xs[0]) if n > 1 else need
    steps = [1, 2, 3, 4, 6, 12] + [12 * m for m in range(2, n // 12 + 2)]
    k = next((s for s in steps if s * dx >= need), steps[-1])
    if monthly and dates is not None:
        chosen = [i for i, d in enumerate(dates) if Month.index_of(d) % k == 0]
        if not chosen:
            chosen = [0]
    else:
        chosen = list(range(0, n, k))
    kept: list[int] = []
    for i in chosen:
        if kept and xs[i] - xs[kept[-1]] < (widths[i] + widths[kept[-1]]) / 2 + _X_GAP:
            continue
        kept.append(i)
    return kept


def _legend_items(
    kinds: list[str],
    present: np.ndarray,
    mean: np.ndarray,
    lpl: np.ndarray,
    upl: np.ndarray,
    target: float | None,
    chart: str,
) -> list[tuple[str, str]]:
    """(what, label) for each thing actually drawn, in a fixed order."""
    shown = {k for k, ok in zip(kinds, present.tolist(), strict=True) if ok}
    items: list[tuple[str, str]] = [(k, _KINDS[k][0]) for k in _KINDS if k in shown]
    if not np.isnan(mean).all():
        items.append(("mean", "Median" if chart == "run_chart" else "Mean"))
    if not (np.isnan(lpl).all() and np.isnan(upl).all()):
        items.append(("limits", "Process limits"))
    if target is not None:
        items.append(("target", "Target"))
    return items


def flow_legend(
    items: list[tuple[str, str]],
    x0: float,
    x_max: float,
    symbol: Callable[[str, float, float], str],
    size: float = BODY_TEXT,
) -> tuple[list[str], float]:
    """Legend entries flowed left to right, wrapping; returns the SVG and the height used.

    ``symbol(what, x, y)`` draws each entry's marker or line. Positions are relative to y=0;
    :func:`_shift` moves them under the x axis once the plot height is known. Shared by every
    chart so their legends read alike.
    """
    row_h = max(18.0, size * 1.45)
    out: list[str] = []
    x, row = x0, 0
    for what, label in items:
        w = 22 + _text_width(label, size) + 10
        if x + w > x_max and x > x0:
            x, row = x0, row + 1
        cy = row * row_h
        out.append(
            f'<g class="legend-item">{symbol(what, x, cy)}<text x="{_n(x + 22)}" y="{_n(cy)}" '
            f'dy="0.35em" font-size="{_n(size)}" fill="{COLOURS["text"]}">{_esc(label)}</text></g>'
        )
        x += w
    return out, (row + 1) * row_h if items else 0.0


def legend_line(x: float, y: float, stroke: str, dash: str = "") -> str:
    """A short line standing for a drawn line in a legend."""
    return f'<path d="M{_n(x)} {_n(y)}h18" stroke="{stroke}" stroke-width="1.5"{dash}/>'


_LINES = {
    "mean": (COLOURS["text"], ""),
    "limits": (COLOURS["common"], ' stroke-dasharray="6 4"'),
    "target": (COLOURS["target"], ' stroke-dasharray="2 3 8 3"'),
}


def _legend_symbol(what: str, x: float, y: float) -> str:
    if what in _KINDS:
        return _legend_marker(what, x + 8, y)
    return legend_line(x, y, *_LINES[what])


def _legend(items: list[tuple[str, str]], x0: float, x_max: float) -> tuple[list[str], float]:
    return flow_legend(items, x0, x_max, _legend_symbol)


def _shift(items: list[str], dy: float) -> list[str]:
    if not items:
        return []
    return [f'<g class="legend" transform="translate(0 {_n(dy)})">', *items, "</g>"]


# --------------------------------------------------------------------------- icons

VARIATION_ICONS: dict[str, str] = {
    "common_cause": "Common cause variation",
    "special_cause_concern_high": "Special cause concern: higher",
    "special_cause_concern_low": "Special cause concern: lower",
    "special_cause_improvement_high": "Special cause improvement: higher",
    "special_cause_improvement_low": "Special cause improvement: lower",
    "special_cause_neutral_high": "Special cause variation: higher",
    "special_cause_neutral_low": "Special cause variation: lower",
}
"""Icon names as :func:`caresignals.stats.spc.summary` returns them, with their plain names."""

ASSURANCE_ICONS: dict[str, str] = {
    "consistent_pass": "Assurance: the target will consistently be met",
    "consistent_fail": "Assurance: the target will consistently be missed",
    "inconsistent": "Assurance: the target will be hit and miss",
}
"""``SPCResult.assurance`` values with their plain names."""


def _icon(label: str, ring: str, glyph: str, size: int, kind: str) -> str:
    """A white disc with a coloured ring around a glyph, named by ``aria-label`` and a
    ``<title>``. No ids, so a table can repeat the same icon on every row."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="{size}" '
        f'height="{size}" role="img" aria-label="{_esc(label)}" class="mdc-icon {kind}">'
        f"<title>{_esc(label)}</title>"
        f'<circle cx="20" cy="20" r="17.5" fill="#FFFFFF" stroke="{ring}" stroke-width="3"/>'
        f"{glyph}</svg>"
    )


def _letter(ch: str, colour: str, x: float = 20) -> str:
    return (
        f'<text x="{_n(x)}" y="21" dy="0.35em" text-anchor="middle" font-family="{_FONT}" '
        f'font-size="17" font-weight="bold" fill="{colour}">{_esc(ch)}</text>'
    )


def _variation_parts(icon_name: str) -> tuple[str, str, str]:
    """(label, ring colour, glyph) of a variation icon."""
    if icon_name not in VARIATION_ICONS:
        raise ValueError(f"unknown variation icon {icon_name!r}; expected one of {VARIATION_ICONS}")
    label = VARIATION_ICONS[icon_name]
    if icon_name == "common_cause":
        glyph = (
            f'<path d="M9 21L13 17L17 23L21 17L25 23L29 18L31 20" fill="none" '
            f'stroke="{COLOURS["text_secondary"]}" stroke-width="2.2" stroke-linejoin="round" '
            f'stroke-linecap="round"/>'
        )
        return label, COLOURS["common"], glyph
    high = icon_name.endswith("_high")
    ring, ink = {
        "concern": (COLOURS["concern"], COLOURS["concern_dark"]),
        "improvement": (COLOURS["improvement"], COLOURS["improvement"]),
        "neutral": (COLOURS["neutral"], COLOURS["neutral"]),
    }[icon_name.split("_")[2]]
    arrow = "M25 16L28 12L31 16" if high else "M25 24L28 28L31 24"
    shaft = "M28 12.5V28" if high else "M28 12V27.5"
    glyph = _letter("H" if high else "L", ink, x=15.5) + (
        f'<path d="{shaft}" stroke="{ink}" stroke-width="2" fill="none"/>'
        f'<path d="{arrow}" stroke="{ink}" stroke-width="2" fill="none" stroke-linejoin="round"/>'
    )
    return label, ring, glyph


def _assurance_parts(assurance: str) -> tuple[str, str, str]:
    """(label, ring colour, glyph) of an assurance icon."""
    if assurance not in ASSURANCE_ICONS:
        raise ValueError(f"unknown assurance {assurance!r}; expected one of {ASSURANCE_ICONS}")
    ring, ink, ch = {
        "consistent_pass": (COLOURS["improvement"], COLOURS["improvement"], "P"),
        "consistent_fail": (COLOURS["concern"], COLOURS["concern_dark"], "F"),
        "inconsistent": (COLOURS["common"], COLOURS["text_secondary"], "?"),
    }[assurance]
    return ASSURANCE_ICONS[assurance], ring, _letter(ch, ink)


def variation_icon_svg(icon_name: str, *, size: int = 32, use: bool = False) -> str:
    """The Making Data Count variation icon for ``icon_name`` (see :data:`VARIATION_ICONS`).

    Common cause: grey ring around a level zig-zag. Special cause: a ring in the concern,
    improvement or neutral colour around an H or L and an arrow the same way, so the letter
    and arrow say what the colour says. Unknown names raise ``ValueError``. With ``use``, the
    icon refers to the page's :func:`icon_symbols` instead of carrying its drawing: a table
    of hundreds of icons then weighs a fraction as much.
    """
    label, ring, glyph = _variation_parts(icon_name)
    if use:
        return _icon_use(label, size, icon_name)
    return _icon(label, ring, glyph, size, icon_name)


def assurance_icon_svg(assurance: str | None, *, size: int = 32, use: bool = False) -> str:
    """The assurance icon: P (passing, blue), F (failing, orange) or ? (hit and miss, grey).

    ``None`` (no target, or no direction that counts as better) returns ``""``, as Making Data
    Count shows no assurance icon then; templates can test the string. Unknown values raise
    ``ValueError``. ``use`` as for :func:`variation_icon_svg`.
    """
    if assurance is None:
        return ""
    label, ring, glyph = _assurance_parts(assurance)
    if use:
        return _icon_use(label, size, assurance)
    return _icon(label, ring, glyph, size, assurance)


def _icon_use(label: str, size: int, kind: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="{size}" '
        f'height="{size}" role="img" aria-label="{_esc(label)}" class="mdc-icon {kind}">'
        f'<title>{_esc(label)}</title><use href="#cs-icon-{kind}"/></svg>'
    )


def icon_symbols() -> str:
    """Every icon drawn once, as symbols for ``use=True`` icons to refer to. Put it once in
    a page; it is hidden from view and from assistive technology."""
    parts = [(*_variation_parts(name), name) for name in VARIATION_ICONS] + [
        (*_assurance_parts(name), name) for name in ASSURANCE_ICONS
    ]
    symbols = "".join(
        f'<symbol id="cs-icon-{kind}" viewBox="0 0 40 40">'
        f'<circle cx="20" cy="20" r="17.5" fill="#FFFFFF" stroke="{ring}" stroke-width="3"/>'
        f"{glyph}</symbol>"
        for _label, ring, glyph, kind in parts
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false" '
        f'class="cs-symbols" width="0" height="0">{symbols}</svg>'
    )
