"""A report that cannot say which service area (a family's, through the public form or the
public API) is stored as "Don't know", which fits every provider and service."""

from caresignals.safety.events.areas import area_problem


def test_dont_know_fits_a_care_home_that_takes_no_other_general_area():
    assert area_problem("unknown", "care_home", None) is None
    assert area_problem("unknown", "care_home", "care_home") is None
    assert area_problem("acute", "care_home", "care_home") is not None
