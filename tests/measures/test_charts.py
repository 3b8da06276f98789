"""The SVG renderer for Making Data Count charts and icons: pure functions, no database."""

from __future__ import annotations

import itertools
import re
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from caresignals.measures import charts
from caresignals.stats import spc

NS = "{http://www.w3.org/2000/svg}"
MARKER_TAGS = {f"{NS}circle", f"{NS}rect", f"{NS}path"}


def months(n: int, start: str = "2021-04") -> np.ndarray:
    first = np.datetime64(start, "M")
    return np.arange(first, first + n).astype("datetime64[D]")


def noisy(n: int, seed: int = 1, level: float = 50.0) -> list[float]:
    return [float(v) for v in level + np.random.default_rng(seed).normal(0, 3, n)]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def markers(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if e.tag in MARKER_TAGS and "pt" in e.get("class", "").split()]


def by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if cls in e.get("class", "").split()]


def points_of(root: ET.Element, kind: str) -> list[ET.Element]:
    return [m for m in markers(root) if kind in m.get("class", "").split()]


def subpaths(d: str) -> int:
    return d.count("M")


def luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_on_white(hex_colour: str) -> float:
    return 1.05 / (luminance(hex_colour) + 0.05)


def concern_series() -> spc.SPCResult:
    """Lower is better; one point far above the upper limit, one far below the lower."""
    values = noisy(30)
    values[12] = 80.0
    values[20] = 20.0
    return spc.xmr(values, improvement="decrease", periods=months(30))


# --------------------------------------------------------------------------- structure


def test_chart_is_well_formed_with_title_and_desc_linked() -> None:
    result = spc.xmr(noisy(24), periods=months(24))
    root = parse(charts.spc_chart_svg(result, title="Falls per 1,000 bed days"))

    assert root.get("role") == "img"
    ids = root.get("aria-labelledby", "").split()
    assert len(ids) == 2
    title, desc = (root.find(f"{NS}title"), root.find(f"{NS}desc"))
    assert title is not None and desc is not None
    assert [title.get("id"), desc.get("id")] == ids
    assert title.text == "Falls per 1,000 bed days"
    assert desc.text == spc.summary(result)[1]


def test_summary_argument_becomes_the_desc() -> None:
    result = spc.xmr(noisy(24))
    root = parse(charts.spc_chart_svg(result, title="t", summary="One sentence."))
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text == "One sentence."


def test_no_scripts_styles_or_external_references() -> None:
    svg = charts.spc_chart_svg(concern_series(), title="t", unit_label="u")
    assert "<script" not in svg and "<style" not in svg and "href" not in svg
    assert re.findall(r"https?://[^\"]+", svg) == ["http://www.w3.org/2000/svg"]


@pytest.mark.parametrize("small", [False, True])
def test_one_marker_per_value_present(small: bool) -> None:
    values: list[float | None] = list(noisy(30))
    values[3] = None
    values[4] = float("nan")
    values[17] = None
    result = spc.xmr(values, periods=months(30))
    root = parse(charts.spc_chart_svg(result, title="t", small=small))

    assert len(markers(root)) == 27
    assert all(m.find(f"{NS}title") is not None for m in markers(root))


def test_concern_and_improvement_points_differ_in_colour_and_shape() -> None:
    result = concern_series()
    root = parse(charts.spc_chart_svg(result, title="t"))
    concern = points_of(root, "special_cause_concern")
    improvement = points_of(root, "special_cause_improvement")
    common = points_of(root, "common_cause")

    assert len(concern) == int((result.point_type == "special_cause_concern").sum()) >= 1
    assert len(improvement) == int((result.point_type == "special_cause_improvement").sum()) >= 1
    assert {e.tag for e in concern} == {f"{NS}rect"}
    assert {e.get("fill") for e in concern} == {"#ED8B00"}
    assert {e.tag for e in improvement} == {f"{NS}path"}
    assert {e.get("fill") for e in improvement} == {"#005EB8"}
    assert {e.tag for e in common} == {f"{NS}circle"}
    assert {e.get("fill") for e in common} == {"#768692"}


