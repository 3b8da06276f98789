"""Reads for learning from deaths, always inside the reader's scope: a provider's
patient-safety team sees its own deaths and the ICB quality team sees every provider's
(organisations/scoping.py). Anything outside is not found, never forbidden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from caresignals.mortality.models import Death, StructuredJudgementReview
from caresignals.mortality.vocabulary import (
    POOR_CARE,
    SCORES,
    Criterion,
    Phase,
    ReviewStatus,
    Screening,
)
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import Scope, scope_for
from caresignals.safety.models import PatientSafetyEvent
from caresignals.safety.vocabulary import EthnicGroup, MaxHarm, TriState
from caresignals.stats.disclosure import control_count, control_table

# Reviewing deaths is the patient-safety team's work; the ICB quality team reads them.
VIEW = Capability.VIEW_SAFETY_RESPONSES
MANAGE = Capability.MANAGE_SAFETY_RESPONSES


def read_scope(user: Any) -> Scope:
    return scope_for(user, VIEW)


def write_scope(user: Any) -> Scope:
    return scope_for(user, MANAGE)


def may_manage(user: Any, death_or_path: Death | str) -> bool:
    path = death_or_path if isinstance(death_or_path, str) else death_or_path.organisation.path
    return write_scope(user).covers(path)


def deaths_for(user: Any) -> QuerySet[Death]:
    return Death.objects.filter(read_scope(user).q("organisation__path")).select_related(
        "organisation", "event", "review"
    )


def death_for(user: Any, reference: str) -> Death:
    death = deaths_for(user).filter(reference=reference).first()
    if death is None:
        raise Http404("Not found")
    return death


def _records_a_death() -> Q:
    return Q(patient_died=True) | Q(max_harm=MaxHarm.FATAL)


def event_deaths_to_add(user: Any) -> QuerySet[PatientSafetyEvent]:
    """Events in scope that record a death not yet in learning from deaths."""
    return (
        PatientSafetyEvent.objects.filter(read_scope(user).q("organisation__path"))
        .filter(_records_a_death(), death_in_scope__isnull=True)
        .select_related("organisation")
        .order_by("-occurred_on", "-id")
    )


def event_death_for(user: Any, reference: str) -> PatientSafetyEvent:
    event = (
        PatientSafetyEvent.objects.filter(read_scope(user).q("organisation__path"))
        .filter(_records_a_death(), reference=reference)
        .select_related("organisation")
        .first()
    )
    if event is None:
        raise Http404("Not found")
    return event


def death_of_event(event: PatientSafetyEvent) -> Death | None:
    """The death already added from an event the reader may see (event_death_for), if any."""
    return Death.objects.filter(event=event).first()


def status(death: Death, today: dt.date) -> ReviewStatus:
    if not death.screening:
        return ReviewStatus.TO_SCREEN
    if death.screening == Screening.OUT_OF_SCOPE:
        return ReviewStatus.SCREENED_OUT
    if hasattr(death, "review"):
        return ReviewStatus.COMPLETED
    if death.review_due_on is not None and death.review_due_on < today:
        return ReviewStatus.OVERDUE
    return ReviewStatus.DUE


@dataclass(frozen=True)
class Row:
    reference: str
    href_name: str  # the URL name the row links to
    provider: str
    died_on: dt.date
    source: str
    criteria: tuple[str, ...]
    status: ReviewStatus
    due_on: dt.date | None
    poor_care: bool


def _poor(review: StructuredJudgementReview | None) -> bool:
    if review is None:
        return False
    overall = next((p.score for p in review.phases.all() if p.phase == Phase.OVERALL), None)
    return overall in POOR_CARE or any(p.harm == "probable" for p in review.problems.all())


def rows(user: Any, today: dt.date, *, show: str = "") -> list[Row]:
    """Every death in scope, those to screen first and then the overdue reviews; `show` keeps
    only one status."""
    deaths = deaths_for(user).prefetch_related("review__phases", "review__problems")
    found: list[Row] = []
    for d in deaths:
        review = getattr(d, "review", None) if hasattr(d, "review") else None
        found.append(
            Row(
                d.reference,
                "mortality:death",
                d.organisation.name,
                d.died_on,
                d.source,
                tuple(str(Criterion(c).label) for c in d.criteria if c in Criterion.values),
                status(d, today),
                d.review_due_on,
                _poor(review),
            )
        )
    for e in event_deaths_to_add(user):
        found.append(
            Row(
                e.reference,
                "mortality:event_death",
                e.organisation.name,
                e.occurred_on,
                "event",
                (str(Criterion.SAFETY_EVENT.label),),
                ReviewStatus.TO_SCREEN,
                None,
                False,
            )
        )
    order = {
        ReviewStatus.TO_SCREEN: 0,
        ReviewStatus.OVERDUE: 1,
        ReviewStatus.DUE: 2,
        ReviewStatus.COMPLETED: 3,
        ReviewStatus.SCREENED_OUT: 4,
    }
    found.sort(key=lambda r: (order[r.status], -r.died_on.toordinal()))
    if show:
        found = [r for r in found if r.status == show]
    return found


def counts(found: Sequence[Row]) -> dict[str, int]:
    tally = {s.value: 0 for s in ReviewStatus}
    for r in found:
        tally[r.status.value] += 1
    return tally


# --- results for the ICB ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    shown: int | None  # None: suppressed

    @property
    def text(self) -> str:
        return "*" if self.shown is None else f"{self.shown:,}"


@dataclass(frozen=True)
class PhaseLine:
    phase: str
    cells: tuple[Cell, ...]  # scores 1..5 then not applicable
    total: Cell


@dataclass(frozen=True)
class GroupLine:
    group: str
    reviews: Cell
    poor: Cell

    @property
    def share(self) -> str:
        """The share with poor care, from the counts as shown (never the true ones)."""
        if self.reviews.shown in (None, 0) or self.poor.shown is None:
            return "–"
        return f"{100 * self.poor.shown / self.reviews.shown:.0f}%"


@dataclass(frozen=True)
class Results:
    reviews: Cell
    poor: Cell
    phases: tuple[PhaseLine, ...]
    groups: tuple[tuple[str, tuple[GroupLine, ...]], ...]


def _cell(value: float) -> Cell:
    return Cell(None if value != value else int(value))  # NaN: suppressed


def results(user: Any, provider_path: str = "") -> Results:
    """Completed reviews in the reader's scope (one provider's with `provider_path`), by phase
    and score, and the share with poor care by group, every count disclosure-controlled."""
    reviews = StructuredJudgementReview.objects.filter(
        read_scope(user).q("death__organisation__path")
    ).select_related("death")
    if provider_path:
        reviews = reviews.filter(death__organisation__path__startswith=provider_path)
    reviews = reviews.prefetch_related("phases", "problems")
    phases = list(Phase.values)
    table = [[0] * (len(SCORES) + 1) for _ in phases]
    deaths = []
    for r in reviews:
        overall = None
        for p in r.phases.all():
            column = len(SCORES) if p.score is None else p.score - 1
            table[phases.index(p.phase)][column] += 1
            if p.phase == Phase.OVERALL:
                overall = p.score
        poor = overall in POOR_CARE or any(x.harm == "probable" for x in r.problems.all())
        deaths.append((r.death, poor))
    # Each phase's line adds up to the number of reviews; the columns are not totalled.
    disclosed = control_table(table, protect_columns=False)
    phase_lines = tuple(
        PhaseLine(
            str(Phase(phase).label),
            tuple(_cell(v) for v in disclosed.values[i]),
            _cell(disclosed.row_totals[i]),
        )
        for i, phase in enumerate(phases)
    )

    def lines(key: Any, labels: Sequence[tuple[Any, str]]) -> tuple[GroupLine, ...]:
        out = []
        for value, label in labels:
            members = [poor for d, poor in deaths if key(d) == value]
            out.append(
                GroupLine(
                    label,
                    Cell(control_count(len(members))),
                    Cell(control_count(sum(members))),
                )
            )
        return tuple(out)

    quintiles: list[tuple[Any, str]] = [(1, "1 (most deprived)")]
    quintiles += [(q, str(q)) for q in (2, 3, 4)]
    quintiles += [(5, "5 (least deprived)"), (None, "Not known")]
    groups = (
        ("Deprivation (IMD quintile)", lines(lambda d: d.imd_quintile, quintiles)),
        (
            "Ethnic group",
            lines(lambda d: d.ethnic_group, [(v, str(lab)) for v, lab in EthnicGroup.choices]),
        ),
        (
            "Learning disability",
            lines(
                lambda d: d.learning_disability,
                [(v, str(lab)) for v, lab in TriState.choices],
            ),
        ),
    )
    total_poor = sum(p for _, p in deaths)
    return Results(
        Cell(control_count(len(deaths))),
        Cell(control_count(total_poor)),
        phase_lines,
        groups,
    )
