"""Reads for Duty of Candour, referral tasks and the ICB's cross-provider safety view.

Every read starts from where the user holds a capability for these pages (`CANDOUR`, or
`VIEW_SAFETY_SYSTEM` for the system view: scoping.scope_for); an event outside that is a 404,
even in an organisation where the person holds some other role.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from caresignals.organisations.models import Organisation
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import (
    Scope,
    belongs_to,
    get_visible_or_404,
    scope_for,
    visible,
)
from caresignals.safety import hooks
from caresignals.safety.candour import notifiable as candour
from caresignals.safety.deidentify import deidentify
from caresignals.safety.events import rules
from caresignals.safety.events.queries import of_note
from caresignals.safety.models import (
    CandourRecord,
    ContactAttempt,
    PatientSafetyEvent,
    ReferralKind,
    ReferralStatus,
    ReferralTask,
)
from caresignals.safety.vocabulary import MaxHarm, RecordType, ServiceArea
from caresignals.stats.disclosure import control_count

# Who reads the candour pages and referral tasks: the safety leads who keep them and those
# who oversee safety across providers, each where they hold the role.
CANDOUR = (Capability.MANAGE_CANDOUR, Capability.VIEW_SAFETY_SYSTEM)
SYSTEM = Capability.VIEW_SAFETY_SYSTEM
LIST_LIMIT = 200
CANDOUR_STATUSES = ("overdue", "due_soon", "open", "done", "not_notifiable", "not_known")


# --- who may do what --------------------------------------------------------------------------


def may_manage(user: Any, organisation: Organisation) -> bool:
    """A patient-safety lead whose organisation is this provider or above it."""
    return scope_for(user, Capability.MANAGE_CANDOUR).covers(organisation.path)


def is_inside(user: Any, organisation: Organisation, *capabilities: Capability) -> bool:
    """A member of the provider itself or one of its services, in a role that reads these
    pages (`capabilities`, by default the candour ones): sees free text in full. Plain staff
    membership there does not lift the de-identification of a page read through another
    organisation's role."""
    return belongs_to(user, organisation.path, *(capabilities or CANDOUR))


def may_view_candour(user: Any, organisation: Organisation | None = None) -> bool:
    """Whether the candour pages are open to the user (for the organisation, if given)."""
    scope = scope_for(user, CANDOUR)
    return not scope.is_empty if organisation is None else scope.covers(organisation.path)


def may_view_system(user: Any) -> bool:
    return not scope_for(user, SYSTEM).is_empty


def may_set_tracked_from(user: Any, organisation: Organisation) -> bool:
    return scope_for(user, Capability.SET_CANDOUR_TRACKED_FROM).covers(organisation.path)


def provider_for_tracked_from(user: Any, code: str) -> Organisation:
    """The provider whose "candour tracked from" date the user may set; 404 otherwise (an
    organisation outside that scope, or not a provider)."""
    org = get_visible_or_404(
        Organisation.objects.filter(kind="provider"),
        user,
        path_field="path",
        capability=Capability.SET_CANDOUR_TRACKED_FROM,
        code=code,
    )
    assert isinstance(org, Organisation)
    return org


# --- one event --------------------------------------------------------------------------------


def event_for(user: Any, reference: str) -> PatientSafetyEvent:
    event = get_visible_or_404(
        PatientSafetyEvent.objects.select_related("organisation", "service"),
        user,
        path_field="organisation__path",
        capability=CANDOUR,
        reference=reference,
    )
    assert isinstance(event, PatientSafetyEvent)
    return event


def referral_task_for(user: Any, event: PatientSafetyEvent, kind: str) -> ReferralTask:
    task = get_visible_or_404(
        ReferralTask.objects.select_related("event", "event__organisation"),
        user,
        path_field="organisation__path",
        capability=CANDOUR,
        event=event,
        kind=kind,
    )
    assert isinstance(task, ReferralTask)
    return task


AUTOMATIC_TEXT = {
    True: "Notifiable by the rules: the harm recorded meets the legal threshold for this "
    "provider, so the flag cannot be cleared.",
    None: "The harm recorded may meet the legal threshold: a person must decide. It is not "
    "notifiable until someone flags it.",
    False: "Not notifiable by the rules: the harm recorded is below the legal threshold.",
}


