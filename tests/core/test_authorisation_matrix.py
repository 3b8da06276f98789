"""Every page and API route × every role × own organisation, other organisation, and a person
with different roles in two organisations (ADR 3: capabilities are held per organisation).

The expected access is declared once, in `ACCESS`: which roles may open each URL name for a
record of their own organisation. A URL name missing from the table fails the test, so every
new page is added here. A 200 that the table does not expect fails, and so does a refusal the
table does not expect (so the table stays true). List pages open to a role are also read for
the other trust's records, which must not appear.

The cases, for each role R (held at trust A; the ICB quality lead normally sits at the ICS, but
held at a trust it must stay inside it):
- own:   R at trust A opens trust A's records;
- other: R at trust A opens trust B's records;
- dual:  R at trust A and plain staff at trust B opens trust B's records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from caresignals.api.tokens import create_token
from caresignals.audit.services import Actor
from caresignals.intelligence import services as intelligence
from caresignals.intelligence.models import SafetyAlert, SqgMeeting
from caresignals.organisations.models import Membership, Organisation
from caresignals.organisations.roles import Capability, Role, roles_with
from caresignals.safety.candour import services as services_candour
from caresignals.signals.governance import services as governance
from caresignals.signals.models import RapidQualityReview
from tests.candour.factories import notifiable_event
from tests.factories import UserFactory, member
from tests.safety_response.factories import (
    LearningResponseFactory,
    PlanRuleFactory,
    SafetyActionFactory,
)
from tests.signals.factories import entry, fake_watchlist, risk
from tests.speakup.factories import raise_case
from tests.voice.factories import FeedbackFactory, complaint

ALL_ROLES = frozenset(Role.values)
NOBODY: frozenset[str] = frozenset()
SECRET = "Synthetic-secret-of"  # in every record's free text, followed by the trust's code


def can(*capabilities: Capability) -> frozenset[str]:
    return frozenset().union(*(roles_with(c) for c in capabilities))


@dataclass(frozen=True)
class Access:
    """Who gets a 200: `own` for a record of their organisation (or a page with no record);
    `members` when any member of the record's organisation may open it (so the dual person,
    staff at trust B, may); `listing` for pages without a record (same answer in every case,
    their content checked instead)."""

    own: frozenset[str]
    members: bool = False
    listing: bool = False


def public() -> Access:
    return Access(ALL_ROLES, listing=True)


def member_record() -> Access:
    return Access(ALL_ROLES, members=True)


def record(*capabilities: Capability) -> Access:
    return Access(can(*capabilities))


def listing(*capabilities: Capability) -> Access:
    return Access(can(*capabilities) if capabilities else ALL_ROLES, listing=True)


CANDOUR = (Capability.MANAGE_CANDOUR, Capability.VIEW_SAFETY_SYSTEM)

ACCESS: dict[str, Access] = {
    # Open to everyone signed in (or the public), with no record of any organisation.
    "home": public(),
    "about": public(),
    "accessibility": public(),
    "healthz": public(),
    "login": Access(NOBODY, listing=True),  # a signed-in person is sent on
    "logout": Access(NOBODY, listing=True),  # POST only
    # Off unless an identity provider is configured (404): tests/core/test_identity_provider.py.
    "identity_provider_sign_in": Access(NOBODY, listing=True),
    "identity_provider_callback": Access(NOBODY, listing=True),
    # Each person's own second factor: tests/core/test_second_factor.py.
    "second_factor": public(),
    "second_factor_verify": Access(NOBODY, listing=True),  # none set up: sent to set it up
    "second_factor_remove": Access(NOBODY, listing=True),  # POST only
    "organisations:index": public(),
    "matrix": public(),
    "library:index": public(),
    "library:definition": Access(NOBODY, listing=True),  # no such indicator in the region
    "measures:funnel": Access(NOBODY, listing=True),
    "measures:funnel_index": public(),
    "api:openapi-json": public(),
    "api:openapi-view": public(),
    "api:api-root": Access(NOBODY, listing=True),
    "api:public_events": Access(NOBODY, listing=True),  # POST only
    "api:public_speakup": Access(NOBODY, listing=True),
    "api:public_speakup_case": Access(NOBODY, listing=True),
    "api:public_speakup_messages": Access(NOBODY, listing=True),
    # The reporter's routes with the reference in a header: without one, the same 404 as a
    # wrong code, whoever asks.
    "api:public_speakup_reporter_case": Access(NOBODY, listing=True),
    "api:public_speakup_reporter_messages": Access(NOBODY, listing=True),  # POST only
    "api:public_feedback": Access(NOBODY, listing=True),
    "safety:record_start": public(),
    "safety:record_new": Access(NOBODY, listing=True),  # POST only
    "safety:record_done": Access(NOBODY, listing=True),  # sent on without an event
    "safety:record_event": Access(NOBODY, listing=True),  # drafts are the author's own
    "safety:record_details": Access(NOBODY, listing=True),
    "safety:record_check": Access(NOBODY, listing=True),
    "safety:record_delete": Access(NOBODY, listing=True),
    "safety:report_concern": public(),
    # The reporter's own events: a list of what the person recorded (none here), and an event
    # nobody in the matrix recorded, so not found for everyone.
    "safety:my_events": public(),
    # Each person's own work (and their team's, in the scope where they lead it).
    "my_work": public(),
    "notifications:index": public(),  # the person's own notifications
    "notifications:preferences": public(),
    "notifications:follow": Access(NOBODY, listing=True),  # POST only
    "notifications:unfollow": Access(NOBODY, listing=True),  # POST only
    "safety:my_event": Access(NOBODY),
    "voice:feedback_start": public(),
    "voice:feedback_give": public(),
    "voice:feedback_easy_read": public(),
    "voice:provider_stories": public(),  # approved public stories
    "speakup:raise": public(),
    "speakup:anonymous": public(),
    "speakup:reporter_case": public(),
    # Pages about one organisation that every member of it may read.
    "organisations:detail": member_record(),
    "measures:chart": Access(NOBODY),  # no such indicator in the region
    "measures:lens": member_record(),
    "publishing:board": member_record(),
    "publishing:board_pdf": member_record(),
    "voice:insight": member_record(),
    "api:event": Access(NOBODY),  # recorded through the API below: see API_ACCESS
    "api:events": Access(NOBODY),
    "api:signals": Access(NOBODY),
    # Pages that need a capability, held where the record is.
    "audit:index": listing(Capability.VIEW_AUDIT),
    "safety:event_candour": record(*CANDOUR),
    "safety:referral_task": record(*CANDOUR),
    "safety:candour_list": listing(*CANDOUR),
    "safety:candour_tracked_from": record(Capability.SET_CANDOUR_TRACKED_FROM),
    "safety:referral_list": listing(*CANDOUR),
    "safety:system": listing(Capability.VIEW_SAFETY_SYSTEM),
    "safety:event": record(Capability.VIEW_SAFETY_RESPONSES),
    "safety:event_triage": Access(NOBODY),  # POST only
    "safety:event_triage_owner": Access(NOBODY),  # POST only
    "safety:triage": listing(Capability.VIEW_SAFETY_RESPONSES),
    "safety:triage_accept_plan": Access(NOBODY),  # POST only
    "safety:plan": listing(Capability.VIEW_SAFETY_RESPONSES),
    "safety:plan_rule_new": listing(Capability.MANAGE_SAFETY_RESPONSES),
    "safety:plan_rule": record(Capability.MANAGE_SAFETY_RESPONSES),
    "safety:plan_rule_remove": Access(NOBODY),  # POST only
    "safety:responses": listing(Capability.VIEW_SAFETY_RESPONSES),
    "safety:response_new": listing(Capability.MANAGE_SAFETY_RESPONSES),
    "safety:response": record(Capability.VIEW_SAFETY_RESPONSES),
    "safety:response_edit": record(Capability.MANAGE_SAFETY_RESPONSES),
    "safety:engagement_add": Access(NOBODY),  # POST only
    "safety:engagement_remove": Access(NOBODY),  # POST only
    "safety:action_new": record(Capability.MANAGE_SAFETY_RESPONSES),
    "safety:actions": listing(Capability.VIEW_SAFETY_RESPONSES),
    "safety:action": record(Capability.MANAGE_SAFETY_RESPONSES),
    # Only the person named as owner (nobody in the matrix) updates their own item (ADR 21).
    "safety:action_progress": Access(NOBODY),
    "safety:response_progress": Access(NOBODY),
    "voice:complaints": listing(Capability.VIEW_PATIENT_VOICE),
    "voice:complaint": record(Capability.VIEW_PATIENT_VOICE),
    "voice:complaint_step": Access(NOBODY),  # POST only
    "voice:feedback_list": listing(Capability.VIEW_PATIENT_VOICE),
    "voice:feedback_detail": record(Capability.VIEW_PATIENT_VOICE),
    "voice:feedback_step": Access(NOBODY),  # POST only
    "speakup:cases": listing(Capability.HANDLE_SPEAKUP_CASES),
    "speakup:case": record(Capability.HANDLE_SPEAKUP_CASES),
    "speakup:edit": record(Capability.HANDLE_SPEAKUP_CASES),
    "speakup:reply": Access(NOBODY),  # POST only
    "speakup:close": Access(NOBODY),  # POST only
    "speakup:summary": listing(Capability.VIEW_SPEAKUP_SUMMARY),
    # Learning from deaths: the provider's patient-safety team works it, the ICB reads it.
    # The learning library lists approved summaries for everyone and a person's own
    # organisations' drafts; a draft opens only for members of its organisation.
    "learning:library": Access(ALL_ROLES, members=True, listing=True),
    "learning:summary": member_record(),
    "learning:write": record(Capability.MANAGE_SAFETY_RESPONSES),
    "learning:approve": Access(NOBODY),  # POST only
    "learning:reuse": Access(NOBODY),  # POST only
    "mortality:deaths": listing(Capability.VIEW_SAFETY_RESPONSES),
    "mortality:add": listing(Capability.MANAGE_SAFETY_RESPONSES),
    "mortality:results": listing(Capability.VIEW_SAFETY_RESPONSES),
    "mortality:event_death": record(Capability.VIEW_SAFETY_RESPONSES),
    "mortality:death": record(Capability.VIEW_SAFETY_RESPONSES),
    "mortality:review": record(Capability.MANAGE_SAFETY_RESPONSES),
    "mortality:leder_notify": Access(NOBODY),  # POST only
    "mortality:leder": Access(NOBODY),  # POST only
    "speakup:return": listing(Capability.HANDLE_SPEAKUP_CASES),
    "signals:escalation_index": listing(Capability.VIEW_QUALITY_GOVERNANCE),
    "signals:escalation_detail": record(Capability.VIEW_QUALITY_GOVERNANCE),
    "signals:escalation_change": record(Capability.MANAGE_QUALITY_GOVERNANCE),
    "signals:review_new": record(Capability.MANAGE_QUALITY_GOVERNANCE),
    "signals:review_detail": record(Capability.VIEW_QUALITY_GOVERNANCE),
    "signals:review_progress": Access(NOBODY),  # POST only
    "signals:risk_index": listing(Capability.VIEW_QUALITY_GOVERNANCE),
    "signals:risk_new": listing(Capability.MANAGE_QUALITY_GOVERNANCE),
    "signals:risk_detail": record(Capability.VIEW_QUALITY_GOVERNANCE),
    "signals:risk_edit": record(Capability.MANAGE_QUALITY_GOVERNANCE),
    "signals:risk_review": record(Capability.MANAGE_QUALITY_GOVERNANCE),
    "signals:pack": listing(Capability.VIEW_SQG_PACK),
    "signals:pack_pdf": listing(Capability.VIEW_SQG_PACK),
    "signals:watchlist": listing(Capability.VIEW_WATCHLIST),
    # Soft intelligence and the SQG's logs: the ICB quality team; alerts: who responds and
    # who oversees. Alerts and meetings are added for the whole system, by an ICB quality
    # lead at the ICS itself (the matrix holds roles at a trust: not found for them).
    "intelligence:index": listing(Capability.VIEW_INTELLIGENCE),
    "intelligence:new": listing(Capability.MANAGE_INTELLIGENCE),
    "intelligence:detail": record(Capability.VIEW_INTELLIGENCE),
    "intelligence:alerts": listing(Capability.VIEW_SAFETY_ALERTS),
    "intelligence:alert_new": Access(NOBODY, listing=True),
    "intelligence:alert": listing(Capability.VIEW_SAFETY_ALERTS),
    "intelligence:alert_respond": record(Capability.RESPOND_SAFETY_ALERTS),
    "intelligence:meetings": listing(Capability.VIEW_INTELLIGENCE),
    "intelligence:meeting": listing(Capability.VIEW_INTELLIGENCE),
    "intelligence:log_new": listing(Capability.MANAGE_INTELLIGENCE),
    "intelligence:log_status": Access(NOBODY),  # POST only
    # People and roles: administrators, for the organisations they administer.
    "people:index": listing(Capability.MANAGE_PEOPLE),
    "people:add": listing(Capability.MANAGE_PEOPLE),
    "people:person": record(Capability.MANAGE_PEOPLE),
    "people:deactivate": record(Capability.MANAGE_PEOPLE),  # GET: the confirmation
    "people:give_role": Access(NOBODY),  # POST only
    "people:remove_role": Access(NOBODY),  # POST only
    "people:reactivate": Access(NOBODY),  # POST only
    "people:invite": Access(NOBODY),  # POST only
    # The set-password link: anyone holding it (a wrong link says so, with a 200).
    "people:set_password": public(),
    "people:set_password_done": public(),
    # Open data (ADR 29): public pages; no release is published in this region (404).
    "open_data:index": public(),
    "open_data:about": public(),
    "open_data:dictionary": public(),
    "open_data:dictionary_csv": public(),
    "open_data:release": Access(NOBODY, listing=True),
    "open_data:download": Access(NOBODY, listing=True),
    "open_data:release_dictionary_csv": Access(NOBODY, listing=True),
    "public_api:api-root": Access(NOBODY, listing=True),
    "public_api:openapi-json": public(),
    "public_api:openapi-view": public(),
    "public_api:open_data_releases": public(),
    "public_api:open_data_release": Access(NOBODY, listing=True),
    "public_api:open_data_table": Access(NOBODY, listing=True),
    # Deciding what the system publishes needs MANAGE_PUBLICATION at the ICS: every role here
    # is held at a trust, so nobody (tests/publishing/test_open_data.py has the ICB lead).
    "releases:index": Access(NOBODY, listing=True),
    "releases:release": Access(NOBODY, listing=True),
}

# The API read routes, with the bearer token of the person (no session).
API_ACCESS: dict[str, Access] = {
    "api:events": Access(ALL_ROLES, members=True, listing=True),  # the caller's organisations
    "api:event": member_record(),
    "api:signals": listing(Capability.VIEW_WATCHLIST),
}


@dataclass
class Trust:
    """One trust's records, and the path parameters that reach them."""

    org: Organisation
    service: Organisation
    params: dict[str, Any] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)


