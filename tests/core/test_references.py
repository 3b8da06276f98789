"""Short references read aloud on the phone, and references typed by people (ADR 23)."""

from __future__ import annotations

import pytest

from caresignals.core.references import (
    SHORT_ALPHABET,
    display_reference,
    is_short_reference,
    new_short_reference,
    normalise_reference,
    references_in,
)

LONG = "PSE-CYX6CAAAB4K7QZ23"


def test_short_references_avoid_characters_read_alike():
    assert not set("0O1IL") & set(SHORT_ALPHABET) and len(SHORT_ALPHABET) == 31
    made = {new_short_reference() for _ in range(2000)}
    assert len(made) == 2000  # 31⁹ possibilities: no repeats in a few thousand
    assert all(is_short_reference(r) and len(r) == 9 for r in made)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("K7P 4QX 92M", "K7P4QX92M"),
        ("  k7p4qx92m ", "K7P4QX92M"),
        ("k7p-4qx-92m", "K7P4QX92M"),
        (LONG.lower(), LONG),
        (f" {LONG} ", LONG),
        ("not a reference", "NOTAREFERENCE"),
        (None, ""),
    ],
)
def test_a_typed_reference_is_read_with_or_without_spaces_and_case(typed, stored):
    assert normalise_reference(typed) == stored


def test_short_references_are_shown_in_three_groups_of_three():
    assert display_reference("K7P4QX92M") == "K7P 4QX 92M"
    assert display_reference(LONG) == LONG


def test_a_typed_list_of_references_old_and_new():
    found, leftover = references_in(f"k7p 4qx 92m, {LONG.lower()}\nM3N4PQ7RT K7P4QX92M")
    assert found == ["K7P4QX92M", LONG, "M3N4PQ7RT"] and leftover == ""
    two = references_in("K7P 4QX 92M M3N 4PQ 7RT")
    assert two == (["K7P4QX92M", "M3N4PQ7RT"], "")
    assert references_in("K7P 4QX, hello")[1] == "K7P 4QX HELLO"
