"""Reads for the speak-up pages, the API, the national return and other domains.

Case content is read only through `SpeakUpCase.objects.for_guardian(user)`. Everyone else
gets counts: the summary (disclosure-controlled) and `monthly_case_counts` (for the signals
engine, which publishes nothing per case).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404

from caresignals.core import clock
from caresignals.core.periods import Month
from caresignals.organisations.models import Organisation
from caresignals.organisations.roles import Capability, Role
from caresignals.organisations.scoping import Scope, scope_for, visible
from caresignals.speakup.models import CATEGORY_FIELDS, CaseReading, SpeakUpCase, SpeakUpMessage
from caresignals.speakup.quarters import Quarter, quarters_between
from caresignals.speakup.vocabulary import (
    PROFESSIONAL_GROUP_LABELS,
    PROFESSIONAL_GROUPS,
    Author,
    Detriment,
    Route,
    SpeakUpAgain,
    Status,
)
from caresignals.stats.disclosure import control_table

# -- organisations -----------------------------------------------------------------------------


def public_providers() -> list[tuple[str, str]]:
    """Every provider: anyone may raise a concern about their organisation without signing in."""
    return list(
        Organisation.objects.filter(kind="provider").order_by("name").values_list("code", "name")
    )


def reporter_providers(user: Any) -> list[tuple[str, str]]:
    """The providers a signed-in person belongs to (their own organisations)."""
    orgs = visible(Organisation.objects.filter(kind="provider"), user, path_field="path")
    return list(orgs.order_by("name").values_list("code", "name"))


def provider(code: str) -> Organisation | None:
    return Organisation.objects.filter(kind="provider", code=code).first()


def guardian_organisations(user: Any) -> list[Organisation]:
    return list(
        Organisation.objects.filter(memberships__user=user, memberships__role=Role.SPEAKUP_GUARDIAN)
        .distinct()
        .order_by("name")
    )


def is_guardian(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        Role.SPEAKUP_GUARDIAN in user.role_codes()
    )


# -- the guardian's cases ----------------------------------------------------------------------


def _new_messages(user: Any) -> Exists:
    """Whether the person who spoke up has written since this guardian last read the case:
    a reporter message numbered after their reading (ADR 24). For `annotate(has_new=...)`."""
    # Inside the message subquery below, OuterRef is the message: its case.
    read_to = CaseReading.objects.filter(case=OuterRef("case"), guardian=user).values("read_to")[:1]
    newer = SpeakUpMessage.objects.filter(
        case=OuterRef("pk"),
        author=Author.REPORTER,
        sequence__gt=Coalesce(Subquery(read_to), Value(0)),
    )
    return Exists(newer)


def _never_opened(user: Any) -> Any:
    """Whether this guardian has never opened the case: a new case, even before the person
    who spoke up has written anything more (opening it makes a reading, ADR 24). For
    `annotate(is_new_case=...)`."""
    return ~Exists(CaseReading.objects.filter(case=OuterRef("pk"), guardian=user))


def guardian_cases(
    user: Any, *, status: str = "", category: str = "", new_only: bool = False
) -> QuerySet[SpeakUpCase]:
    """The guardian's cases: those with new messages first, then those the guardian has
    never opened, then the rest, each most recently raised first. `new_only` keeps the
    first two."""
    cases = (
        SpeakUpCase.objects.for_guardian(user)
        .select_related("organisation")
        .annotate(has_new=_new_messages(user), is_new_case=_never_opened(user))
        .annotate(
            unread=ExpressionWrapper(
                Q(has_new=True) | Q(is_new_case=True), output_field=BooleanField()
            )
        )
    )
    if status in Status.values:
        cases = cases.filter(status=status)
    if category in CATEGORY_FIELDS:
        cases = cases.filter(**{category: True})
    if new_only:
        cases = cases.filter(unread=True)
    return cases.order_by("-has_new", "-is_new_case", "-raised_on", "reference")


def new_message_count(user: Any) -> int:
    """How many of the guardian's cases have a message they have not read yet."""
    return SpeakUpCase.objects.for_guardian(user).filter(_new_messages(user)).count()