def _trust_records(org: Organisation, service: Organisation) -> Trust:
    secret = f"{SECRET}-{org.code}"
    trust = Trust(org, service)
    event = notifiable_event(org, service=service, description=f"{secret} event")
    services_candour.add_referral(event, kind="leder_referral", actor=Actor(label="tests"))
    rule = PlanRuleFactory(organisation=org, category="falls", response="swarm")
    response = LearningResponseFactory(organisation=org, title=f"{secret} response")
    response.events.add(event)
    action = SafetyActionFactory(response=response, description=f"{secret} action")
    found = complaint(org, text=f"{secret} complaint")
    feedback = FeedbackFactory(organisation=org, kind="concern", text=f"{secret} feedback")
    case, _code = raise_case(org, concern=f"{secret} speak-up concern")
    quality_risk = risk(org, title=f"{secret} risk")
    governance.change_level(
        Actor(label="tests"),
        org,
        to_level="enhanced",
        rationale=f"{secret} rationale",
        decided_on=dt.date(2026, 3, 10),
        forum="sqg",
        expected_version=0,
    )
    review = governance.record_review(
        Actor(label="tests"),
        org,
        governance.ReviewInput(
            held_on=dt.date(2026, 3, 12),
            concern=f"{secret} review concern",
            decision="enhanced",
            decision_note="Synthetic note",
            attendees=[governance.AttendeeRow("Synthetic Person", "Chair", "ICB")],
        ),
        expected_version=1,
    )
    assert isinstance(review, RapidQualityReview)
    item = intelligence.log_intelligence(
        Actor(label="tests"),
        intelligence.IntelligenceInput(
            organisation=service,
            source="healthwatch",
            credibility="credible",
            severity="high",
            received_on=dt.date(2026, 3, 1),
            summary=f"{secret} intelligence",
            shared_with_provider=True,
        ),
        today=dt.date(2026, 3, 2),
    )
    alert = SafetyAlert.objects.first() or intelligence.add_alert(
        Actor(label="tests"),
        org.parent.parent,
        reference="NatPSA/2026/001/NHSPS",
        title="Synthetic alert",
        issued_on=dt.date(2026, 1, 5),
        deadline=dt.date(2026, 2, 5),
        provider_types=["acute_trust"],
        actions=["Synthetic action"],
    )
    meeting = SqgMeeting.objects.first() or intelligence.add_meeting(
        Actor(label="tests"), org.parent.parent, dt.date(2026, 3, 4)
    )
    intelligence.add_surveillance(
        Actor(label="tests"),
        meeting,
        org,
        concern=f"{secret} surveillance",
        source="Synthetic",
        decision="Monitor",
        owner="Synthetic owner",
        review_on=dt.date(2026, 4, 4),
    )
    person = member(org, Role.STAFF, username=f"person-{org.code}")
    death, died = _mortality_records(org, secret)
    learned, draft = _learning_records(org, secret)
    trust.params = {
        "username": person.username,
        "uidb64": "not-a-user",
        "token": "not-a-token",
        "code": org.code,
        "reference": event.reference,
        "kind": "leder_referral",
        "pk": rule.pk,
        "indicator": "no-such-indicator",
        "draft_id": "no-such-draft",
        "period": "2026-03",
        "held_on": meeting.held_on.isoformat(),
        "step": "acknowledge",
        "name": "no-such-table",
        "fmt": "csv",
        # Per URL name, where the parameter means another record:
        "safety:response": {"reference": response.reference},
        "safety:response_edit": {"reference": response.reference},
        "safety:engagement_add": {"reference": response.reference},
        "safety:engagement_remove": {"reference": response.reference, "pk": 1},
        "safety:action_new": {"reference": response.reference},
        "safety:action": {"reference": action.reference},
        "safety:action_progress": {"reference": action.reference},
        "safety:response_progress": {"reference": response.reference},
        "voice:complaint": {"reference": found.feedback.reference},
        "voice:complaint_step": {"reference": found.feedback.reference},
        "voice:feedback_detail": {"reference": feedback.reference},
        "voice:feedback_step": {"reference": feedback.reference},
        "speakup:case": {"reference": case.reference},
        "speakup:edit": {"reference": case.reference},
        "speakup:reply": {"reference": case.reference},
        "speakup:close": {"reference": case.reference},
        "api:public_speakup_case": {"reference": case.reference},
        "api:public_speakup_messages": {"reference": case.reference},
        "signals:review_detail": {"pk": review.pk},
        "signals:review_progress": {"pk": review.pk},
        "signals:risk_detail": {"reference": quality_risk.reference},
        "signals:risk_edit": {"reference": quality_risk.reference},
        "signals:risk_review": {"reference": quality_risk.reference},
        "intelligence:detail": {"pk": item.pk},
        "intelligence:alert": {"pk": alert.pk},
        "intelligence:alert_respond": {"pk": alert.pk},
        "intelligence:log_new": {"kind": "surveillance"},
        "intelligence:log_status": {"kind": "surveillance"},
        "learning:summary": {"reference": draft.reference},
        "learning:write": {"reference": learned.reference},
        "learning:approve": {"reference": draft.reference},
        "learning:reuse": {"reference": draft.reference},
        "mortality:event_death": {"reference": died.reference},
        "mortality:death": {"reference": death.reference},
        "mortality:review": {"reference": death.reference},
        "mortality:leder_notify": {"reference": death.reference},
        "mortality:leder": {"reference": death.reference},
    }
    trust.secrets = [
        secret,
        event.reference,
        quality_risk.reference,
        case.reference,
        person.username,
        death.reference,
    ]
    return trust