@dataclass(frozen=True)
class CandourPage:
    event: PatientSafetyEvent
    description: str
    deidentified: bool
    automatic: bool | None
    record: CandourRecord | None
    attempts: list[ContactAttempt]
    clock: candour.Clock | None
    can_manage: bool
    tasks: list[ReferralTask]
    addable_kinds: list[tuple[str, str]]

    @property
    def automatic_text(self) -> str:
        return AUTOMATIC_TEXT[self.automatic]

    @property
    def hand_flagged(self) -> bool:
        return bool(self.record and self.record.hand_flagged)

    @property
    def notifiable(self) -> bool:
        return self.automatic is True or self.hand_flagged

    @property
    def version(self) -> int:
        return self.record.version if self.record else 0


def candour_page(user: Any, event: PatientSafetyEvent, today: dt.date) -> CandourPage:
    record = CandourRecord.objects.filter(event=event).first()
    attempts = list(ContactAttempt.objects.filter(candour=record)) if record else []
    automatic = rules.candour_notifiable(
        event.organisation.type or None, event.physical_harm, event.psychological_harm
    )
    notifiable = automatic is True or bool(record and record.hand_flagged)
    clock = None
    if notifiable:
        done_on = None
        if record is not None:
            done_on = record.notified_in_person_on or (
                record.contact_outcome_on if record.contact_outcome else None
            )
        known = candour.is_known(
            event.reported_on,
            event.organisation.candour_tracked_from,
            not_supplied=event.candour_not_supplied,
        )
        clock = candour.clock(
            event.reported_on,
            done_on,
            today,
            known=known,
            not_notifiable=bool(record and record.not_notifiable),
        )
    inside = is_inside(user, event.organisation)
    tasks = list(ReferralTask.objects.filter(event=event).order_by("kind"))
    have = {t.kind for t in tasks}
    return CandourPage(
        event=event,
        description=event.description if inside else deidentify(event.description),
        deidentified=not inside,
        automatic=automatic,
        record=record,
        attempts=attempts,
        clock=clock,
        can_manage=may_manage(user, event.organisation),
        tasks=tasks,
        addable_kinds=[(k.value, k.label) for k in ReferralKind if k.value not in have],
    )


# --- lists ------------------------------------------------------------------------------------


def providers_for(user: Any, capability: Any = CANDOUR) -> list[Organisation]:
    return list(
        Organisation.objects.visible_to(user, capability)
        .filter(kind="provider")
        .order_by("name")
        .only("code", "name", "path")
    )


def _in_provider(qs: QuerySet[Any], provider: Organisation | None, field: str) -> QuerySet[Any]:
    return qs.filter(**{f"{field}__startswith": provider.path}) if provider else qs


@dataclass(frozen=True)
class CandourRow:
    reference: str
    provider: str
    reported_on: dt.date
    max_harm: str
    category: str
    hand_flagged: bool
    clock: candour.Clock


@dataclass(frozen=True)
class CandourList:
    status: str
    rows: list[CandourRow]
    total: int
    counts: dict[str, int]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def _candour_filters(today: dt.date) -> dict[str, Q]:
    overdue_by = candour.overdue_reported_before(today)
    soon_by = candour.due_soon_reported_by(today)
    open_ = candour.open_q()
    return {
        "overdue": open_ & Q(reported_on__lte=overdue_by),
        "due_soon": open_ & Q(reported_on__gt=overdue_by, reported_on__lte=soon_by),
        "open": open_,
        "done": candour.done_q(),
        "not_notifiable": candour.not_notifiable_q(),
        "not_known": candour.not_known_q(),
    }


def notifiable_parts(
    user: Any, provider: Organisation | None, capability: Any = CANDOUR
) -> tuple[QuerySet[PatientSafetyEvent], QuerySet[PatientSafetyEvent]]:
    """The notifiable events in two parts that do not overlap, each one quick query: those of
    note (moderate harm or worse, or a Never Event: the only ones the rules can make
    notifiable), read through their partial index, and those flagged by hand that are not of
    note. Counts and lists add the two."""
    return _notifiable_parts_of(PatientSafetyEvent.objects.visible_to(user, capability), provider)


def _notifiable_parts_of(
    events: QuerySet[PatientSafetyEvent], provider: Organisation | None
) -> tuple[QuerySet[PatientSafetyEvent], QuerySet[PatientSafetyEvent]]:
    visible_events = _in_provider(events, provider, "organisation__path")
    of_note_part = visible_events.filter(of_note()).filter(candour.notifiable_q())
    flagged = CandourRecord.objects.filter(hand_flagged=True).order_by().values("event_id")
    flagged_part = visible_events.filter(id__in=flagged).exclude(of_note())
    return of_note_part, flagged_part