def test_neutral_points_are_triangles_pointing_the_way_the_process_moved() -> None:
    values = noisy(30)
    values[12] = 80.0
    result = spc.xmr(values, improvement="neutral")
    root = parse(charts.spc_chart_svg(result, title="t"))
    (high,) = points_of(root, "special_cause_neutral_high")
    assert high.get("fill") == "#7030A0"
    # tip above (smaller y) the base
    ys = [float(v) for v in re.findall(r"[ML][\d.]+ ([\d.]+)", high.get("d", ""))]
    assert ys[0] < ys[1] == ys[2]


def test_point_titles_give_month_value_and_reason() -> None:
    result = concern_series()
    root = parse(
        charts.spc_chart_svg(
            result, title="t", unit_label="per 1,000", value_format="{:.1f}".format
        )
    )
    tips = [m.findtext(f"{NS}title") for m in markers(root)]
    assert (
        tips[12]
        == "April 2022: 80.0 per 1,000. Special cause concern: above the upper process limit."
    )
    assert tips[20] == (
        "December 2022: 20.0 per 1,000. Special cause improvement: below the lower process limit."
    )
    assert tips[0] is not None and tips[0].endswith("Common cause variation.")


def test_run_rule_reasons_in_plain_english() -> None:
    shift = spc.xmr([9.0, 11.0] * 6 + [11.5, 12.0] * 3 + [11.5])
    trend = spc.xmr([10.0, 11, 9, 12, 10, 11, 9, 12, 10, 11, 12, 13, 14, 15, 16, 17])
    assert shift.special_cause_type[-1] == "7 Points Above CL"
    assert trend.special_cause_type[-2] == "7 Point Trend (Increasing)"

    def tips(result: spc.SPCResult) -> list[str]:
        root = parse(charts.spc_chart_svg(result, title="t"))
        return [m.findtext(f"{NS}title") or "" for m in markers(root)]

    assert tips(shift)[-1].endswith("improvement: part of a run of 7 points above the mean.")
    assert tips(trend)[-2].endswith("improvement: part of a run of 7 points rising.")


def test_points_without_periods_are_numbered() -> None:
    root = parse(charts.spc_chart_svg(spc.xmr(noisy(5)), title="t"))
    assert (markers(root)[0].findtext(f"{NS}title") or "").startswith("Point 1: ")
    assert by_class(root, "x-label")[0].text == "1"


# --------------------------------------------------------------------------- lines


def test_target_line_only_when_a_target_is_given() -> None:
    with_target = parse(charts.spc_chart_svg(spc.xmr(noisy(24), target=55), title="t"))
    without = parse(charts.spc_chart_svg(spc.xmr(noisy(24)), title="t"))

    (line,) = by_class(with_target, "target")
    assert line.get("stroke-dasharray") not in (
        None,
        by_class(with_target, "limits")[0].get("stroke-dasharray"),
    )
    (label,) = by_class(with_target, "target-label")
    assert (label.text or "").startswith("Target")
    assert by_class(without, "target") == [] and by_class(without, "target-label") == []


def test_mean_solid_limits_dashed() -> None:
    root = parse(charts.spc_chart_svg(spc.xmr(noisy(24)), title="t"))
    (mean,) = by_class(root, "mean")
    (limits,) = by_class(root, "limits")
    assert mean.get("stroke-dasharray") is None
    assert limits.get("stroke-dasharray")
    assert subpaths(mean.get("d", "")) == 1
    assert subpaths(limits.get("d", "")) == 2  # upper and lower


def test_missing_values_break_the_data_line() -> None:
    values: list[float | None] = list(noisy(20))
    values[5] = None
    values[12] = None
    values[13] = None
    root = parse(charts.spc_chart_svg(spc.xmr(values), title="t"))
    (line,) = by_class(root, "data-line")
    d = line.get("d", "")
    assert subpaths(d) == 3
    assert d.count("L") == 20 - 3 - 3  # points present minus one per run


