"""The signal engine's reviewed settings (config.toml), loaded and checked once.

Weights, thresholds, minimum counts and level cut-offs live in the TOML file next to this
module so that a change to who appears on the watchlist is a reviewed change to a data file,
not an edit buried in code. Loading checks every section and value and names the one that is
wrong, so a bad edit fails the test suite and the server start rather than skewing the list.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("config.toml")


class ConfigError(ValueError):
    """The configuration file is wrong; the message says where."""


@dataclass(frozen=True)
class Config:
    levels: dict[str, float]
    scoring: dict[str, Any]
    spc: dict[str, float]
    rare: dict[str, float]
    funnel: dict[str, float]
    reporting: dict[str, float]
    missing: dict[str, Any]
    divergence: dict[str, float]
    candour: dict[str, float]
    speakup: dict[str, float]
    closed_culture: dict[str, Any]
    intelligence: dict[str, float]
    families: dict[str, float]
    weights: dict[str, float]

    def weight(self, kind: str) -> float:
        return self.weights[kind]

    def level_for(self, score: float) -> str | None:
        """ "high", "medium", "low", or None when the score does not reach the list."""
        for name in ("high", "medium", "low"):
            if score >= self.levels[name]:
                return name
        return None


# section -> {key: (kind, minimum, maximum)}; kinds: "num", "int", "prob", "list"
_SCHEMA: dict[str, dict[str, tuple[str, float, float]]] = {
    "levels": {"low": ("num", 0, 1e6), "medium": ("num", 0, 1e6), "high": ("num", 0, 1e6)},
    "scoring": {
        "related_factor": ("num", 0, 1),
        "harm_family": ("list", 0, 0),
        "since_lookback_months": ("int", 0, 24),
    },
    "spc": {
        "run_length": ("int", 5, 12),
        "history_months": ("int", 12, 120),
        "min_baseline_months": ("int", 6, 60),
        "recent_months": ("int", 1, 24),
        "shift_p_value": ("prob", 0, 1),
        "sustained_p_value": ("prob", 0, 1),
        "dispersion_peer_pairs": ("num", 0, 1000),
        "min_mean_count": ("num", 0, 1000),
    },
    "rare": {
        "window_months": ("int", 1, 12),
        "p_value": ("prob", 0, 1),
        "min_events": ("int", 1, 1000),
    },
    "funnel": {
        "window_months": ("int", 1, 36),
        "min_peers": ("int", 3, 1000),
        "limit": ("int", 95, 99),
    },
    "reporting": {
        "min_mean_events": ("num", 0, 1e6),
        "min_fall_with_harm": ("prob", 0, 1),
        "joint_fall_ratio": ("prob", 0, 1),
        "joint_harm_odds_ratio": ("num", 1, 100),
        "joint_threshold": ("num", 0, 1000),
        "joint_min_harmful": ("num", 0, 1e6),
    },
    "missing": {
        "activity_indicators": ("list", 0, 0),
        "months_silent": ("int", 1, 12),
        "min_mean_events": ("num", 0, 1e6),
        "months_missing": ("int", 1, 12),
        "min_months_before": ("int", 1, 12),
    },
    "divergence": {
        "window_months": ("int", 1, 12),
        "min_ratio_fall": ("prob", 0, 1),
        "min_baseline_events": ("num", 0, 1e6),
    },
    "candour": {"min_overdue": ("int", 1, 1000)},
    "speakup": {
        "silent_months": ("int", 1, 24),
        "min_mean_cases": ("num", 0, 1e6),
        "p_value": ("prob", 0, 1),
    },
    "closed_culture": {
        "service_types": ("list", 0, 0),
        "agency_high": ("num", 0, 100),
        "supervision_low": ("num", 0, 100),
        "far_from_home_share": ("prob", 0, 1),
        "far_from_home_min_events": ("int", 1, 10000),
        "min_factors": ("int", 1, 20),
    },
    "intelligence": {"window_months": ("int", 1, 24)},
    "families": {
        "harm_p_value": ("prob", 0, 1),
        "harm_sustained_p_value": ("prob", 0, 1),
        "harm_share_p_value": ("prob", 0, 1),
        "harm_share_sustained_p_value": ("prob", 0, 1),
        "fft_p_value": ("prob", 0, 1),
        "restrictive_p_value": ("prob", 0, 1),
        "restrictive_sustained_p_value": ("prob", 0, 1),
    },
}


def parse(raw: dict[str, Any], known_kinds: frozenset[str]) -> Config:
    """Check a parsed TOML document and build the Config; ConfigError says what is wrong."""
    extra = set(raw) - set(_SCHEMA) - {"weights"}
    if extra:
        raise ConfigError(f"unknown section(s): {', '.join(sorted(extra))}")
    sections: dict[str, dict[str, Any]] = {}
    for name, keys in _SCHEMA.items():
        given = raw.get(name)
        if not isinstance(given, dict):
            raise ConfigError(f"[{name}] is missing")
        unknown = set(given) - set(keys)
        if unknown:
            raise ConfigError(f"[{name}] has unknown key(s): {', '.join(sorted(unknown))}")
        out: dict[str, Any] = {}
        for key, (kind, low, high) in keys.items():
            if key not in given:
                raise ConfigError(f"[{name}] {key} is missing")
            out[key] = _check(f"[{name}] {key}", given[key], kind, low, high)
        sections[name] = out
    levels = sections["levels"]
    if not 0 < levels["low"] <= levels["medium"] <= levels["high"]:
        raise ConfigError("[levels] must satisfy 0 < low <= medium <= high")
    spc_cfg = sections["spc"]
    if spc_cfg["min_baseline_months"] + spc_cfg["recent_months"] > spc_cfg["history_months"]:
        raise ConfigError(
            "[spc] min_baseline_months + recent_months must not exceed history_months"
        )
    if sections["rare"]["window_months"] > spc_cfg["recent_months"]:
        raise ConfigError("[rare] window_months must not exceed [spc] recent_months")
    weights = raw.get("weights")
    if not isinstance(weights, dict):
        raise ConfigError("[weights] is missing")
    unknown = set(weights) - known_kinds
    if unknown:
        raise ConfigError(f"[weights] names unknown rule(s): {', '.join(sorted(unknown))}")
    missing = known_kinds - set(weights)
    if missing:
        raise ConfigError(f"[weights] has no weight for: {', '.join(sorted(missing))}")
    checked = {k: _check(f"[weights] {k}", v, "num", 0, 100) for k, v in weights.items()}
    unknown = set(sections["scoring"]["harm_family"]) - known_kinds
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ConfigError(f"[scoring] harm_family names unknown rule(s): {names}")
    return Config(weights=checked, **sections)


def _check(where: str, value: Any, kind: str, low: float, high: float) -> Any:
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{where} must be a list of names")
        return tuple(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} must be a number, got {value!r}")
    if kind == "int" and not float(value).is_integer():
        raise ConfigError(f"{where} must be a whole number, got {value!r}")
    if kind == "prob" and not 0 < value < 1:
        raise ConfigError(f"{where} must be between 0 and 1, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{where} must be between {low:g} and {high:g}, got {value!r}")
    return int(value) if kind == "int" else float(value)


def load(path: Path = PATH) -> Config:
    from caresignals.signals.watchlist.rules import KINDS

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path.name} is not valid TOML: {e}") from None
    return parse(raw, frozenset(KINDS))


@lru_cache(maxsize=1)
def default() -> Config:
    """The reviewed configuration, read once per process."""
    return load()
