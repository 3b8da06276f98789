"""Each signal rule on synthetic series: one that fires and one that does not."""

from __future__ import annotations

import sys
import types

import numpy as np

from caresignals.signals.watchlist import config, engine, sources
from caresignals.signals.watchlist.rules import KINDS
from tests.signals.panel_factories import MONTHS, FakeLinks, empty_panel, poisson, set_measure, unit

LAST = MONTHS[-1]
N = len(MONTHS)
CFG = config.default()


def hits(panel, kind, period=LAST):
    ctx = engine.run_rules(panel, period, CFG, FakeLinks())
    return {panel.units[h.unit].code: h for h in ctx.hits if h.kind == kind}


def stepped(base: np.ndarray, last: float, months: int = 1) -> np.ndarray:
    out = base.copy()
    out[-months:] = last
    return out


def beds(panel, *codes, value=700.0):
    for code in codes:
        set_measure(panel, code, "occupied_bed_days", [value] * N)


def test_every_rule_has_a_weight_and_a_docstring():
    from caresignals.signals.watchlist.rules import REGISTRY

    assert set(CFG.weights) == set(KINDS)
    for registered in REGISTRY.values():
        assert registered.function.__doc__ and len(registered.function.__doc__) > 40


def test_harm_special_cause_fires_on_a_jump_and_not_on_noise():
    p = empty_panel([unit("A"), unit("B")])
    beds(p, "A", "B")
    p.harmful[0] = stepped(poisson(4, seed=1), 16)
    p.harmful[1] = poisson(4, seed=2)
    p.incidents[:] = p.harmful + 40
    found = hits(p, "harm_special_cause")
    assert set(found) == {"A"}
    assert "above the upper process limit" in found["A"].detail
    assert found["A"].since == N - 1
    assert any("moderate_harm_rate" in e.url for e in found["A"].evidence)


def test_rare_harm_uses_the_poisson_rule_not_xmr():
    """A care home's 0.1 a month: one harmful event is not a signal, four in a month are."""
    p = empty_panel([unit("CH1", type_="care_home"), unit("CH2", type_="care_home")])
    quiet = np.zeros(N)
    quiet[[5, 17]] = 1
    p.harmful[0] = stepped(quiet, 4)
    p.harmful[1] = stepped(quiet, 1)
    p.incidents[:] = p.harmful + 3
    assert hits(p, "harm_special_cause") == {}
    found = hits(p, "harm_rare_cluster")
    assert set(found) == {"CH1"}
    assert "4 moderate-or-worse harm incidents" in found["CH1"].detail


def test_funnel_outlier_among_peers_after_overdispersion():
    codes = [f"S{i}" for i in range(20)]
    p = empty_panel([unit(c, type_="maternity", provider=f"P{i}") for i, c in enumerate(codes)])
    beds(p, *codes)
    for i in range(20):
        p.harmful[i] = poisson(3, seed=20 + i)
    p.harmful[0, -12:] = poisson(16, n=12, seed=5)
    p.incidents[:] = p.harmful + 40
    found = hits(p, "harm_funnel_outlier")
    assert set(found) == {"S0"}
    assert (
        "funnel" in found["S0"].evidence[0].url and "type=maternity" in found["S0"].evidence[0].url
    )


def test_moderate_harm_share_rising():
    p = empty_panel([unit("A"), unit("B")])
    p.incidents[:] = 40
    p.harmful[0] = stepped(poisson(3, seed=3), 15)
    p.harmful[1] = poisson(3, seed=4)
    assert set(hits(p, "moderate_harm_rising")) == {"A"}


def test_reporting_fall_and_its_combination_with_rising_harm():
    p = empty_panel([unit("A"), unit("B"), unit("C")])
    beds(p, "A", "B", "C")
    p.incidents[0] = stepped(poisson(40, seed=6), 12)  # reporting falls only
    p.incidents[1] = stepped(poisson(40, seed=7), 22)  # falls while harm rises
    p.harmful[1] = stepped(poisson(3, seed=8), 14)
    p.incidents[2] = poisson(40, seed=9)
    p.harmful[0] = stepped(poisson(3, seed=10), 1)
    p.harmful[2] = poisson(3, seed=12)
    falls = hits(p, "reporting_fall")
    assert "A" in falls and "C" not in falls
    combined = hits(p, "reporting_fall_with_harm")
    assert set(combined) == {"B"}
    assert "under-reporting" in combined["B"].detail


