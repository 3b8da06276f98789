"""The headline curve as a plain SVG: detection by months since onset, one line per method.

Drawn as text (no plotting library): a title and description for screen readers, each line
told apart by its dash pattern and marker as well as its colour, labels as large as body
text, and the numbers themselves in the description.
"""

from __future__ import annotations

from html import escape

from caresignals.signals.evaluation.regions import FOLLOW_UP, HEADLINE, KIND_NAMES, Scenario
from caresignals.signals.evaluation.run import METHODS, Outcome

# NHS identity colours with enough contrast on white; dashes for those who cannot tell them.
STYLES = (
    ("#005eb8", "", "circle"),  # watchlist: NHS blue, solid
    ("#d5281b", "8 4", "square"),
    ("#007f3b", "2 4", "diamond"),
    ("#330072", "12 4 2 4", "triangle"),
)

W, H = 760, 440
LEFT, RIGHT, TOP, BOTTOM = 70, 250, 60, 70


def _x(month: int) -> float:
    return LEFT + (month - 1) / (FOLLOW_UP - 1) * (W - LEFT - RIGHT)


def _y(p: float) -> float:
    return TOP + (1 - p) * (H - TOP - BOTTOM)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{colour}"/>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    pts = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},{y + 5:.1f}"
    return f'<polygon points="{pts}" fill="{colour}"/>'


def svg(outcome: Outcome, scenario: Scenario = HEADLINE) -> str:
    """The SVG document for one scenario's detection curves."""
    what = f"{KIND_NAMES[scenario.kind]}: {scenario.effect}"
    n = outcome.count(scenario)
    curves = {
        m: [outcome.detection(m, scenario, k) for k in range(1, FOLLOW_UP + 1)] for m in METHODS
    }
    described = "; ".join(
        f"{m} ({outcome.false_rate(m):.1f} false entries per 100 services a year): "
        + ", ".join(f"{100 * p:.0f} %" for p in ps)
        for m, ps in curves.items()
    )
    title = f"Share of {n} simulated draws of “{what}” listed by each method, by months since onset"
    desc = (
        f"Detection probability in months 1 to {FOLLOW_UP} after onset, each method calibrated "
        f"to the same false-alarm rate on the same regions with nothing injected. {described}."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
        f'height="{H}" role="img" aria-labelledby="title desc" '
        'font-family="Frutiger W01, Arial, sans-serif" font-size="16">',
        f'<title id="title">{escape(title)}</title>',
        f'<desc id="desc">{escape(desc)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="30" font-size="18" font-weight="bold" fill="#212b32">'
        f"{escape(what)}</text>",
    ]
    for p in (0, 0.25, 0.5, 0.75, 1.0):
        y = _y(p)
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8dde0"/>'
        )
        out.append(
            f'<text x="{LEFT - 10}" y="{y + 5:.1f}" text-anchor="end" fill="#212b32">'
            f"{100 * p:.0f} %</text>"
        )
    aim = _y(0.9)
    out.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{aim:.1f}" y2="{aim:.1f}" stroke="#4c6272" '
        'stroke-dasharray="3 3"/>'
    )
    out.append(f'<text x="{_x(3) + 6:.1f}" y="{aim - 6:.1f}" fill="#4c6272">aim: 90 % by 3</text>')
    for k in range(1, FOLLOW_UP + 1):
        out.append(
            f'<text x="{_x(k):.1f}" y="{H - BOTTOM + 24}" text-anchor="middle" fill="#212b32">'
            f"{k}</text>"
        )
    out.append(
        f'<text x="{(LEFT + W - RIGHT) / 2:.1f}" y="{H - 20}" text-anchor="middle" '
        'fill="#212b32">Months since onset (1 = the month it began)</text>'
    )
    out.append(
        f'<text transform="translate(18 {(TOP + H - BOTTOM) / 2:.1f}) rotate(-90)" '
        'text-anchor="middle" fill="#212b32">Share of draws listed (%)</text>'
    )
    for i, (m, ps) in enumerate(curves.items()):
        colour, dash, shape = STYLES[i % len(STYLES)]
        points = " ".join(f"{_x(k + 1):.1f},{_y(p):.1f}" for k, p in enumerate(ps))
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3"{dashed}/>'
        )
        out += [_marker(shape, _x(k + 1), _y(p), colour) for k, p in enumerate(ps)]
        ly = TOP + 10 + 40 * i
        lx = W - RIGHT + 20
        out.append(
            f'<line x1="{lx}" x2="{lx + 30}" y1="{ly}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="3"{dashed}/>'
        )
        out.append(_marker(shape, lx + 15, ly, colour))
        label = m.replace(" (one indicator)", "")
        out.append(f'<text x="{lx + 38}" y="{ly + 5}" fill="#212b32">{escape(label)}</text>')
    note = (
        "Each at",
        f"{outcome.false_rate(METHODS[0]):.1f} false entries",
        "per 100 services a year",
    )
    for j, line in enumerate(note):
        y = TOP + 10 + 40 * len(curves) + 22 * j
        out.append(f'<text x="{W - RIGHT + 20}" y="{y}" fill="#4c6272">{escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