def _mortality_records(org: Organisation, secret: str) -> tuple[Any, Any]:
    """A death screened in for review, and an event recording another death not yet added."""
    from caresignals.mortality import services as mortality
    from tests.mortality.helpers import fatal_event

    actor = Actor(label="tests")
    death = mortality.death_from_event(fatal_event(org, description=f"{secret} death"), actor=actor)
    mortality.screen(
        death,
        decision="in_scope",
        reason=f"{secret} screening",
        criteria=["safety_event"],
        expected_version=death.version,
        actor=actor,
        today=dt.date(2026, 10, 10),
    )
    return death, fatal_event(org, description=f"{secret} second death")


def _learning_records(org: Organisation, secret: str) -> tuple[Any, Any]:
    """A completed learning response and its summary, written but not yet approved."""
    from tests.learning.helpers import completed_response, lead_of, summary_for

    learned = completed_response(org, title=f"{secret} learned")
    draft = summary_for(learned, user=lead_of(org, f"learning-lead-{org.code}"), approve=False)
    return learned, draft


@dataclass
class Region:
    ics: Organisation
    a: Trust
    b: Trust


@pytest.fixture
def region(small_ics: Any, monkeypatch: pytest.MonkeyPatch) -> Region:
    a = _trust_records(small_ics.trust_a, small_ics.maternity_a)
    b = _trust_records(small_ics.trust_b, small_ics.maternity_b)
    entries = [
        replace(entry(small_ics.trust_a, small_ics.maternity_a), path=small_ics.maternity_a.path),
        replace(entry(small_ics.trust_b), path=small_ics.trust_b.path),
    ]
    fake_watchlist(monkeypatch, entries)
    for module in ("watchlist.compute", "watchlist.presenters", "watchlist.endpoints"):
        where = f"caresignals.signals.{module}"
        monkeypatch.setattr(f"{where}.compute_watchlist", lambda period: list(entries))
        monkeypatch.setattr(f"{where}.available_periods", lambda: ["2026-03"], raising=False)
        monkeypatch.setattr(f"{where}.has_data", lambda period: True, raising=False)
        monkeypatch.setattr(f"{where}.latest_period", lambda: "2026-03", raising=False)
        monkeypatch.setattr(f"{where}.default_period", lambda: "2026-03", raising=False)
        monkeypatch.setattr(f"{where}.is_complete", lambda period: True, raising=False)
    monkeypatch.setattr("caresignals.signals.governance.pack.pack_pdf", lambda pack, **kw: b"%PDF-")
    monkeypatch.setattr("caresignals.publishing.pdf.board_pdf", lambda report, **kw: b"%PDF-")
    return Region(small_ics.ics, a, b)