def test_missing_events_while_activity_continues():
    p = empty_panel([unit("ED", type_="emergency_department"), unit("TINY")])
    for code in ("ED", "TINY"):
        set_measure(p, code, "ed_attendances", [5000] * N)
    p.events[0] = stepped(poisson(25, seed=13), 0, months=2)
    p.events[1] = stepped(poisson(1, seed=14), 0, months=2)
    found = hits(p, "missing_events")
    assert set(found) == {"ED"}
    assert "No events reported for 2 months" in found["ED"].detail
    # Without activity, silence is not "missing data".
    p.numerators["ed_attendances"][0, -2:] = np.nan
    assert hits(p, "missing_events") == {}


def test_missing_measure_not_submitted():
    p = empty_panel([unit("A"), unit("B")])
    for code in ("A", "B"):
        set_measure(p, code, "fft_negative", [5] * N, [100] * N)
        set_measure(p, code, "complaints", [3] * N)
    p.numerators["complaints"][0, -2:] = np.nan
    found = hits(p, "missing_measure")
    assert set(found) == {"A"} and "Complaints" in found["A"].detail


def test_experience_worsening_from_fft():
    p = empty_panel([unit("A"), unit("B")])
    for i, code in enumerate(("A", "B")):
        neg = poisson(9, seed=30 + i)
        if code == "A":
            neg[-1] = 40
        set_measure(p, code, "fft_negative", neg, [300] * N)
        set_measure(p, code, "fft_positive", 300 - neg - 15, [300] * N)
    found = hits(p, "experience_worsening")
    assert set(found) == {"A"} and "FFT answers negative" in found["A"].detail


def test_complaints_rising():
    p = empty_panel([unit("A"), unit("B")])
    set_measure(p, "A", "complaints", stepped(poisson(5, seed=40), 22))
    set_measure(p, "B", "complaints", poisson(5, seed=41))
    assert set(hits(p, "complaints_rising")) == {"A"}


def test_restrictive_practice_rising_and_diverging_from_reports():
    p = empty_panel(
        [unit("W1", type_="ld_autism_inpatient"), unit("W2", type_="ld_autism_inpatient")]
    )
    beds(p, "W1", "W2", value=365.0)
    base = poisson(11, seed=50)
    set_measure(p, "W1", "restraint_rate", stepped(base, 35, months=3), [365] * N)
    set_measure(p, "W2", "restraint_rate", base, [365] * N)
    set_measure(p, "W1", "restraint_events", stepped(poisson(8, seed=51), 1, months=3))
    set_measure(p, "W2", "restraint_events", poisson(8, seed=52))
    assert set(hits(p, "restrictive_practice_rising")) == {"W1"}
    diverging = hits(p, "restrictive_divergence")
    assert set(diverging) == {"W1"} and "did not fall" in diverging["W1"].detail


def test_staffing_pressure():
    p = empty_panel([unit("A"), unit("B")])
    set_measure(p, "A", "agency_staff_share", stepped(poisson(15, seed=60), 40), [100] * N)
    set_measure(
        p,
        "B",
        "agency_staff_share",
        np.full(N, 15.0) + np.tile([0.0, 1.0, -1.0], N // 3),
        [100] * N,
    )
    assert set(hits(p, "staffing_pressure")) == {"A"}


def test_candour_overdue_is_silent_without_a_record_of_notifications(monkeypatch):
    p = empty_panel([unit("A"), unit("B")])
    assert hits(p, "candour_overdue") == {}
    p.candour_overdue = {"A": (2, "2026-09-14")}
    found = hits(p, "candour_overdue")
    assert set(found) == {"A"} and "2 Duty of Candour" in found["A"].detail
    assert found["A"].since == MONTHS.index("2026-09")


def test_speakup_source_is_guarded_and_pluggable(monkeypatch):
    p = empty_panel([unit(c, kind="provider") for c in ("P1", "P2", "P3")])
    monkeypatch.setitem(sys.modules, "caresignals.speakup.queries", None)  # import fails
    assert sources.speakup_counts(p) is None
    assert hits(p, "speakup_change") == {}

    fake = types.ModuleType("caresignals.speakup.queries")
    # The speak-up module's shape: {(provider code, "YYYY-MM"): cases}.
    # P1 had 2 a month, then none for 4 months (Poisson: exp(-8), improbable); P3 had 1 a
    # month, then none for 4 (exp(-4) = 0.02: could be chance, so not a signal).
    counts = {("P1", m): 2 for m in MONTHS[:-4]} | {("P2", m): 2 for m in MONTHS}
    counts |= {("P3", m): 1 for m in MONTHS[:-4]}
    counts |= {("P2", LAST): 11, ("UNKNOWN", LAST): 5}
    fake.monthly_case_counts = lambda: counts  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "caresignals.speakup.queries", fake)
    p.speakup = sources.speakup_counts(p)
    assert p.speakup is not None and p.speakup[1, -1] == 11
    found = hits(p, "speakup_change")
    assert set(found) == {"P1", "P2"}
    assert "No speak-up cases for 4 months" in found["P1"].detail
    assert "speak-up cases" in found["P2"].detail
    # Rows of (code, month, cases) are read too.
    fake.monthly_case_counts = lambda: [("P1", LAST, 3)]  # type: ignore[attr-defined]
    rows = sources.speakup_counts(p)
    assert rows is not None and rows[0, -1] == 3 and rows.sum() == 3


