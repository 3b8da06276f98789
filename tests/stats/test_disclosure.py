"""Disclosure control: 0 stays 0, 1–7 hidden, the rest rounded to 5, and no hidden cell can be
recovered from the totals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from caresignals.stats.disclosure import control_count, control_counts, control_table


def test_each_count_on_its_own():
    shown = control_counts([0, 1, 7, 8, 12, 13, 102, 103])
    assert np.isnan(shown[1]) and np.isnan(shown[2])
    assert list(shown[[0, 3, 4, 5, 6, 7]]) == [0, 10, 10, 15, 100, 105]


def test_the_threshold_and_base_are_settings():
    shown = control_counts([3, 5, 6, 11], threshold=5, base=10)
    assert np.isnan(shown[0]) and list(shown[1:]) == [10, 10, 10]
    assert list(control_counts([1, 2], threshold=1, base=1)) == [1, 2]


@pytest.mark.parametrize("bad", [[-1], [1.5], [np.nan], [np.inf]])
def test_bad_counts_are_refused(bad):
    with pytest.raises(ValueError, match="counts"):
        control_counts(bad)


def test_bad_rules_are_refused():
    with pytest.raises(ValueError, match="threshold"):
        control_counts([1], threshold=0)
    with pytest.raises(ValueError, match="base"):
        control_counts([1], base=0)
    with pytest.raises(ValueError, match="2-dimensional"):
        control_table([1, 2, 3])


def test_a_lone_hidden_cell_takes_a_second_with_it():
    # Row totals shown: 3 could be recovered as 103 - 100 without the secondary suppression.
    result = control_table([[3, 100, 40], [20, 30, 40]], protect_columns=False)
    assert result.primary.tolist() == [[True, False, False], [False, False, False]]
    assert result.suppressed.tolist() == [[True, False, True], [False, False, False]]
    assert np.isnan(result.values[0, 2]) and result.values[0, 1] == 100
    assert list(result.row_totals) == [145, 90]


def test_columns_are_protected_too_and_the_rule_repeats_until_stable():
    table = np.array([[3, 50, 60], [40, 20, 70], [30, 45, 90]])
    result = control_table(table)
    for line in (*result.suppressed, *result.suppressed.T):
        assert line.sum() != 1  # no row or column with a lone hidden cell
    assert result.suppressed[0, 0]


def test_totals_come_from_the_true_counts_and_are_controlled():
    result = control_table([[3, 0], [2, 0]])
    assert np.isnan(result.row_totals).all()  # 3 and 2
    assert result.column_totals[1] == 0 and np.isnan(result.column_totals[0])  # 5
    assert np.isnan(result.total)
    big = control_table([[12, 9], [0, 0]])
    assert big.total == 20 and list(big.row_totals) == [20, 0]


def test_zeros_are_shown_and_never_used_to_protect():
    result = control_table([[4, 0, 0]], protect_columns=False)
    assert result.values[0, 1] == 0 and result.values[0, 2] == 0
    assert np.isnan(result.row_totals[0])  # the total would give the 4 away: it is hidden too


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.integers(0, 60))
)
def test_no_protected_line_ever_has_a_lone_hidden_cell_unless_its_total_is_hidden(table):
    result = control_table(table)
    x = table.astype(float)
    for axis, totals in ((1, result.row_totals), (0, result.column_totals)):
        hidden = result.suppressed.sum(axis=axis)
        for i in np.flatnonzero(hidden == 1):
            # A lone hidden cell may remain only when nothing else in its line is non-zero:
            # then the total equals the cell, so a small cell's total is hidden too (a
            # protecting cell's total shows only its own rounded value).
            line = x[i] if axis == 1 else x[:, i]
            mask = result.suppressed[i] if axis == 1 else result.suppressed[:, i]
            primary = result.primary[i] if axis == 1 else result.primary[:, i]
            assert (line[~mask] == 0).all()
            assert np.isnan(totals[i]) or not primary[mask].any()
    shown = ~result.suppressed
    assert (result.values[shown] % 5 == 0).all()
    assert not ((x >= 1) & (x < 8) & shown).any()


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, None), (7, None), (8, 10), (12, 10), (13, 15), (1234, 1235), (7.6, 10)],
)
def test_one_count_is_suppressed_or_rounded(count, shown):
    assert control_count(count) == shown


def test_one_count_agrees_with_the_array_rule():
    counts = np.arange(0, 60)
    many = control_counts(counts, threshold=6)
    one = [control_count(int(c), threshold=6) for c in counts]
    assert [None if np.isnan(x) else int(x) for x in many] == one