def url_patterns() -> list[tuple[str, URLPattern]]:
    """Every named URL pattern of the product, with its namespaced name."""
    found: list[tuple[str, URLPattern]] = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p, inner)
            elif p.name:
                found.append((f"{namespace}{p.name}", p))

    walk(get_resolver(), "")
    return found


def _path(name: str, trust: Trust) -> str:
    from django.urls import reverse

    pattern = dict(url_patterns())[name]
    wanted = list(pattern.pattern.regex.groupindex)
    special = trust.params.get(name, {})
    kwargs = {k: special.get(k, trust.params[k]) for k in wanted}
    return reverse(name, kwargs=kwargs)


CASES = ("own", "other", "dual")


def _person(role: str, case: str, region: Region, n: int) -> Any:
    user = member(region.a.org, role, username=f"matrix-{n}")
    if case == "dual":
        Membership.objects.create(user=user, organisation=region.b.org, role=Role.STAFF)
    return user


def _expected(access: Access, role: str, case: str) -> bool:
    if role not in access.own:
        return False
    if case == "own" or access.listing:
        return True
    return case == "dual" and access.members


def _leaked(response: Any, access: Access, case: str, region: Region) -> list[str]:
    """Trust B's records on a page opened by someone who may not read them there."""
    if case == "own" or (case == "dual" and access.members):
        return []
    body = response.content.decode(errors="replace")
    return [s for s in region.b.secrets if s in body]


