"""The reviewed configuration loads, and a wrong edit is refused with a clear message."""

from __future__ import annotations

import copy
import tomllib

import pytest

from caresignals.signals.watchlist import config
from caresignals.signals.watchlist.rules import KINDS

RAW = tomllib.loads(config.PATH.read_text(encoding="utf-8"))


def parse(raw):
    return config.parse(raw, frozenset(KINDS))


def test_the_reviewed_file_loads_with_a_weight_for_every_rule():
    cfg = config.load()
    assert set(cfg.weights) == set(KINDS)
    assert 0 < cfg.levels["low"] <= cfg.levels["medium"] <= cfg.levels["high"]
    assert cfg.level_for(cfg.levels["high"]) == "high"
    assert cfg.level_for(cfg.levels["medium"]) == "medium"
    assert cfg.level_for(cfg.levels["low"]) == "low"
    assert cfg.level_for(cfg.levels["low"] - 0.01) is None


def edited(section, key, value):
    raw = copy.deepcopy(RAW)
    if value is None:
        del raw[section][key]
    else:
        raw[section][key] = value
    return raw


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("levels", "low", 5.0, "low <= medium <= high"),
        ("levels", "high", "high", "must be a number"),
        ("spc", "run_length", 6.5, "whole number"),
        ("spc", "run_length", 2, "between 5 and 12"),
        ("rare", "p_value", 1.5, "between 0 and 1"),
        ("rare", "min_events", None, "min_events is missing"),
        ("rare", "surprise", 1, "unknown key"),
        ("weights", "no_such_rule", 1.0, "unknown rule"),
        ("weights", "closed_culture", None, "no weight for: closed_culture"),
        ("weights", "missing_events", True, "must be a number"),
        ("missing", "activity_indicators", "births", "list of names"),
        ("spc", "history_months", 15, "must not exceed history_months"),
    ],
)
def test_wrong_values_are_refused(section, key, value, message):
    with pytest.raises(config.ConfigError, match=message):
        parse(edited(section, key, value))


def test_missing_and_unknown_sections_are_refused():
    raw = copy.deepcopy(RAW)
    del raw["funnel"]
    with pytest.raises(config.ConfigError, match=r"\[funnel\] is missing"):
        parse(raw)
    raw = copy.deepcopy(RAW)
    raw["extra"] = {}
    with pytest.raises(config.ConfigError, match="unknown section"):
        parse(raw)


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("[levels\nlow = 1", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="not valid TOML"):
        config.load(bad)