def new_case_count(user: Any) -> int:
    """How many of the guardian's cases they have never opened."""
    return SpeakUpCase.objects.for_guardian(user).filter(_never_opened(user)).count()


def guardian_case_or_404(user: Any, reference: str) -> SpeakUpCase:
    case = (
        SpeakUpCase.objects.for_guardian(user)
        .select_related("organisation", "raised_by")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404("Not found")
    return case


def thread(case: SpeakUpCase) -> list[SpeakUpMessage]:
    return list(SpeakUpMessage.objects.filter(case=case).order_by("sequence"))


# -- counts only: the summary for the ICB and boards -------------------------------------------


def case_quarters() -> list[Quarter]:
    first = SpeakUpCase.objects.order_by("raised_on").values_list("raised_on", flat=True).first()
    today = clock.today()
    return quarters_between(first or today, today)


SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("cases", "Cases"),
    ("anonymous", "Raised anonymously"),
    ("patient_safety", "Patient safety"),
    ("worker_safety", "Worker safety"),
    ("bullying_harassment", "Bullying or harassment"),
    ("inappropriate_behaviour", "Inappropriate behaviour"),
    ("detriment", "Detriment"),
)


@dataclass(frozen=True)
class SummaryRow:
    code: str
    name: str
    cells: list[float]  # NaN = suppressed


@dataclass(frozen=True)
class Summary:
    quarter: Quarter
    columns: tuple[tuple[str, str], ...]
    rows: list[SummaryRow]
    totals: list[float] | None  # across providers; None when there is only one
    threshold: int


def summary(user: Any, quarter: Quarter) -> Summary:
    """Counts per provider in the user's scope for one quarter, disclosure-controlled."""
    return summary_in(scope_for(user, Capability.VIEW_SPEAKUP_SUMMARY), quarter)


def summary_in(scope: Scope, quarter: Quarter) -> Summary:
    """Counts per provider in `scope` for one quarter, disclosure-controlled: a person's
    scope (`summary`), or the organisation the command line reads as.

    Providers add up to the "all providers" row, so secondary suppression runs down each
    column. The columns themselves overlap (anonymous cases are among all cases; a case can
    have several categories) and have no row total, so nothing is recoverable across a row.
    """
    providers = Organisation.objects.filter(kind="provider").filter(scope.q("path"))
    in_scope = SpeakUpCase.objects.filter(organisation__in=providers)
    with_cases = providers.filter(pk__in=in_scope.values("organisation_id").distinct()).order_by(
        "name"
    )
    counts: dict[int, dict[str, Any]] = {
        row["organisation_id"]: dict(row)
        for row in in_scope.filter(raised_on__gte=quarter.start, raised_on__lte=quarter.end)
        .values("organisation_id")
        .annotate(
            cases=Count("id"),
            anonymous=Count("id", filter=Q(route=Route.ANONYMOUS)),
            **{name: Count("id", filter=Q(**{name: True})) for name in CATEGORY_FIELDS},
        )
    }
    orgs = list(with_cases)
    table = [[int(counts.get(o.pk, {}).get(key, 0)) for key, _ in SUMMARY_COLUMNS] for o in orgs]
    threshold = int(getattr(settings, "CARESIGNALS_SUPPRESS_BELOW", 8))
    rows: list[SummaryRow] = []
    totals = None
    if orgs:
        safe = control_table(table, threshold=threshold, protect_rows=False)
        rows = [
            SummaryRow(o.code, o.name, [float(v) for v in safe.values[i]])
            for i, o in enumerate(orgs)
        ]
        if len(orgs) > 1:
            totals = [float(v) for v in safe.column_totals]
    return Summary(quarter, SUMMARY_COLUMNS, rows, totals, threshold)