def test_every_url_name_is_in_the_table() -> None:
    names = {name for name, _ in url_patterns()}
    assert not names - ACCESS.keys(), "add these pages to ACCESS"
    assert not ACCESS.keys() - names, "these pages no longer exist"


@pytest.mark.django_db
def test_authorisation_matrix(region: Region) -> None:
    failures: list[str] = []
    requests = 0
    names = [name for name, _ in url_patterns()]
    for n, (role, case) in enumerate((r, c) for r in sorted(ALL_ROLES) for c in CASES):
        user = _person(role, case, region, n)
        client = Client()
        client.force_login(user)
        trust = region.a if case == "own" else region.b
        for name in names:
            access = ACCESS[name]
            response = client.get(_path(name, trust))
            requests += 1
            opened = response.status_code == 200
            wanted = _expected(access, role, case)
            if opened != wanted:
                failures.append(f"{name} {role} {case}: {response.status_code}")
            elif opened and (leaked := _leaked(response, access, case, region)):
                failures.append(f"{name} {role} {case}: shows trust B's {leaked}")
        _row, token = create_token(user.username, name="matrix", actor=Actor(label="tests"))
        for name, access in API_ACCESS.items():
            response = client.get(_path(name, trust), headers={"Authorization": f"Bearer {token}"})
            requests += 1
            opened = response.status_code == 200
            if opened != _expected(access, role, case):
                failures.append(f"API {name} {role} {case}: {response.status_code}")
            elif opened and (leaked := _leaked(response, access, case, region)):
                failures.append(f"API {name} {role} {case}: shows trust B's {leaked}")
    assert requests == len(ALL_ROLES) * len(CASES) * (len(names) + len(API_ACCESS))
    assert not failures, "\n".join(failures)