def test_rebase_draws_separate_mean_and_limit_segments() -> None:
    values = noisy(24) + noisy(24, seed=2, level=70)
    root = parse(charts.spc_chart_svg(spc.xmr(values, rebase_at=[24]), title="t"))
    mean = by_class(root, "mean")[0].get("d", "")
    limits = by_class(root, "limits")[0].get("d", "")
    assert subpaths(mean) == 2
    assert subpaths(limits) == 4
    # the two mean segments do not touch: a visible break at the rebase
    (first_end,) = re.findall(r"H([\d.]+)M", mean)
    second_start = float(re.findall(r"M([\d.]+)", mean)[1])
    assert second_start > float(first_end)


def test_limits_that_vary_by_point_are_drawn_as_steps() -> None:
    rng = np.random.default_rng(3)
    den = rng.integers(200, 2000, 24)
    num = rng.binomial(den, 0.1)
    root = parse(charts.spc_chart_svg(spc.p_prime(num, den), title="t"))
    limits = by_class(root, "limits")[0].get("d", "")
    assert subpaths(limits) == 2
    assert limits.count("V") > 10


def test_run_chart_has_a_centre_line_and_no_limits() -> None:
    root = parse(charts.spc_chart_svg(spc.run_chart(noisy(24)), title="t"))
    assert by_class(root, "limits") == []
    assert len(by_class(root, "mean")) == 1
    assert "Median" in {e.text for e in root.iter(f"{NS}text")}


def test_unit_is_not_repeated_when_the_format_already_gives_it() -> None:
    result = spc.xmr(noisy(12), target=50)
    root = parse(
        charts.spc_chart_svg(result, title="t", unit_label="%", value_format="{:.1f}%".format)
    )
    assert by_class(root, "target-label")[0].text == "Target 50.0%"
    assert (markers(root)[0].findtext(f"{NS}title") or "").startswith("Point 1: 51.0%.")


# --------------------------------------------------------------------------- text


def test_text_is_escaped() -> None:
    nasty = "<script>alert(\"x\")</script> & 'quotes'"
    result = spc.xmr(noisy(12), target=50, periods=months(12))
    svg = charts.spc_chart_svg(
        result, title=nasty, unit_label="<b>&", summary=nasty, value_format=lambda v: f"<{v:.0f}>"
    )
    root = parse(svg)
    assert "<script" not in svg
    assert list(root.iter("script")) == [] and list(root.iter(f"{NS}script")) == []
    assert root.findtext(f"{NS}title") == nasty
    assert root.findtext(f"{NS}desc") == nasty
    assert by_class(root, "unit-label")[0].text == "<b>&"
    assert (markers(root)[0].findtext(f"{NS}title") or "").startswith("April 2021: <")


def test_characters_xml_cannot_hold_are_dropped() -> None:
    root = parse(charts.spc_chart_svg(spc.xmr(noisy(6)), title="a\x00b\x1bc"))
    assert root.findtext(f"{NS}title") == "abc"


@pytest.mark.parametrize("n", [3, 12, 24, 36, 60, 120, 240])
@pytest.mark.parametrize("width", [320, 720, 1200])
def test_month_labels_do_not_overlap(n: int, width: int) -> None:
    root = parse(charts.spc_chart_svg(spc.xmr(noisy(n), periods=months(n)), title="t", width=width))
    labels = by_class(root, "x-label")
    assert len(labels) >= 2
    for a, b in itertools.pairwise(labels):
        size = charts.BODY_TEXT  # the chart's font size
        half_widths = (len(a.text or "") + len(b.text or "")) * size * 0.6 / 2
        assert float(b.get("x", 0)) - float(a.get("x", 0)) >= half_widths
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d\d", e.text or "") for e in labels)


def test_month_labels_fall_on_calendar_boundaries() -> None:
    root = parse(charts.spc_chart_svg(spc.xmr(noisy(60), periods=months(60)), title="t"))
    labels = [e.text or "" for e in by_class(root, "x-label")]
    months_shown = {label.split()[0] for label in labels}
    assert months_shown <= {"Jan", "Apr", "Jul", "Oct"}  # quarters, or coarser


def test_month_labels_survive_gaps_in_the_dates() -> None:
    periods = np.concatenate([months(10, "2022-01"), months(10, "2023-06")])
    root = parse(charts.spc_chart_svg(spc.xmr(noisy(20), periods=periods), title="t", width=300))
    xs = [float(e.get("x", 0)) for e in by_class(root, "x-label")]
    assert all(b - a >= 6 * 12 * 0.6 for a, b in itertools.pairwise(xs))