_ROW_FIELDS = (
    "reference",
    "organisation__name",
    "reported_on",
    "max_harm",
    "category",
    "candour__hand_flagged",
    "candour__notified_in_person_on",
    "candour__contact_outcome",
    "candour__contact_outcome_on",
    "candour__not_notifiable",
    "organisation__candour_tracked_from",
    "candour_not_supplied",
    "id",
)


def candour_list(
    user: Any, *, provider: Organisation | None, status: str, today: dt.date
) -> CandourList:
    """Notifiable events by where their first notification stands, most overdue first."""
    filters = _candour_filters(today)
    parts = notifiable_parts(user, provider)
    counts: Counter[str] = Counter()
    for part in parts:
        counts.update(
            part.aggregate(**{name: Count("id", filter=q) for name, q in filters.items()})
        )
    done = status == "done"
    order = ("-reported_on", "-id") if done else ("reported_on", "id")
    values = [
        v
        for part in parts
        for v in part.filter(filters[status]).order_by(*order).values(*_ROW_FIELDS)[:LIST_LIMIT]
    ]
    values.sort(key=lambda v: (v["reported_on"], v["id"]), reverse=done)
    harm = dict(MaxHarm.choices)
    category = dict(_category_choices())
    rows = []
    for v in values[:LIST_LIMIT]:
        done_on = v["candour__notified_in_person_on"] or (
            v["candour__contact_outcome_on"] if v["candour__contact_outcome"] else None
        )
        rows.append(
            CandourRow(
                v["reference"],
                v["organisation__name"],
                v["reported_on"],
                harm.get(v["max_harm"], "Not recorded"),
                category.get(v["category"], v["category"]),
                bool(v["candour__hand_flagged"]),
                candour.clock(
                    v["reported_on"],
                    done_on,
                    today,
                    known=candour.is_known(
                        v["reported_on"],
                        v["organisation__candour_tracked_from"],
                        not_supplied=v["candour_not_supplied"],
                    ),
                    not_notifiable=bool(v["candour__not_notifiable"]),
                ),
            )
        )
    return CandourList(status, rows, counts[status], {k: counts[k] for k in filters})


def _category_choices() -> list[tuple[str, str]]:
    from caresignals.safety.vocabulary import Category

    return list(Category.choices)


def overdue_candour_count(
    user: Any,
    provider: Organisation | None,
    today: dt.date,
    *,
    service: Organisation | None = None,
) -> int:
    """Notifications overdue today (the list's "Overdue"), at one service if given."""
    return overdue_candour_count_in(scope_for(user, CANDOUR), provider, today, service=service)


def overdue_candour_count_in(
    scope: Scope,
    provider: Organisation | None,
    today: dt.date,
    *,
    service: Organisation | None = None,
) -> int:
    """As `overdue_candour_count`, in an explicit scope rather than a person's: for the
    command line, which reads as an organisation (`caresignals report board`)."""
    events = PatientSafetyEvent.objects.filter(scope.q("organisation__path"))
    total = 0
    for part in _notifiable_parts_of(events, provider):
        qs = part.filter(_candour_filters(today)["overdue"])
        total += (qs.filter(service=service) if service is not None else qs).count()
    return total


@dataclass(frozen=True)
class ReferralList:
    tasks: list[ReferralTask]
    total: int
    counts: dict[str, int]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.tasks)


def referral_list(
    user: Any, *, provider: Organisation | None, status: str, kind: str
) -> ReferralList:
    base = _in_provider(
        visible(
            ReferralTask.objects.all(), user, path_field="organisation__path", capability=CANDOUR
        ),
        provider,
        "organisation__path",
    )
    if kind:
        base = base.filter(kind=kind)
    counts = {r["status"]: r["n"] for r in base.values("status").annotate(n=Count("id")).order_by()}
    qs = base.filter(status=status) if status else base
    tasks = list(
        qs.select_related("event", "organisation").order_by("event__reported_on", "id")[:LIST_LIMIT]
    )
    total = counts.get(status, 0) if status else sum(counts.values())
    return ReferralList(tasks, total, {s.value: counts.get(s.value, 0) for s in ReferralStatus})


# --- the ICB's view across providers ----------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A count as shown: real, or after disclosure control when shared beyond the ICB."""

    count: int
    shared: bool

    @property
    def text(self) -> str:
        if not self.shared:
            return f"{self.count:,}"
        shown = control_count(self.count, threshold=settings.CARESIGNALS_SUPPRESS_BELOW)
        return "suppressed" if shown is None else f"{shown:,}"


@dataclass(frozen=True)
class ProviderLine:
    code: str
    name: str
    events: Cell
    serious: Cell
    overdue_candour: Cell
    open_referrals: Cell


