"""The 5 × 5 risk matrix used by NHS risk registers.

Score = consequence × likelihood, each rated 1 to 5, as in the National Patient Safety
Agency's "A risk matrix for risk managers" (2008), which most NHS organisations still use.
Its rating bands: 1–3 low, 4–6 moderate, 8–12 high, 15–25 extreme. No product of two
numbers from 1 to 5 is 7, 11, 13 or 14, so the bands leave no gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

CONSEQUENCE = {
    1: "Negligible",
    2: "Minor",
    3: "Moderate",
    4: "Major",
    5: "Catastrophic",
}
LIKELIHOOD = {
    1: "Rare",
    2: "Unlikely",
    3: "Possible",
    4: "Likely",
    5: "Almost certain",
}

# (lowest score in the band, band code, label), highest first.
BANDS = (
    (15, "extreme", "Extreme"),
    (8, "high", "High"),
    (4, "moderate", "Moderate"),
    (1, "low", "Low"),
)


@dataclass(frozen=True)
class Rating:
    consequence: int
    likelihood: int

    @property
    def score(self) -> int:
        return score(self.consequence, self.likelihood)

    @property
    def band(self) -> str:
        return band(self.score)

    @property
    def band_label(self) -> str:
        return band_label(self.score)

    @property
    def text(self) -> str:
        """'16, extreme (major consequence, likely)': readable without the matrix."""
        return (
            f"{self.score}, {self.band_label.lower()} "
            f"({CONSEQUENCE[self.consequence].lower()} consequence, "
            f"{LIKELIHOOD[self.likelihood].lower()})"
        )


def _check(value: int, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValueError(f"{what} must be a whole number from 1 to 5, not {value!r}")


def score(consequence: int, likelihood: int) -> int:
    _check(consequence, "consequence")
    _check(likelihood, "likelihood")
    return consequence * likelihood


def band(value: int) -> str:
    """The band code of a score: low, moderate, high or extreme."""
    if not 1 <= value <= 25:
        raise ValueError(f"a 5 × 5 score is from 1 to 25, not {value}")
    return next(code for lowest, code, _ in BANDS if value >= lowest)


def band_label(value: int) -> str:
    code = band(value)
    return next(label for _, c, label in BANDS if c == code)