def test_daily_periods_show_the_day() -> None:
    periods = np.arange(np.datetime64("2026-01-05"), np.datetime64("2026-01-25"))
    root = parse(charts.spc_chart_svg(spc.xmr(noisy(20), periods=periods), title="t"))
    assert by_class(root, "x-label")[0].text == "5 Jan 26"
    assert (markers(root)[0].findtext(f"{NS}title") or "").startswith("5 January 2026: ")


@pytest.mark.parametrize(
    "values",
    [
        noisy(24),
        [0.001, 0.0013, 0.0011, 0.0017, 0.0009],
        [1_000_000.0, 1_250_000.0, 1_100_000.0, 990_000.0],
        [-5.0, 3.0, -1.0, 2.0, 0.5, -4.0],
        [7.0] * 10,
        [0.0] * 10,
        [42.0],
    ],
)
def test_y_axis_has_four_to_six_nice_ticks_covering_the_data(values: list[float]) -> None:
    result = spc.xmr(values, target=None)
    root = parse(charts.spc_chart_svg(result, title="t"))
    ticks = by_class(root, "y-label")
    assert 4 <= len(ticks) <= 6
    labels = [e.text or "" for e in ticks]
    assert len(set(labels)) == len(labels)
    ys = [float(e.get("y", 0)) for e in ticks]
    marker_ys = [
        float(m.get("cy") or float(m.get("y", 0)) + 4.5)
        for m in markers(root)
        if m.tag != f"{NS}path"
    ]
    assert min(ys) - 0.1 <= min(marker_ys) and max(marker_ys) <= max(ys) + 0.1


def test_text_colours_meet_wcag_aa_on_white() -> None:
    svg = charts.spc_chart_svg(concern_series(), title="t", unit_label="u", summary="s")
    svg += charts.spc_chart_svg(spc.xmr(noisy(24), target=50), title="t", summary="s")
    svg += "".join(charts.variation_icon_svg(name) for name in charts.VARIATION_ICONS)
    svg += "".join(charts.assurance_icon_svg(a) for a in charts.ASSURANCE_ICONS)
    fills = set(re.findall(r'<text[^>]* fill="(#[0-9A-F]{6})"', svg))
    assert fills
    assert all(contrast_on_white(c) >= 4.5 for c in fills), fills


def test_legend_names_each_marker_shown() -> None:
    root = parse(charts.spc_chart_svg(concern_series(), title="t"))
    texts = {e.text for e in root.iter(f"{NS}text")}
    assert {"Special cause concern", "Special cause improvement", "Common cause"} <= texts
    assert {"Mean", "Process limits"} <= texts and "Target" not in texts


# --------------------------------------------------------------------------- sizes, edge cases


def test_small_chart_is_a_sparkline_without_text() -> None:
    result = spc.xmr(noisy(36), target=52, periods=months(36))
    root = parse(charts.spc_chart_svg(result, title="Falls", small=True))
    assert (root.get("width"), root.get("height")) == ("240", "60")
    assert list(root.iter(f"{NS}text")) == []
    assert len(markers(root)) == 36
    assert by_class(root, "target") and by_class(root, "mean") and by_class(root, "limits")
    assert root.findtext(f"{NS}title") == "Falls"


def test_size_can_be_set() -> None:
    root = parse(charts.spc_chart_svg(spc.xmr(noisy(12)), title="t", width=400, height=200))
    assert root.get("viewBox") == "0 0 400 200"


def test_a_series_with_no_values_still_gives_a_chart() -> None:
    result = spc.xmr([None, None, None])
    root = parse(charts.spc_chart_svg(result, title="t"))
    assert markers(root) == []
    assert "No data" in "".join(root.itertext())
    parse(charts.spc_chart_svg(result, title="t", small=True))