def test_someone_without_a_membership_opens_nothing_of_an_organisation(region: Region) -> None:
    user = UserFactory(username="no-membership")
    client = Client()
    client.force_login(user)
    for name, access in ACCESS.items():
        if (access.members and not access.listing) or (
            access.own == ALL_ROLES and not access.listing
        ):
            assert client.get(_path(name, region.a)).status_code != 200, name


# --- the leaks of issue 16, one by one: a role at trust A, plain staff at trust B ---------------

LEAKS: list[tuple[str, str, str]] = [
    # (role at trust A, URL name, a page of trust B's or a list that must not show trust B)
    (Role.BOARD_MEMBER, "signals:escalation_index", "list"),
    (Role.BOARD_MEMBER, "signals:escalation_detail", "record"),
    (Role.PATIENT_SAFETY_LEAD, "signals:review_detail", "record"),
    (Role.BOARD_MEMBER, "signals:risk_index", "list"),
    (Role.PATIENT_SAFETY_LEAD, "signals:risk_detail", "record"),
    (Role.BOARD_MEMBER, "safety:event_candour", "record"),
    (Role.PATIENT_SAFETY_LEAD, "safety:candour_list", "list"),
    (Role.PATIENT_SAFETY_LEAD, "safety:referral_list", "list"),
    (Role.BOARD_MEMBER, "safety:referral_task", "record"),
    (Role.ANALYST, "safety:system", "list"),
    (Role.BOARD_MEMBER, "signals:watchlist", "list"),
    (Role.BOARD_MEMBER, "signals:pack", "list"),
    (Role.BOARD_MEMBER, "speakup:summary", "list"),
    (Role.PATIENT_SAFETY_LEAD, "mortality:deaths", "list"),
    (Role.PATIENT_SAFETY_LEAD, "mortality:death", "record"),
    (Role.PATIENT_SAFETY_LEAD, "mortality:review", "record"),
    (Role.BOARD_MEMBER, "api:signals", "list"),
    (Role.BOARD_MEMBER, "organisations:detail", "panel"),
    (Role.ADMINISTRATOR, "audit:index", "list"),
    (Role.ADMINISTRATOR, "people:index", "list"),
    (Role.ADMINISTRATOR, "people:add", "list"),
    (Role.ADMINISTRATOR, "people:person", "record"),
    (Role.ADMINISTRATOR, "people:deactivate", "record"),
]


