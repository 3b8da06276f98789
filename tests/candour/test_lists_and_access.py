"""The overdue list, the ICB's cross-provider view, and who may see and change what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from caresignals.analytics import event_indicators
from caresignals.organisations.roles import Role
from caresignals.safety.candour import notifiable as candour
from caresignals.safety.events import rules
from caresignals.safety.models import CandourRecord, PatientSafetyEvent
from caresignals.safety.vocabulary import PhysicalHarm, PsychologicalHarm
from tests.candour.factories import notifiable_event, steps_post, undecided_event
from tests.clock import suite_today
from tests.factories import EventFactory, OrganisationFactory, member

pytestmark = pytest.mark.django_db

TODAY = suite_today()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_the_notifiable_filter_is_the_rules_for_every_provider_type_and_harm(small_ics):
    providers = [
        OrganisationFactory(code=f"P{i}", type=t, parent=small_ics.place_a)
        for i, t in enumerate(sorted(rules.PROVIDER_TYPES))
    ]
    expected = set()
    for org in providers:
        for phys in ["", *PhysicalHarm.values]:
            for psych in ["", *PsychologicalHarm.values]:
                e = EventFactory(
                    organisation=org, physical_harm=phys, psychological_harm=psych, max_harm=""
                )
                if rules.candour_notifiable(org.type, phys, psych) is True:
                    expected.add(e.pk)
    found = set(
        PatientSafetyEvent.objects.filter(candour.notifiable_q()).values_list("pk", flat=True)
    )
    assert found == expected and expected


@pytest.mark.date_sensitive
def test_the_overdue_list_is_most_overdue_first_and_leaves_out_done_ones(client, small_ics):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead.a")
    oldest = notifiable_event(small_ics.trust_a, reported_on=days_ago(60), occurred_on=days_ago(61))
    middle = notifiable_event(small_ics.trust_a, reported_on=days_ago(40), occurred_on=days_ago(41))
    recent = notifiable_event(small_ics.trust_a, reported_on=days_ago(30), occurred_on=days_ago(31))
    fresh = notifiable_event(small_ics.trust_a, reported_on=TODAY, occurred_on=TODAY)
    done = notifiable_event(small_ics.trust_a, reported_on=days_ago(50), occurred_on=days_ago(51))
    CandourRecord.objects.create(
        event=done, notified_in_person_on=days_ago(45), notified_by="A", apology_given=True
    )
    declined = notifiable_event(
        small_ics.trust_a, reported_on=days_ago(55), occurred_on=days_ago(55)
    )
    CandourRecord.objects.create(
        event=declined, contact_outcome="declined", contact_outcome_on=days_ago(50)
    )
    hand = undecided_event(small_ics.trust_a, reported_on=days_ago(35), occurred_on=days_ago(35))
    CandourRecord.objects.create(event=hand, hand_flagged=True, hand_flag_reason="r")
    undecided_event(
        small_ics.trust_a, reported_on=days_ago(35), occurred_on=days_ago(35)
    )  # not flagged
    notifiable_event(small_ics.trust_b, reported_on=days_ago(70), occurred_on=days_ago(70))
    client.force_login(lead)

    page = client.get("/safety/candour/").content.decode()
    refs = [oldest.reference, middle.reference, hand.reference, recent.reference]
    positions = [page.index(r) for r in refs]
    assert positions == sorted(positions)
    assert fresh.reference not in page and done.reference not in page
    assert declined.reference not in page
    assert "(flagged by hand)" in page
    assert "Overdue (4)" in page and "Done (2)" in page and "All open (5)" in page
    done_page = client.get("/safety/candour/?status=done").content.decode()
    assert done.reference in done_page and declined.reference in done_page
    open_page = client.get("/safety/candour/?status=due_soon").content.decode()
    assert "No notifications fall due in the next 3 working days" in open_page


def test_an_empty_list_says_so(client, small_ics):
    client.force_login(member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l"))
    page = client.get("/safety/candour/").content.decode()
    assert "No notifications are overdue." in page


# --- authorisation: each role, own and other organisation -----------------------------------

VIEWERS = {Role.PATIENT_SAFETY_LEAD, Role.ICB_QUALITY_LEAD, Role.BOARD_MEMBER, Role.ANALYST}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_at_its_own_and_another_provider(client, small_ics, role):
    own = notifiable_event(small_ics.trust_a, reported_on=days_ago(30), occurred_on=days_ago(31))
    other = notifiable_event(small_ics.trust_b, reported_on=days_ago(30), occurred_on=days_ago(31))
    client.force_login(member(small_ics.trust_a, role, username=f"u-{role}"))
    own_url = f"/safety/events/{own.reference}/candour/"
    other_url = f"/safety/events/{other.reference}/candour/"
    # Another organisation's event does not exist as far as this person can tell.
    assert client.get(other_url).status_code == 404
    assert client.post(other_url, steps_post(0)).status_code == 404
    assert client.get("/safety/candour/?org=TB").status_code == 404
    expected_view = 200 if role in VIEWERS else 403
    assert client.get(own_url).status_code == expected_view
    assert client.get("/safety/candour/").status_code == expected_view
    assert client.get("/safety/referrals/").status_code == expected_view
    assert client.get("/safety/system/").status_code == expected_view
    post = client.post(
        own_url,
        steps_post(0, notified_in_person_on=days_ago(29), notified_by="A", apology_given=True),
    )
    if role == Role.PATIENT_SAFETY_LEAD:
        assert post.status_code == 302
    else:
        assert post.status_code == 403
        assert not CandourRecord.objects.exists()
    if role in VIEWERS:
        assert other.reference not in client.get("/safety/candour/?status=open").content.decode()


def test_an_icb_lead_sees_every_provider_but_changes_nothing(client, small_ics):
    event = notifiable_event(small_ics.trust_b, reported_on=days_ago(30), occurred_on=days_ago(31))
    client.force_login(member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"))
    url = f"/safety/events/{event.reference}/candour/"
    assert client.get(url).status_code == 200
    assert event.reference in client.get("/safety/candour/").content.decode()
    response = client.post(url, {"action": "flag", "flag": "on", "reason": "x", "version": "0"})
    assert response.status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, small_ics):
    event = notifiable_event(small_ics.trust_a)
    for url in (
        f"/safety/events/{event.reference}/candour/",
        "/safety/candour/",
        "/safety/system/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


# --- the ICB's view across providers -------------------------------------------------------


@pytest.fixture
def region(small_ics):
    for _ in range(9):
        EventFactory(
            organisation=small_ics.trust_a, occurred_on=days_ago(20), reported_on=days_ago(20)
        )
    severe = notifiable_event(
        small_ics.trust_b,
        physical_harm="severe",
        max_harm="severe",
        occurred_on=days_ago(40),
        reported_on=days_ago(40),
        description="Mr Smith, DOB 01/02/1950, fell at 4 Synthetic Road, NE1 4LP.",
    )
    EventFactory(
        organisation=small_ics.trust_b,
        record_type="risk",
        physical_harm="",
        max_harm="",
        occurred_on=days_ago(10),
        reported_on=days_ago(10),
    )
    EventFactory(
        organisation=small_ics.trust_b, occurred_on=days_ago(400), reported_on=days_ago(400)
    )
    event_indicators.refresh()  # the system view counts from the monthly aggregates
    return severe


def test_the_icb_sees_real_counts_and_deidentified_text(client, small_ics, region):
    client.force_login(member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"))
    page = client.get("/safety/system/").content.decode()
    assert "11 events in the period." in page
    assert "Trust A" in page and "Trust B" in page
    assert region.reference in page
    assert "Mr [name]" in page and "Smith" not in page and "NE1 4LP" not in page
    assert "01/02/1950" not in page
    assert 'href="/safety/candour/?org=TB"' in page
    # Candour overdue at Trust B: the severe event reported 40 days ago, nothing recorded.
    assert '1<span class="nhsuk-u-visually-hidden"> overdue at Trust B' in page
    longer = client.get("/safety/system/?months=24").content.decode()
    assert "12 events in the period." in longer


def test_every_breakdown_sums_the_periods_events(small_ics, region, today):
    """The view counts the period's events once and sums them every way it shows them: each
    breakdown must match counting the events directly."""
    from collections import Counter

    from caresignals.safety.candour.queries import system_view
    from caresignals.safety.vocabulary import MaxHarm, RecordType, ServiceArea

    EventFactory(
        organisation=small_ics.trust_a,
        service_area="maternity",
        physical_harm="fatal",
        max_harm="fatal",
        occurred_on=days_ago(5),
        reported_on=days_ago(5),
    )
    event_indicators.refresh()
    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    start = (today.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    view = system_view(icb, start=start, end=today, today=today, shared=False)
    events = list(PatientSafetyEvent.objects.filter(occurred_on__gte=start, occurred_on__lte=today))

    def counted(attribute: str) -> Counter[str]:
        return Counter(getattr(e, attribute) for e in events)

    labels = {
        "record_type": dict(RecordType.choices),
        "max_harm": {**dict(MaxHarm.choices), "": "Not known, or a risk or good care"},
        "service_area": dict(ServiceArea.choices),
    }
    for attribute, shown in [
        ("record_type", view.by_type),
        ("max_harm", view.by_harm),
        ("service_area", view.by_area),
    ]:
        expected = {labels[attribute][k]: n for k, n in counted(attribute).items()}
        assert {label: c.count for label, c in shown if c.count} == expected, attribute
    assert view.total.count == len(events)
    for line in view.providers:
        mine = [e for e in events if e.organisation.code == line.code]
        assert line.events.count == len(mine)
        assert line.serious.count == sum(e.max_harm in ("severe", "fatal") for e in mine)


def test_shared_beyond_the_icb_small_counts_are_suppressed_and_text_left_out(
    client, small_ics, region
):
    client.force_login(member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"))
    page = client.get("/safety/system/?share=1").content.decode()
    assert "10 events in the period." in page  # 11 rounded to the nearest 5
    assert "suppressed" in page
    assert region.reference not in page and "Recent serious events" not in page


def test_inside_the_provider_the_text_is_full(client, small_ics, region):
    client.force_login(member(small_ics.trust_b, Role.BOARD_MEMBER, username="board.b"))
    page = client.get("/safety/system/").content.decode()
    assert "Mr Smith" in page
    assert "Trust A" not in page  # only the providers in the person's scope
    assert "2 events in the period." in page


def test_q_objects_compose():
    assert isinstance(candour.done_q(), Q)


@pytest.mark.date_sensitive
def test_the_home_page_counts_overdue_notifications_for_a_patient_safety_lead(client, small_ics):
    notifiable_event(small_ics.trust_a, reported_on=days_ago(30), occurred_on=days_ago(31))
    notifiable_event(small_ics.trust_b, reported_on=days_ago(30), occurred_on=days_ago(31))
    client.force_login(member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l"))
    page = client.get("/").content.decode()
    assert "1 notification overdue" in page and 'href="/safety/candour/"' in page
    client.force_login(member(small_ics.trust_a, Role.STAFF, username="s"))
    assert "Duty of Candour" not in client.get("/").content.decode()


def test_links_lead_only_where_the_reader_may_go(client, small_ics):
    event = notifiable_event(small_ics.trust_a)
    candour_page = f"/safety/events/{event.reference}/candour/"
    event_page = f'href="/safety/events/{event.reference}/"'
    candour_link = 'href="/safety/candour/?org=TA"'
    # A board member reads candour but not the PSIRF event page: no link to it.
    client.force_login(member(small_ics.trust_a, Role.BOARD_MEMBER, username="b"))
    assert event_page not in client.get(candour_page).content.decode()
    # The patient-safety lead reads both, and finds candour from the provider's page.
    client.force_login(member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l"))
    assert event_page in client.get(candour_page).content.decode()
    assert candour_link in client.get("/organisations/TA/").content.decode()
    # Staff may not open the candour list, so the provider's page does not offer it.
    client.force_login(member(small_ics.trust_a, Role.STAFF, username="s"))
    assert candour_link not in client.get("/organisations/TA/").content.decode()
