"""The demo's trusts have synthetic PALS contact details; GP practices and care homes none."""

from __future__ import annotations

import re

from caresignals.demo import starter


def test_demo_pals_details_are_synthetic_and_only_for_some_providers():
    rows = [r for r in starter.organisation_rows(7) if r.kind == "provider"]
    with_pals = [r for r in rows if r.pals_phone]
    assert {r.type for r in with_pals} == {p.type for p in starter.PROVIDERS}
    for r in with_pals:
        # Ofcom's range for drama (0191 498 0000-0999) and addresses under example.org only.
        assert re.fullmatch(r"0191 498 0\d{3}", r.pals_phone), r.pals_phone
        assert r.pals_email.endswith("@example.org")
        assert re.fullmatch(r"https://[a-z0-9-]+\.example\.org/pals", r.pals_web), r.pals_web
    assert len({r.pals_phone for r in with_pals}) == len(with_pals)
    assert all(not r.pals_phone for r in rows if r.type in ("gp_practice", "care_home"))