@pytest.mark.parametrize(("role", "name", "kind"), LEAKS, ids=[f"{n}-{r}" for r, n, _ in LEAKS])
def test_a_role_at_one_trust_does_not_reach_into_another(
    region: Region, role: str, name: str, kind: str
) -> None:
    user = _person(role, "dual", region, 0)
    client = Client()
    client.force_login(user)
    headers = {}
    if name.startswith("api:"):
        _row, token = create_token(user.username, name="leak", actor=Actor(label="tests"))
        headers = {"Authorization": f"Bearer {token}"}
    response = client.get(_path(name, region.b), headers=headers)
    body = response.content.decode(errors="replace")
    if kind == "record":
        assert response.status_code == 404
    elif kind == "panel":  # staff at trust B read its page, without the governance panels
        assert response.status_code == 200
        assert "/signals/escalation/TB/" not in body
        assert "/safety/candour/?org=TB" not in body
    else:
        assert response.status_code == 200
        shown = [s for s in [*region.a.secrets, "Trust A", '"TA"'] if s in body]
        assert shown, "the page shows none of trust A's records either"
        assert not [s for s in region.b.secrets if s in body]
        assert "Trust B" not in body and '"TB"' not in body


def test_the_pack_pdf_is_cut_to_where_the_reader_holds_the_role(region: Region) -> None:
    from caresignals.signals.governance.pack import pack_for

    user = _person(Role.BOARD_MEMBER, "dual", region, 0)
    pack = pack_for(user, dt.date(2026, 3, 1))
    assert [e.provider.code for e in pack.escalated] == ["TA"]
    assert {r.entry.org_code for r in pack.entries} == {"TA"}


