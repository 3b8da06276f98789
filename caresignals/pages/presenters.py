"""What the home page shows, as plain data built from the user's memberships."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from caresignals.core import clock
from caresignals.notifications import services as notifications
from caresignals.organisations import roles
from caresignals.organisations.models import Organisation
from caresignals.organisations.queries import memberships_of
from caresignals.pages import work
from caresignals.pages.analysis import AnalysisSection, analysis_section
from caresignals.publishing.board import BoardHeadline, board_headlines
from caresignals.safety.candour.queries import overdue_candour_count
from caresignals.speakup import queries as speakup


@dataclass(frozen=True)
class RoleIntro:
    role: str
    intro: str


@dataclass(frozen=True)
class MembershipLine:
    role_label: str
    organisation_name: str
    code: str


@dataclass(frozen=True)
class Card:
    heading: str
    description: str
    href: str


@dataclass(frozen=True)
class HomePage:
    roles: list[RoleIntro]
    memberships: list[MembershipLine]
    cards: list[Card]
    # For a board member: this month's board report for each board, shown first.
    board_reports: list[BoardHeadline] = field(default_factory=list)
    # A superuser with no role yet (a fresh install): the command that makes them the first
    # administrator, with the ICS's code when there is one.
    first_administrator: str = ""
    # Analysts and ICB quality leads: their tools and what changed (pages/analysis.py).
    analysis: AnalysisSection | None = None


def home_page(user: object) -> HomePage:
    memberships = memberships_of(user)
    seen: list[str] = []
    for m in memberships:
        if m.role not in seen:
            seen.append(m.role)
    overdue, due_soon = work.counts(user, clock.today())
    cards = [
        Card(
            "My work",
            f"{overdue:,} overdue and {due_soon:,} due soon of the work that names you as owner.",
            reverse("my_work"),
        ),
        Card(
            "Notifications",
            f"{len(notifications.unread(user)):,} new; choose what you receive by email or here.",
            reverse("notifications:index"),
        ),
        Card(
            "Record a patient-safety event",
            "An incident, a poor outcome, a risk or good care: about 2 minutes.",
            reverse("safety:record_start"),
        ),
        Card(
            "My events",
            "The events you recorded, where each has got to, and what was learned.",
            reverse("safety:my_events"),
        ),
        Card(
            "Organisations",
            "The system's places, providers and services, with populations and deprivation.",
            reverse("organisations:index"),
        ),
    ]
    if roles.user_can(user, roles.Capability.VIEW_WATCHLIST):
        cards.insert(
            0,
            Card(
                "Watchlist",
                "Services and providers ranked by concern this month, each saying which "
                "signals fired and why.",
                reverse("signals:watchlist"),
            ),
        )
    if roles.user_can(user, roles.Capability.VIEW_QUALITY_GOVERNANCE):
        cards.append(
            Card(
                "Escalation",
                "Providers under enhanced surveillance or intensive support, "
                "their history and rapid quality reviews.",
                reverse("signals:escalation_index"),
            )
        )
        cards.append(
            Card(
                "Quality risk register",
                "Risks scored 5 × 5, their owners, controls and reviews.",
                reverse("signals:risk_index"),
            )
        )
    if roles.user_can(user, roles.Capability.VIEW_SQG_PACK):
        cards.append(
            Card(
                "System Quality Group pack",
                "One page for the month: the watchlist, escalation, risks and themes.",
                reverse("signals:pack"),
            )
        )
    if roles.user_can(user, roles.Capability.MANAGE_SAFETY_RESPONSES):
        cards.append(
            Card(
                "Triage queue",
                "New patient-safety events, most urgent first, to decide how to respond.",
                reverse("safety:triage"),
            )
        )
    if roles.user_can(user, roles.Capability.VIEW_SAFETY_RESPONSES):
        cards.append(
            Card(
                "Learning responses",
                "Investigations and reviews, their findings and safety actions.",
                reverse("safety:responses"),
            )
        )
    if roles.user_can(user, roles.Capability.VIEW_SAFETY_RESPONSES):
        cards.append(
            Card(
                "Learning from deaths",
                "Deaths to screen, Structured Judgement Reviews due and overdue, and results.",
                reverse("mortality:deaths"),
            )
        )
    if roles.user_can(user, roles.Capability.MANAGE_CANDOUR):
        overdue = overdue_candour_count(user, None, clock.today())
        cards.append(
            Card(
                "Duty of Candour",
                f"{overdue:,} notification{'' if overdue == 1 else 's'} overdue; "
                "referral tasks to the national bodies.",
                reverse("safety:candour_list"),
            )
        )
    if roles.user_can(user, roles.Capability.VIEW_SAFETY_SYSTEM):
        cards.append(
            Card(
                "Safety across providers",
                "Events by type, harm and service; candour and referrals for each provider.",
                reverse("safety:system"),
            )
        )
    if roles.user_can(user, roles.Capability.MANAGE_PEOPLE):
        cards.append(
            Card(
                "People",
                "Add people, give and remove their roles, deactivate leavers.",
                reverse("people:index"),
            )
        )
    if roles.user_can(user, roles.Capability.VIEW_AUDIT):
        cards.append(Card("Audit log", "Who changed what, and when.", reverse("audit:index")))
    if roles.user_can(user, roles.Capability.HANDLE_SPEAKUP_CASES):
        new = speakup.new_message_count(user)
        unopened = speakup.new_case_count(user)
        news = []
        if unopened:
            news.append(
                f"New cases ({unopened:,}): "
                f"{'a case' if unopened == 1 else f'{unopened:,} cases'} you have not opened."
            )
        if new:
            news.append(
                f"New messages ({new:,}): "
                f"{'a case has' if new == 1 else f'{new:,} cases have'} a message you have "
                "not read."
            )
        cards.append(
            Card(
                "Speak-up cases",
                " ".join([*news, "Concerns raised with you, and the return."])
                if news
                else "No new cases or messages. Concerns raised with you, and the return.",
                reverse("speakup:cases"),
            )
        )
    elif roles.user_can(user, roles.Capability.VIEW_SPEAKUP_SUMMARY):
        cards.append(
            Card("Speak-up summary", "Cases by provider, counts only.", reverse("speakup:summary"))
        )
    return HomePage(
        roles=[RoleIntro(r, roles.HOME_INTRO.get(r, "")) for r in seen],
        memberships=[
            MembershipLine(m.get_role_display(), m.organisation.name, m.organisation.code)
            for m in memberships
        ],
        cards=cards,
        board_reports=board_headlines(user),
        first_administrator=_first_administrator(user) if not memberships else "",
        analysis=analysis_section(user) if memberships else None,
    )


def _first_administrator(user: object) -> str:
    if not getattr(user, "is_superuser", False):
        return ""
    ics = Organisation.objects.filter(parent__isnull=True).order_by("code").first()
    code = ics.code if ics else "ICS_CODE"
    username = getattr(user, "username", "USERNAME")
    return f"caresignals users add {username} --role administrator --organisation {code}"