# -- the quarterly national return ------------------------------------------------------------


def return_columns() -> list[str]:
    """The national return's columns, in order (documented in the README section)."""
    return [
        "organisation_code",
        "organisation_name",
        "quarter",
        "period_start",
        "period_end",
        "cases_raised",
        "cases_raised_anonymously",
        "cases_raised_confidentially",
        "cases_raised_openly",
        *(f"element_{name}" for name in CATEGORY_FIELDS),
        *(f"professional_group_{code}" for code, _ in PROFESSIONAL_GROUPS),
        "professional_group_not_recorded",
        "cases_closed",
        *(f"closed_detriment_{value}" for value in Detriment.values),
        "closed_detriment_not_recorded",
        "feedback_responses",
        *(f"feedback_speak_up_again_{value}" for value in SpeakUpAgain.values),
    ]


def _cases_at(organisation: Organisation) -> QuerySet[SpeakUpCase]:
    return SpeakUpCase.objects.filter(organisation=organisation)


def national_return(organisation: Organisation, quarter: Quarter) -> dict[str, Any]:
    """One row of counts for the organisation's cases and the quarter.

    Cases, routes, elements and professional groups count the cases raised in the quarter;
    detriment found and feedback count the cases closed in it (they are known at closure).
    Not disclosure-controlled: it goes to the National Guardian's Office, not the public.
    Callers must check the user is the organisation's guardian.
    """
    cases = _cases_at(organisation)
    raised = list(
        cases.filter(raised_on__gte=quarter.start, raised_on__lte=quarter.end).values(
            "route", "professional_group", *CATEGORY_FIELDS
        )
    )
    closed = list(
        cases.filter(
            status=Status.CLOSED, closed_on__gte=quarter.start, closed_on__lte=quarter.end
        ).values("suffered_detriment", "feedback_speak_up_again")
    )
    routes = Counter(c["route"] for c in raised)
    groups = Counter(c["professional_group"] for c in raised)
    detriment = Counter(c["suffered_detriment"] for c in closed)
    feedback = Counter(c["feedback_speak_up_again"] for c in closed)
    row: dict[str, Any] = {
        "organisation_code": organisation.code,
        "organisation_name": organisation.name,
        "quarter": quarter.code,
        "period_start": quarter.start.isoformat(),
        "period_end": quarter.end.isoformat(),
        "cases_raised": len(raised),
        "cases_raised_anonymously": routes[Route.ANONYMOUS],
        "cases_raised_confidentially": routes[Route.CONFIDENTIAL],
        "cases_raised_openly": routes[Route.OPEN],
    }
    for name in CATEGORY_FIELDS:
        row[f"element_{name}"] = sum(1 for c in raised if c[name])
    for code in PROFESSIONAL_GROUP_LABELS:
        row[f"professional_group_{code}"] = groups[code]
    row["professional_group_not_recorded"] = groups[""]
    row["cases_closed"] = len(closed)
    for value in Detriment.values:
        row[f"closed_detriment_{value}"] = detriment[value]
    row["closed_detriment_not_recorded"] = detriment[""]
    row["feedback_responses"] = sum(n for value, n in feedback.items() if value)
    for value in SpeakUpAgain.values:
        row[f"feedback_speak_up_again_{value}"] = feedback[value]
    assert list(row) == return_columns()
    return row


# -- for other domains --------------------------------------------------------------------------


def monthly_case_counts() -> dict[tuple[str, str], int]:
    """Cases raised per (provider code, "YYYY-MM"), for every provider and month with any.

    Counts only, never content: the signals engine reads speak-up silence and surges here.
    """
    rows = (
        SpeakUpCase.objects.annotate(month=TruncMonth("raised_on"))
        .values("organisation__code", "month")
        .annotate(n=Count("id"))
    )
    return {(r["organisation__code"], str(Month.of(r["month"]))): int(r["n"]) for r in rows}