def test_a_write_needs_the_role_where_the_record_is(region: Region) -> None:
    from django.core.exceptions import PermissionDenied

    from caresignals.signals.models import QualityRisk

    user = _person(Role.ICB_QUALITY_LEAD, "dual", region, 0)
    risk_b = QualityRisk.objects.get(organisation=region.b.org)
    with pytest.raises(PermissionDenied):
        governance.review_risk(
            Actor(user=user),
            risk_b,
            reviewed_on=dt.date(2026, 3, 20),
            note="Synthetic review",
            consequence=3,
            likelihood=3,
            next_review_on=dt.date(2026, 6, 20),
            expected_version=risk_b.version,
        )
    client = Client()
    client.force_login(user)
    assert client.get(_path("signals:risk_review", region.b)).status_code == 404


def test_a_service_refuses_an_actor_that_names_nobody(region: Region) -> None:
    from django.core.exceptions import PermissionDenied

    from caresignals.signals.models import QualityRisk

    risk_a = QualityRisk.objects.get(organisation=region.a.org)
    with pytest.raises(PermissionDenied):
        governance.review_risk(
            Actor(),
            risk_a,
            reviewed_on=dt.date(2026, 3, 20),
            note="Synthetic review",
            consequence=3,
            likelihood=3,
            next_review_on=dt.date(2026, 6, 20),
            expected_version=risk_a.version,
        )
