"""The ranking: scores add up across signals, levels follow the cut-offs, providers do not
repeat what their services show, and weak single findings stay off the list."""

from __future__ import annotations

import copy
import tomllib

import numpy as np

from caresignals.signals.watchlist import config, engine
from caresignals.signals.watchlist.rules import KINDS
from tests.signals.panel_factories import MONTHS, FakeLinks, empty_panel, poisson, set_measure, unit

N = len(MONTHS)
LAST = MONTHS[-1]


def region():
    units = [
        unit("P1", kind="provider", type_="acute_trust", provider="P1"),
        unit("P1-MAT", type_="maternity", provider="P1"),
        unit("P1-MED", type_="adult_inpatient", provider="P1"),
        unit("P2", kind="provider", type_="acute_trust", provider="P2"),
        unit("P2-MED", type_="adult_inpatient", provider="P2"),
    ]
    p = empty_panel(units)
    for code in ("P1-MAT", "P1-MED", "P2-MED"):
        set_measure(p, code, "occupied_bed_days", [700] * N)
    set_measure(p, "P1", "occupied_bed_days", [1400] * N)
    set_measure(p, "P2", "occupied_bed_days", [700] * N)
    rng = np.random.default_rng(3)
    for code in ("P1-MAT", "P1-MED", "P2-MED"):
        i = p.index(code)
        p.harmful[i] = rng.poisson(3, N)
        p.incidents[i] = p.harmful[i] + rng.poisson(40, N)
    mat = p.index("P1-MAT")
    p.harmful[mat, -1] = 16  # harm jumps ...
    p.incidents[mat, -1] = 16 + 8  # ... while reporting falls
    med = p.index("P2-MED")
    neg = poisson(9, seed=31)
    neg[-1] = 40
    set_measure(p, "P2-MED", "fft_negative", neg, [300] * N)
    # Providers: the sum of their services.
    for prov, services in (("P1", ("P1-MAT", "P1-MED")), ("P2", ("P2-MED",))):
        i = p.index(prov)
        rows = [p.index(s) for s in services]
        p.harmful[i] = p.harmful[rows].sum(axis=0)
        p.incidents[i] = p.incidents[rows].sum(axis=0)
    p.events[:] = p.incidents
    return p, med


def test_entries_rank_by_score_and_explain_themselves():
    p, _ = region()
    entries = engine.compute(p, LAST, config.default(), FakeLinks())
    codes = [e.code for e in entries]
    assert codes[0] == "P1-MAT"
    top = entries[0]
    assert top.level == "high" and top.service_code == "P1-MAT" and top.org_code == "P1"
    kinds = {s.kind for s in top.signals}
    assert {"harm_special_cause", "moderate_harm_rising", "reporting_fall_with_harm"} <= kinds
    harm = [
        s.strength for s in top.signals if s.kind in {"harm_special_cause", "moderate_harm_rising"}
    ]
    rest = [
        s.strength
        for s in top.signals
        if s.kind not in {"harm_special_cause", "moderate_harm_rising"}
    ]
    assert abs(top.score - (max(harm) + 0.5 * (sum(harm) - max(harm)) + sum(rest))) < 1e-9
    assert [s.strength for s in top.signals] == sorted(
        (s.strength for s in top.signals), reverse=True
    )
    assert all(s.since == LAST and s.detail and s.evidence for s in top.signals)
    assert [e.score for e in entries] == sorted((e.score for e in entries), reverse=True)
    # The provider's own series show the maternity jump too; it is listed once, where it is.
    assert "P1" not in codes
    assert "P2-MED" in codes


def test_json_shape_is_the_contract():
    p, _ = region()
    entry = engine.compute(p, LAST, config.default(), FakeLinks())[0].as_json()
    assert {"org_code", "service_code", "level", "score", "signals"} <= set(entry)
    assert {"kind", "detail", "since"} <= set(entry["signals"][0])
    assert isinstance(entry["score"], float)


def test_weights_and_cut_offs_come_from_the_configuration():
    p, _ = region()
    raw = tomllib.loads(config.PATH.read_text(encoding="utf-8"))
    quiet = copy.deepcopy(raw)
    quiet["levels"].update(low=50.0, medium=60.0, high=70.0)
    cfg = config.parse(quiet, frozenset(KINDS))
    assert engine.compute(p, LAST, cfg, FakeLinks()) == []
    heavy = copy.deepcopy(raw)
    heavy["weights"]["experience_worsening"] = 20.0
    cfg = config.parse(heavy, frozenset(KINDS))
    assert engine.compute(p, LAST, cfg, FakeLinks())[0].code == "P2-MED"


def test_a_quiet_month_lists_nobody():
    p, _ = region()
    entries = engine.compute(p, MONTHS[-2], config.default(), FakeLinks())
    assert entries == []
