"""The shared learning library for the synthetic region: a handful of approved summaries
written from the trusts' completed learning responses, and a few reuses by other trusts.

Written through the library's own services (de-identified by its rules); small and quick.
"""

from __future__ import annotations

from caresignals.audit.services import Actor
from caresignals.core.vocabulary import Category
from caresignals.learning import services
from caresignals.learning.models import LearningReuse, LearningSummary
from caresignals.learning.vocabulary import Outcome
from caresignals.organisations.models import Membership
from caresignals.organisations.roles import Role
from caresignals.safety.models import LearningResponse

PER_TRUST = 2
MOST = 10
OUTCOMES = (Outcome.IMPROVED, Outcome.TOO_EARLY, Outcome.IMPROVED, Outcome.NO_CHANGE)


def build(*, actor: Actor) -> int:
    """Summaries for up to PER_TRUST completed responses a trust (MOST in all), approved;
    each of the first few reused by the next trust along. Returns how many were written."""
    labels = dict(Category.choices)
    responses = (
        LearningResponse.objects.filter(status="completed")
        .exclude(kind="thematic")
        .select_related("organisation")
        .order_by("organisation__code", "id")
    )
    per_trust: dict[int, int] = {}
    written: list[LearningSummary] = []
    for response in responses:
        if len(written) >= MOST or per_trust.get(response.organisation_id, 0) >= PER_TRUST:
            continue
        per_trust[response.organisation_id] = per_trust.get(response.organisation_id, 0) + 1
        source = services.prefill(response)
        event = response.events.first()
        category = labels.get(event.category, "Patient-safety") if event else "Patient-safety"
        source["what_happened"] = (
            f"{category} event. {response.title}. {event.description if event else ''} "
            f"{response.summary}"
        ).strip()
        outcome = OUTCOMES[len(written) % len(OUTCOMES)]
        summary = services.write_summary(response, source, outcome, written_by=None, actor=actor)
        lead = (
            Membership.objects.filter(
                organisation=response.organisation, role=Role.PATIENT_SAFETY_LEAD
            )
            .select_related("user")
            .first()
        )
        services.record_approval(
            summary,
            approved_by=lead.user if lead else None,
            name=lead.user.display_name
            if lead
            else f"Patient-safety lead, {response.organisation.name}",
            actor=actor,
            version=summary.version,
        )
        written.append(summary)
    trusts = sorted({s.organisation for s in written}, key=lambda o: o.code)
    for summary in written[: len(trusts)]:
        other = trusts[(trusts.index(summary.organisation) + 1) % len(trusts)]
        if other != summary.organisation:
            LearningReuse.objects.get_or_create(
                summary=summary,
                organisation=other,
                defaults={"how": "Shared at our patient-safety huddle and added to induction."},
            )
    return len(written)
