"""The evaluation (caresignals evaluate) at a small size: the table's shape and sane values, a
huge change found, and no change found where nothing was changed and nothing is listed."""

from __future__ import annotations

import dataclasses
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from django.core.management import call_command

from caresignals.signals.evaluation import plot, regions, run
from caresignals.signals.watchlist import config

ONE = run.Size(1, (20, 20))


@pytest.fixture(scope="module")
def small() -> run.Outcome:
    return run.evaluate(run.SIZES["small"], seed=11)


def test_table_has_one_row_per_scenario_and_method_with_sane_values(small):
    body = run.rows(small)
    assert len(body) == 4 * sum(small.count(s) > 0 for s in regions.SCENARIOS)
    assert all(len(r) == len(run.HEADER) for r in body)
    assert {r[1] for r in body} == set(run.METHODS)
    for r in body:
        shares = [float(x.removesuffix(" %")) for x in r[3:9]]
        assert all(0 <= x <= 100 for x in shares)
        assert shares == sorted(shares)  # listed by month k includes listed by month k - 1
    printed = run.table(small).splitlines()
    assert printed[0].split()[:3] == ["scenario", "method", "draws"]
    assert len(printed) == len(body) + 2


def test_baselines_are_calibrated_to_no_more_false_entries_than_the_watchlist(small):
    watchlist = small.false_entries[run.WATCHLIST]
    for m in run.METHODS[1:]:
        assert small.false_entries[m] <= watchlist
    assert small.false_rate(run.WATCHLIST) == pytest.approx(
        100 * watchlist / small.services
    )  # twelve judged months: one year


def test_same_seed_same_regions():
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    a, b = regions.draw_region(rng_a, 20), regions.draw_region(rng_b, 20)
    assert [u.code for u in a.units] == [u.code for u in b.units]
    assert np.array_equal(a.counts["incidents"], b.counts["incidents"])


def test_a_huge_change_is_found_in_its_first_month():
    huge = regions.Scenario("harm_rise", "×6", ratio=6.0)
    outcome = run.evaluate(ONE, seed=5, scenarios=(huge,))
    assert outcome.count(huge) == 1
    assert outcome.detection(run.WATCHLIST, huge, 1) == 1.0
    assert outcome.months_to_detection(run.WATCHLIST, huge) == 1


def test_a_huge_fall_with_the_harm_share_rising_is_found_by_its_second_month():
    """Not in its first: a 90 % fall leaves a handful of reports (7 here, 2 of them harmful),
    too few for the shift test to call the harm share's rise (p 0.001), and the fall alone
    (strength about 1.6 × weight 1.0) is below the listing score of 1.8. A second month of
    it is enough."""
    huge = regions.Scenario("fall_with_harm_share", "90 % fall, harm share ×6", 0.9, 6.0)
    outcome = run.evaluate(ONE, seed=5, scenarios=(huge,))
    assert outcome.count(huge) == 1
    assert outcome.detection(run.WATCHLIST, huge, 2) == 1.0
    assert outcome.months_to_detection(run.WATCHLIST, huge) <= 2


def test_nothing_changed_and_nothing_listed_means_nothing_detected():
    """A change of no size leaves the region as it was; with the listing threshold out of
    reach the watchlist makes no entries, each baseline is calibrated to none, and none of the
    unchanged services counts as found."""
    cfg = config.default()
    never = dataclasses.replace(cfg, levels={"low": 1e6, "medium": 1e6, "high": 1e6})
    placebo = regions.Scenario("reporting_fall", "no change", fall=0.0)
    outcome = run.evaluate(ONE, seed=5, scenarios=(placebo,), config=never)
    assert outcome.count(placebo) >= 1
    for m in run.METHODS:
        assert outcome.false_entries[m] == 0
        assert outcome.detection(m, placebo, regions.FOLLOW_UP) == 0.0


def test_svg_is_accessible_and_has_one_line_per_method(small):
    doc = ET.fromstring(plot.svg(small))
    ns = "{http://www.w3.org/2000/svg}"
    assert doc.get("role") == "img"
    assert doc.find(f"{ns}title").text.startswith("Share of")
    assert "calibrated" in doc.find(f"{ns}desc").text
    assert len(doc.findall(f"{ns}polyline")) == len(run.METHODS)


def test_command_prints_the_table_and_the_aim(monkeypatch, tmp_path):
    monkeypatch.setitem(run.SIZES, "small", ONE)
    out = io.StringIO()
    svg = tmp_path / "headline.svg"
    call_command("evaluate", "--seed", "5", "--svg", str(svg), stdout=out)
    text = out.getvalue()
    assert text.startswith("scenario")
    assert "per 100 services a year" in text
    assert "listed within 3 months" in text
    assert "false entries by rule" in text
    assert svg.read_text().startswith("<svg")


def test_a_stricter_listing_makes_fewer_false_entries_and_finds_no_more(small):
    strict = run.at_false_rate(small, 0.0)
    assert strict.false_entries[run.WATCHLIST] == 0
    assert strict.thresholds[run.WATCHLIST] >= small.thresholds[run.WATCHLIST]
    for s in regions.SCENARIOS:
        if small.count(s):
            assert strict.detection(run.WATCHLIST, s, 6) <= small.detection(run.WATCHLIST, s, 6)
    same = run.at_false_rate(small, 1e6)
    assert same.thresholds[run.WATCHLIST] == small.thresholds[run.WATCHLIST]
    assert run.rows(same) == run.rows(small)


def test_false_entries_broken_down_by_rule_add_up_to_the_rate(small):
    rows = run.false_by_rule(small)
    assert sum(leading for _, leading, _ in rows) == pytest.approx(small.false_rate(run.WATCHLIST))
    for kind, leading, present in rows:
        assert kind in config.default().weights
        assert 0 <= leading <= present
    assert [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True)
