"""The 5 × 5 risk matrix: scores and the NHS rating bands."""

from __future__ import annotations

import pytest

from caresignals.signals.watchlist import scoring


@pytest.mark.parametrize(
    ("consequence", "likelihood", "score", "band"),
    [
        (1, 1, 1, "low"),
        (1, 3, 3, "low"),
        (2, 2, 4, "moderate"),
        (2, 3, 6, "moderate"),
        (2, 4, 8, "high"),
        (3, 3, 9, "high"),
        (3, 4, 12, "high"),
        (3, 5, 15, "extreme"),
        (4, 4, 16, "extreme"),
        (5, 5, 25, "extreme"),
    ],
)
def test_score_and_band(consequence, likelihood, score, band):
    rating = scoring.Rating(consequence, likelihood)
    assert rating.score == score
    assert rating.band == band


def test_every_possible_score_has_a_band_and_the_bands_match_the_npsa_matrix():
    scores = {c * l for c in range(1, 6) for l in range(1, 6)}  # noqa: E741
    assert scores.isdisjoint({7, 11, 13, 14})  # why the bands can skip them
    by_band: dict[str, set[int]] = {}
    for s in scores:
        by_band.setdefault(scoring.band(s), set()).add(s)
    assert by_band == {
        "low": {1, 2, 3},
        "moderate": {4, 5, 6},
        "high": {8, 9, 10, 12},
        "extreme": {15, 16, 20, 25},
    }


def test_rating_reads_as_a_sentence():
    assert scoring.Rating(4, 4).text == "16, extreme (major consequence, likely)"
    assert scoring.band_label(3) == "Low"


@pytest.mark.parametrize(("c", "l"), [(0, 3), (6, 1), (3, 0), (2, 7), (True, 2)])
def test_ratings_outside_1_to_5_are_refused(c, l):  # noqa: E741
    with pytest.raises(ValueError, match="from 1 to 5"):
        scoring.score(c, l)


@pytest.mark.parametrize("value", [0, 26, -1])
def test_scores_outside_1_to_25_have_no_band(value):
    with pytest.raises(ValueError, match="from 1 to 25"):
        scoring.band(value)