def test_closed_culture_factors_with_evidence_and_questions_for_a_visit():
    codes = ("W1", "W2")
    p = empty_panel([unit(c, type_="ld_autism_inpatient", provider="IL") for c in codes])
    beds(p, *codes, value=365.0)
    base = poisson(11, seed=70)
    set_measure(p, "W1", "restraint_rate", stepped(base, 30, months=4), [365] * N)
    set_measure(p, "W2", "restraint_rate", base, [365] * N)
    set_measure(p, "W1", "agency_staff_share", [30] * N, [100] * N)
    set_measure(p, "W2", "agency_staff_share", [10] * N, [100] * N)
    set_measure(p, "W1", "supervision_compliance", [60] * N, [100] * N)
    set_measure(p, "W2", "supervision_compliance", [90] * N, [100] * N)
    p.far_from_home = {"W1": (0.9, 40), "W2": (0.95, 40)}
    found = hits(p, "closed_culture")
    assert set(found) == {"W1"}  # far from home is context: W2 has it and only that
    assert "restraint high or rising" in found["W1"].detail
    assert "people far from home: 90% of the 40 patients" in found["W1"].detail
    entries = engine.compute(p, LAST, CFG, FakeLinks())
    w1 = next(e for e in entries if e.code == "W1")
    present = [f.name for f in w1.closed_culture if f.present]
    assert present == [
        "Restraint high or rising",
        "High use of agency staff",
        "Little supervision",
        "People far from home",
    ]
    assert all(f.evidence for f in w1.closed_culture if f.present)
    assert any("families" in q for q in w1.visit_questions)


def test_fewer_positive_fft_answers_corroborate_but_never_fire_alone():
    p = empty_panel([unit("A"), unit("B")])
    for i, code in enumerate(("A", "B")):
        neg = poisson(9, seed=80 + i)
        pos = 300 - neg - 15
        if code == "A":
            neg[-1] = 40
        pos[-1] = 180  # both lose positive answers
        set_measure(p, code, "fft_negative", neg, [300] * N)
        set_measure(p, code, "fft_positive", pos, [300] * N)
    found = hits(p, "experience_worsening")
    assert set(found) == {"A"}
    assert "not positive" in found["A"].detail and len(found["A"].evidence) == 2


def test_reporting_fall_with_harm_share_judged_together_month_by_month():
    """Two months of a 40 % reporting fall with the harm share doubled: neither part alone is
    beyond its limits yet, together they are the named pattern; steady reporting with the same
    harm share, or a fall in reporting with the harm share as before, is not."""
    p = empty_panel([unit("A"), unit("B"), unit("C"), unit("D")])
    for i, seed in enumerate((31, 32, 33, 34)):
        p.incidents[i] = poisson(150, seed=seed)
        p.harmful[i] = np.random.default_rng(seed + 10).binomial(p.incidents[i].astype(int), 0.04)
    rng = np.random.default_rng(35)
    p.incidents[0, -2:] = [92, 88]
    p.harmful[0, -2:] = [7, 8]  # about 8 % of fewer reports
    p.incidents[2, -2:] = rng.poisson(90, 2)
    p.harmful[2, -2:] = [4, 3]  # reporting fell, harm share as before
    found = hits(p, "reporting_fall_with_harm")
    assert set(found) == {"A"}
    a = found["A"]
    assert "taken together over the last 2 months" in a.detail
    assert "harmful against" in a.detail
    assert a.since == N - 2
    assert a.strength >= 1.2  # listed on its own (weight 1.5, list at 1.8)
    assert hits(p, "harm_special_cause") == {} and hits(p, "moderate_harm_rising") == {}


def test_the_joint_rule_reads_a_month_early_in_the_panel_without_judging_it():
    """A month whose recent window starts before the panel's first month (a command or page
    asking for an early month) has no baseline: nothing is judged and nothing breaks."""
    p = empty_panel([unit("A"), unit("B")])
    for i, seed in enumerate((41, 42)):
        p.incidents[i] = poisson(150, seed=seed)
        p.harmful[i] = np.random.default_rng(seed + 10).binomial(p.incidents[i].astype(int), 0.04)
    for t in range(3):
        assert hits(p, "reporting_fall_with_harm", period=MONTHS[t]) == {}