@dataclass(frozen=True)
class SeriousEvent:
    reference: str
    provider: str
    occurred_on: dt.date
    harm: str
    category: str
    text: str
    deidentified: bool


@dataclass
class SystemView:
    start: dt.date
    end: dt.date
    shared: bool
    total: Cell
    by_type: list[tuple[str, Cell]] = field(default_factory=list)
    by_harm: list[tuple[str, Cell]] = field(default_factory=list)
    by_area: list[tuple[str, Cell]] = field(default_factory=list)
    providers: list[ProviderLine] = field(default_factory=list)
    serious: list[SeriousEvent] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.total.count == 0 and not self.providers


SERIOUS_HARMS = ("severe", "fatal")
SERIOUS_LIMIT = 20


def system_view(
    user: Any, *, start: dt.date, end: dt.date, today: dt.date, shared: bool
) -> SystemView:
    """Events in the period across every provider the user may see, with the open duties.

    ``shared`` applies disclosure control to every count (for papers that go beyond the ICB)
    and leaves out the serious events' text altogether.
    """
    events = PatientSafetyEvent.objects.visible_to(user, SYSTEM).filter(
        occurred_on__gte=start, occurred_on__lte=end
    )

    def cells(counts: dict[str, int], choices: list[tuple[str, str]]) -> list[tuple[str, Cell]]:
        return [(label, Cell(counts.get(code, 0), shared)) for code, label in choices]

    # The period's counts by provider, type, harm and area, summed here every way the page
    # shows them: from analytics' monthly counts (a few thousand rows for a region's year)
    # where it is installed, else from the events (hundreds of thousands). The period is
    # whole months up to today, so the monthly counts hold exactly its events.
    types: Counter[str] = Counter()
    harms: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    per_provider: dict[int, tuple[int, int]] = {}
    whole_months = start.day == 1 and end >= today
    grouped = (
        hooks.monthly_counts(user, SYSTEM, start, end)
        if hooks.monthly_counts is not None and whole_months
        else events.values_list("organisation_id", "record_type", "max_harm", "service_area")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, record_type, max_harm, area, n in grouped:
        types[record_type] += n
        harms[max_harm] += n
        areas[area] += n
        total, serious = per_provider.get(org_id, (0, 0))
        per_provider[org_id] = (total + n, serious + (n if max_harm in SERIOUS_HARMS else 0))
    view = SystemView(start, end, shared, Cell(sum(types.values()), shared))
    view.by_type = cells(types, list(RecordType.choices))
    view.by_harm = cells(harms, [*MaxHarm.choices, ("", "Not known, or a risk or good care")])
    view.by_area = [(label, c) for label, c in cells(areas, list(ServiceArea.choices)) if c.count]
    # Counted here, not grouped in SQL: grouping by organisation leads SQLite to walk the
    # whole table in organisation order rather than read the partial index of events of note.
    overdue: Counter[int] = Counter()
    for part in notifiable_parts(user, None, SYSTEM):
        overdue.update(
            part.filter(_candour_filters(today)["overdue"])
            .order_by()
            .values_list("organisation_id", flat=True)
        )
    referrals = {
        r["organisation_id"]: r["n"]
        for r in visible(
            ReferralTask.objects.all(), user, path_field="organisation__path", capability=SYSTEM
        )
        .filter(status=ReferralStatus.TO_DO)
        .values("organisation_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    for org in providers_for(user, SYSTEM):
        n, serious = per_provider.get(org.pk, (0, 0))
        view.providers.append(
            ProviderLine(
                org.code,
                org.name,
                Cell(n, shared),
                Cell(serious, shared),
                Cell(overdue.get(org.pk, 0), shared),
                Cell(referrals.get(org.pk, 0), shared),
            )
        )
    if not shared:
        harm = dict(MaxHarm.choices)
        category = dict(_category_choices())
        recent = (
            events.filter(of_note())  # through the partial index of events of note
            .filter(Q(max_harm__in=SERIOUS_HARMS) | ~Q(never_event_type=""))
            .select_related("organisation")
            .order_by("-occurred_on", "-id")[:SERIOUS_LIMIT]
        )
        for e in recent:
            full = belongs_to(user, e.organisation.path, SYSTEM)
            view.serious.append(
                SeriousEvent(
                    e.reference,
                    e.organisation.name,
                    e.occurred_on,
                    harm.get(e.max_harm, "Not recorded"),
                    category.get(e.category, e.category),
                    e.description if full else deidentify(e.description),
                    not full,
                )
            )
    return view
