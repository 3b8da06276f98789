"""Access codes: long enough that guessing is infeasible, stored only as a keyed, salted hash,
and guessing is throttled per reference and per client."""

from __future__ import annotations

import math
import re

import pytest

from caresignals.speakup import codes
from caresignals.speakup.models import SpeakUpCase
from tests.speakup.factories import raise_case

SHAPE = re.compile(r"^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$")


def test_a_code_carries_at_least_128_random_bits():
    code = codes.new_access_code()
    assert SHAPE.match(code), code
    symbols = len(codes.normalise_code(code))
    assert symbols * math.log2(len(codes.ALPHABET)) >= 128
    assert len(set(codes.ALPHABET)) == 32
    many = {codes.new_access_code() for _ in range(2000)}
    assert len(many) == 2000
    # Every symbol of the alphabet turns up in every position: no fixed or biased characters.
    for position in range(symbols):
        assert {codes.normalise_code(c)[position] for c in many} == set(codes.ALPHABET)


def test_codes_read_aloud_forgivingly():
    code = codes.new_access_code()
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert codes.normalise_code(typed) == codes.normalise_code(code)


def test_the_hash_is_salted_keyed_and_checks_in_constant_time():
    code = codes.new_access_code()
    one, two = codes.hash_code(code), codes.hash_code(code)
    assert one != two  # salted
    assert one.startswith("hmac-sha256$") and code not in one
    assert codes.code_matches(code, one) and codes.code_matches(code.lower(), two)
    assert not codes.code_matches(codes.new_access_code(), one)
    assert not codes.code_matches(code, "pbkdf2$x$y") and not codes.code_matches(code, "junk")


@pytest.mark.django_db
def test_only_the_hash_is_stored(small_ics):
    case, code = raise_case(small_ics.trust_a)
    stored = SpeakUpCase.objects.filter(pk=case.pk).values().get()
    for value in stored.values():
        assert codes.normalise_code(code) not in codes.normalise_code(str(value))
    assert codes.code_matches(code, stored["access_code_hash"])


def test_references_are_random_and_well_formed():
    refs = {codes.new_reference() for _ in range(500)}
    assert len(refs) == 500
    assert all(codes.REFERENCE_PATTERN.match(r) for r in refs)
    assert codes.normalise_reference(" ftsu-abcd efgh ") == "FTSU-ABCDEFGH"
    assert codes.normalise_reference("abcdefgh") == "FTSU-ABCDEFGH"