def test_output_is_deterministic_and_ids_differ_between_charts() -> None:
    a = charts.spc_chart_svg(concern_series(), title="A")
    assert a == charts.spc_chart_svg(concern_series(), title="A")
    b = charts.spc_chart_svg(concern_series(), title="B")
    assert parse(a).get("aria-labelledby") != parse(b).get("aria-labelledby")
    c = charts.spc_chart_svg(concern_series(), title="A", id_prefix="falls")
    assert parse(c).get("aria-labelledby") == "falls-title falls-desc"


def test_coordinates_are_rounded_to_one_decimal() -> None:
    svg = charts.spc_chart_svg(spc.xmr(noisy(60), periods=months(60)), title="t")
    geometry = re.findall(r' (?:d|x|y|cx|cy|r|width|height|transform)="([^"]*)"', svg)
    assert geometry
    assert not [g for g in geometry if re.search(r"\d\.\d\d", g)]


def test_sixty_points_render_in_well_under_five_milliseconds() -> None:
    result = spc.xmr(noisy(60), target=50, periods=months(60))
    summary = spc.summary(result)[1]
    charts.spc_chart_svg(result, title="t", summary=summary)
    best = min(
        _timed(lambda: charts.spc_chart_svg(result, title="t", summary=summary)) for _ in range(20)
    )
    assert best < 0.005


def _timed(f: object) -> float:
    assert callable(f)
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- icons


@pytest.mark.parametrize("name", sorted(charts.VARIATION_ICONS))
def test_variation_icons(name: str) -> None:
    root = parse(charts.variation_icon_svg(name))
    label = charts.VARIATION_ICONS[name]
    assert root.get("role") == "img"
    assert root.get("aria-label") == label == root.findtext(f"{NS}title")
    assert root.find(f"{NS}circle") is not None
    letters = [e.text for e in root.iter(f"{NS}text")]
    if name == "common_cause":
        assert letters == []
    else:
        assert letters == ["H" if name.endswith("_high") else "L"]


def test_variation_icon_colours_follow_the_convention() -> None:
    ring = {
        name: parse(charts.variation_icon_svg(name)).find(f"{NS}circle").get("stroke")  # type: ignore[union-attr]
        for name in charts.VARIATION_ICONS
    }
    assert ring["special_cause_concern_high"] == ring["special_cause_concern_low"] == "#ED8B00"
    assert ring["special_cause_improvement_low"] == "#005EB8"
    assert ring["special_cause_neutral_high"] == "#7030A0"
    assert ring["common_cause"] == "#768692"
    assert charts.VARIATION_ICONS["special_cause_concern_high"] == "Special cause concern: higher"


def test_every_icon_name_summary_can_return_has_an_icon() -> None:
    cases = [
        spc.xmr(noisy(24)),
        spc.xmr([*noisy(20), 90.0], improvement="increase"),
        spc.xmr([*noisy(20), 90.0], improvement="decrease"),
        spc.xmr([*noisy(20), 10.0], improvement="increase"),
        spc.xmr([*noisy(20), 10.0], improvement="decrease"),
        spc.xmr([*noisy(20), 90.0], improvement="neutral"),
        spc.xmr([*noisy(20), 10.0], improvement="neutral"),
    ]
    names = {spc.summary(r)[0] for r in cases}
    assert names == set(charts.VARIATION_ICONS)
    for name in names:
        parse(charts.variation_icon_svg(name))


@pytest.mark.parametrize(
    ("assurance", "letter", "ring"),
    [
        ("consistent_pass", "P", "#005EB8"),
        ("consistent_fail", "F", "#ED8B00"),
        ("inconsistent", "?", "#768692"),
    ],
)
def test_assurance_icons(assurance: str, letter: str, ring: str) -> None:
    root = parse(charts.assurance_icon_svg(assurance))
    assert root.get("role") == "img"
    assert (
        root.get("aria-label") == charts.ASSURANCE_ICONS[assurance] == root.findtext(f"{NS}title")
    )
    assert [e.text for e in root.iter(f"{NS}text")] == [letter]
    assert root.find(f"{NS}circle").get("stroke") == ring  # type: ignore[union-attr]


def test_no_assurance_gives_no_icon() -> None:
    assert charts.assurance_icon_svg(None) == ""


def test_assurance_values_from_spc_all_have_icons() -> None:
    base = noisy(24)
    got = {spc.xmr(base, improvement="increase", target=t).assurance for t in (20.0, 50.0, 80.0)}
    assert got == set(charts.ASSURANCE_ICONS)


