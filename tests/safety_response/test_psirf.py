"""The plan's rules (first match wins), national requirements over any plan, and the
vectorised form agreeing with the scalar one."""

from __future__ import annotations

import itertools

import pytest

from caresignals.safety.events import rules
from caresignals.safety.responses import psirf
from caresignals.safety.responses.psirf import PlanRule

PLAN = [
    PlanRule("psii", category="medication", min_harm="severe"),
    PlanRule("aar", category="medication"),
    PlanRule("swarm", service_area="maternity"),
    PlanRule("mdt", service_id=7),
    PlanRule("thematic", min_harm="moderate"),
]


def _one(plan, category="falls", harm="low", area="acute", service=None):
    return psirf.plan_response(
        plan, category=category, max_harm=harm, service_area=area, service_id=service
    )


@pytest.mark.parametrize(
    ("category", "harm", "area", "service", "expected"),
    [
        ("medication", "fatal", "acute", None, ("psii", 0)),
        ("medication", "moderate", "maternity", None, ("aar", 1)),  # rule 2 before rule 3
        ("falls", "severe", "maternity", 7, ("swarm", 2)),
        ("falls", "none", "acute", 7, ("mdt", 3)),
        ("falls", "moderate", "acute", None, ("thematic", 4)),
        ("falls", "low", "acute", None, (None, None)),  # left to triage
        ("falls", "", "acute", None, (None, None)),  # no harm graded: no harm threshold met
    ],
)
def test_first_matching_rule_wins(category, harm, area, service, expected):
    assert _one(PLAN, category, harm, area, service) == expected


def test_reordering_changes_the_answer():
    catch_all = PlanRule("none")
    assert _one([catch_all, *PLAN], "medication", "fatal")[0] == "none"
    assert _one([*PLAN, catch_all], "medication", "fatal")[0] == "psii"


def test_many_agrees_with_one_across_providers():
    categories = ["medication", "falls"]
    harms = ["", "none", "low", "moderate", "severe", "fatal"]
    areas = ["acute", "maternity"]
    services = [None, 7, 8]
    orgs = [1, 2, 3]
    plans = {1: PLAN, 2: [PlanRule("none", category="falls")]}  # 3 has no plan
    cases = list(itertools.product(orgs, categories, harms, areas, services))
    many = psirf.plan_response_many(
        plans,
        organisation_ids=[c[0] for c in cases],
        categories=[c[1] for c in cases],
        max_harms=[c[2] for c in cases],
        service_areas=[c[3] for c in cases],
        service_ids=[c[4] for c in cases],
    )
    for case, got in zip(cases, many, strict=True):
        org, cat, harm, area, service = case
        assert got == _one(plans.get(org, []), cat, harm, area, service)[0], case
    assert (
        psirf.plan_response_many(
            plans,
            organisation_ids=[],
            categories=[],
            max_harms=[],
            service_areas=[],
            service_ids=[],
        )
        == []
    )


# Every national requirement that decides the response, with the event fields that trigger it.
NATIONAL = {
    rules.NEVER_EVENT_PSII: ("retained_foreign_object", False, False, "unknown"),
    rules.MHA_MCA_DEATH_PSII: ("", True, True, "true"),
    rules.DEATH_DUE_TO_CARE_PSII: ("", True, True, "unknown"),
}


@pytest.mark.parametrize("requirement", rules.NATIONAL_REQUIREMENTS)
@pytest.mark.parametrize("plan_says", [*rules.PLAN_RESPONSES, None])
def test_every_national_requirement_overrides_every_plan_answer(requirement, plan_says):
    fields = NATIONAL[requirement]
    assert rules.national_requirement(*fields) == requirement
    assert rules.psirf_response(requirement, plan_says) == "psii"
    many = rules.psirf_response_many([requirement], [plan_says]).to_pylist()
    assert many == ["psii"]


def test_plan_decides_only_without_a_requirement():
    assert rules.psirf_response(None, "swarm") == "swarm"
    assert rules.psirf_response(None, None) == "undecided"


def test_national_requirement_rows_cover_every_derived_code():
    codes = {row.code for row in psirf.NATIONAL_REQUIREMENT_ROWS}
    assert set(rules.NATIONAL_REQUIREMENTS) <= codes
    assert set(rules.REFERRALS) <= codes
