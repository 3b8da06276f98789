"""Soft intelligence: logging with validation, the filtered list, regrading and sharing,
audit, and who sees what (a provider never sees what the ICB has not shared)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.intelligence import services
from caresignals.intelligence.models import SoftIntelligence

pytestmark = pytest.mark.django_db


def posted(today: dt.date, **overrides: str) -> dict[str, str]:
    data = {
        "organisation": "TA-MAT",
        "source": "healthwatch",
        "source_detail": "Healthwatch Place A",
        "received_on_day": str(today.day),
        "received_on_month": str(today.month),
        "received_on_year": str(today.year),
        "summary": "Several families describe long waits for pain relief on the labour ward.",
        "credibility": "credible",
        "severity": "high",
        "shared": "no",
    }
    data.update(overrides)
    return data


def log(
    org,
    today,
    *,
    shared=False,
    severity="high",
    credibility="credible",
    days_ago=3,
    summary="Waits",
):
    return services.log_intelligence(
        Actor(label="test"),
        services.IntelligenceInput(
            organisation=org,
            source="mp",
            credibility=credibility,
            severity=severity,
            received_on=today - dt.timedelta(days=days_ago),
            summary=summary,
            shared_with_provider=shared,
        ),
        today=today,
    )


def test_the_icb_logs_intelligence_through_the_page_and_it_is_audited(client, people, today):
    client.force_login(people.icb)
    form = client.get("/intelligence/new/").content.decode()
    assert "Confirmed by a second, independent source" in form  # the scale in plain words
    assert "act this week" in form
    response = client.post("/intelligence/new/", posted(today))
    assert response.status_code == 302
    item = SoftIntelligence.objects.get()
    assert response["Location"] == f"/intelligence/{item.pk}/"
    assert (item.organisation.code, item.source, item.severity) == ("TA-MAT", "healthwatch", "high")
    assert item.received_on == today and item.logged_by == people.icb
    assert not item.shared_with_provider
    audit = AuditEntry.objects.get(action="intelligence.logged")
    assert audit.actor == people.icb and audit.organisation_path == item.organisation.path
    assert audit.details["severity"] == "high"
    detail = client.get(response["Location"]).content.decode()
    assert "long waits for pain relief" in detail and "Healthwatch Place A" in detail


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organisation", "", "Select the provider or service it is about"),
        ("organisation", "PA", "Select the provider or service it is about"),  # a place
        ("source", "", "Select where the intelligence came from"),
        ("source", "rumour", "Select where the intelligence came from"),
        ("credibility", "", "Select how credible it is"),
        ("severity", "extreme", "Select how severe it is"),
        ("summary", "  ", "Enter a summary of the intelligence"),
        ("received_on_day", "", "The date it was received must include a day"),
        ("shared", "", "Select whether to share it with the provider"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, people, today, field, value, message):
    client.force_login(people.icb)
    response = client.post("/intelligence/new/", posted(today, **{field: value}))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "There is a problem" in page
    assert not SoftIntelligence.objects.exists()
    assert not AuditEntry.objects.filter(action="intelligence.logged").exists()


def test_another_source_must_be_named_and_the_date_not_in_the_future(client, people, today):
    client.force_login(people.icb)
    response = client.post("/intelligence/new/", posted(today, source="other", source_detail=""))
    assert "Enter who the other source is" in response.content.decode()
    tomorrow = today + dt.timedelta(days=1)
    response = client.post(
        "/intelligence/new/",
        posted(
            today,
            received_on_day=str(tomorrow.day),
            received_on_month=str(tomorrow.month),
            received_on_year=str(tomorrow.year),
        ),
    )
    assert response.status_code == 400
    assert not SoftIntelligence.objects.exists()


def test_the_list_filters_by_provider_source_severity_credibility_and_status(
    client, people, small_ics, today
):
    log(small_ics.maternity_a, today, summary="About maternity A")
    log(small_ics.trust_b, today, severity="low", summary="About trust B")
    log(small_ics.trust_b, today, credibility="doubtful", summary="Doubtful about B")
    client.force_login(people.icb)
    everything = client.get("/intelligence/").content.decode()
    assert all(s in everything for s in ("About maternity A", "About trust B", "Doubtful about B"))
    only_a = client.get("/intelligence/?provider=TA").content.decode()
    assert "About maternity A" in only_a and "About trust B" not in only_a  # services included
    low = client.get("/intelligence/?severity=low").content.decode()
    assert "About trust B" in low and "About maternity A" not in low
    doubtful = client.get("/intelligence/?credibility=doubtful").content.decode()
    assert "Doubtful about B" in doubtful and "About trust B" not in doubtful
    assert "No intelligence matches" in client.get("/intelligence/?status=closed").content.decode()
    odd = client.get("/intelligence/?severity=huge&provider=NOPE").content.decode()
    assert "not a severity we know" in odd and "No provider has the code NOPE" in odd
    assert "About trust B" in odd


def test_regrading_sharing_and_closing_are_audited_and_closing_needs_an_outcome(
    client, people, small_ics, today
):
    item = log(small_ics.trust_a, today)
    client.force_login(people.icb)
    url = f"/intelligence/{item.pk}/"
    base = {"credibility": "corroborated", "severity": "high", "shared": "yes", "status": "closed"}
    response = client.post(url, {**base, "outcome": ""})
    assert response.status_code == 400
    assert "Enter the outcome before closing" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open" and not item.shared_with_provider
    response = client.post(url, {**base, "outcome": "Visited; rota fixed."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_on == today and item.shared_with_provider
    audit = AuditEntry.objects.get(action="intelligence.updated")
    assert audit.details["shared_with_provider"] == [False, True]
    assert audit.details["status"] == ["open", "closed"]


def test_providers_never_see_what_the_icb_has_not_shared(client, people, small_ics, today):
    log(small_ics.trust_a, today, summary="Unshared item about A")
    log(small_ics.maternity_a, today, shared=True, summary="Shared item about maternity A")
    log(small_ics.trust_b, today, shared=True, summary="Shared item about B")
    # The ICB sees every item on the provider's page, and who logged them.
    client.force_login(people.icb)
    page = client.get("/organisations/TA/").content.decode()
    assert "Unshared item about A" in page and "Shared item about maternity A" in page
    assert "not shared with the provider" in page
    # The provider's own lead and board see the shared item only, without who logged it.
    for person in (people.lead_a, people.board_a):
        client.force_login(person)
        page = client.get("/organisations/TA/").content.decode()
        assert "Shared item about maternity A" in page
        assert "Unshared item about A" not in page and "Shared item about B" not in page
        assert "test" not in page.split("Soft intelligence", 1)[1].split("</section>")[0]
        assert client.get("/intelligence/").status_code == 403
    # Plain staff see no panel at all, not even that intelligence exists.
    client.force_login(people.staff_a)
    page = client.get("/organisations/TA/").content.decode()
    assert "Soft intelligence" not in page and "Shared item" not in page
    # A provider cannot open an item or log one.
    client.force_login(people.lead_a)
    item = SoftIntelligence.objects.get(summary="Unshared item about A")
    assert client.get(f"/intelligence/{item.pk}/").status_code == 403
    assert client.post("/intelligence/new/", posted(today)).status_code == 403
    with pytest.raises(PermissionDenied):
        log_as(people.lead_a, small_ics.trust_a, today)


def log_as(user, org, today):
    return services.log_intelligence(
        Actor(user=user),
        services.IntelligenceInput(
            organisation=org,
            source="staff",
            credibility="credible",
            severity="high",
            received_on=today,
            summary="x",
        ),
        today=today,
    )


@pytest.mark.django_db
def test_logging_intelligence_puts_cached_watchlist_months_out_of_date(small_ics, today):
    """The watchlist reads intelligence, and is cached by month (ADR 25): a new item must
    change the version every month's entry is keyed by, or the signal shows only on expiry."""
    from caresignals.core.cache import version_through

    month = today.replace(day=1)
    before = version_through(month)
    log(small_ics.trust_a, today)
    assert version_through(month) != before