def test_unknown_icon_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown variation icon"):
        charts.variation_icon_svg("special_cause_concern")
    with pytest.raises(ValueError, match="unknown assurance"):
        charts.assurance_icon_svg("pass")


def test_icons_have_no_ids_so_they_can_repeat_on_a_page() -> None:
    svg = charts.variation_icon_svg("common_cause") + charts.assurance_icon_svg("inconsistent")
    assert " id=" not in svg


# --------------------------------------------------------------------------- conventions (ADR 22)


def _ys(d: str) -> list[float]:
    """Every y coordinate in a path of M, H and V commands."""
    return [float(v) for v in re.findall(r"(?:M[-\d.]+ |V)([-\d.]+)", d)]


def test_limits_beyond_what_is_possible_are_drawn_at_the_boundary() -> None:
    # Counts of 0 to 3: the XmR lower limit is below 0, which no count can be.
    result = spc.xmr([0, 3, 0, 2, 1, 0, 3, 0, 1, 2, 0, 3], improvement="decrease")
    assert result.lpl[0] < 0  # the statistics keep the computed value ...
    root = parse(charts.spc_chart_svg(result, title="t", bounds=(0, None)))
    zero = next(float(e.get("y", 0)) for e in by_class(root, "y-label") if e.text in ("0", "0.0"))
    limits = by_class(root, "limits")[0].get("d", "")
    assert max(_ys(limits)) == pytest.approx(zero, abs=0.1)  # ... the drawing stops at 0
    assert all(float(e.text or "0") >= 0 for e in by_class(root, "y-label"))


def test_percentages_stop_at_one_hundred() -> None:
    result = spc.xmr([99.0, 100, 92, 100, 97, 100, 90, 100, 99, 94, 100, 98])
    assert result.upl[0] > 100
    root = parse(charts.spc_chart_svg(result, title="t", bounds=(0, 100), unit_label="%"))
    hundred = next(float(e.get("y", 0)) for e in by_class(root, "y-label") if e.text == "100")
    assert min(_ys(by_class(root, "limits")[0].get("d", ""))) == pytest.approx(hundred, abs=0.1)
    assert all(float(e.text or "0") <= 100 for e in by_class(root, "y-label"))


def test_without_bounds_a_difference_may_go_below_zero() -> None:
    root = parse(charts.spc_chart_svg(spc.xmr([-3.0, 1, -2, 2, 0, -1, 1]), title="t"))
    assert any(float((e.text or "0").replace("−", "-")) < 0 for e in by_class(root, "y-label"))


def test_chart_text_is_body_size() -> None:
    root = parse(charts.spc_chart_svg(concern_series(), title="t", unit_label="per 1,000 bed days"))
    assert root.get("font-size") == str(charts.BODY_TEXT)
    sizes = {e.get("font-size") for e in root.iter(f"{NS}text")} - {None}
    assert sizes <= {str(charts.BODY_TEXT)}
    assert by_class(root, "unit-label")[0].text == "per 1,000 bed days"


def test_point_names_and_x_title_for_charts_of_events() -> None:
    root = parse(
        charts.spc_chart_svg(
            spc.xmr([2.0, 1, 0, 3]),
            title="t",
            point_names=["Event 1 (March 2025)", "Event 2", "Event 3", "Event 4"],
            x_title="Never Events, in the order they happened",
        )
    )
    assert (markers(root)[0].findtext(f"{NS}title") or "").startswith("Event 1 (March 2025): 2.")
    assert by_class(root, "x-title")[0].text == "Never Events, in the order they happened"


def test_rule_key_names_every_rule_and_counts_what_it_found() -> None:
    key = dict(charts.rule_key(spc.xmr([5.0, 6.0] * 8 + [12.0], periods=months(17))))
    assert key["A point above the upper or below the lower process limit"] == 1
    assert key["7 points in a row above the mean, or 7 in a row below it"] == 0
    assert "7 points in a row each higher than the one before, or each lower" in key
    assert charts.rule_words("7 Points Below CL") == "Part of a run of 7 points below the mean"
