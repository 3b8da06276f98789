"""The library's pages through the web: search, read, write, approve, reuse; and the
similar learning offered when a response or an action is started."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caresignals.learning.models import LearningReuse, LearningSummary
from caresignals.organisations.roles import Role
from tests.factories import member
from tests.learning.helpers import completed_response, lead_of, summary_for

pytestmark = pytest.mark.django_db


def test_library_searches_with_highlights_and_filters(client, small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    s = summary_for(completed_response(small_ics.trust_a), user=lead)
    client.force_login(member(small_ics.trust_b, Role.STAFF, username="staff-b"))
    page = client.get(reverse("learning:library"), {"q": "insulin"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 summary" in html and s.reference in html and "<mark>insulin</mark>" in html.lower()
    none = client.get(reverse("learning:library"), {"q": "insulin", "category": "falls"})
    assert "No summaries match" in none.content.decode()
    odd = client.get(reverse("learning:library"), {"category": "nonsense", "page": "x"})
    assert odd.status_code == 200  # unknown choices are ignored, not an error


def test_the_library_needs_sign_in(client, small_ics):
    assert client.get(reverse("learning:library")).status_code == 302


def test_writing_from_a_completed_response_then_approving(client, small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    response = completed_response(small_ics.trust_a)
    client.force_login(lead)
    library = client.get(reverse("learning:library")).content.decode()
    assert f"Write the summary for {response.reference}" in library
    url = reverse("learning:write", kwargs={"reference": response.reference})
    form = client.get(url)
    assert "Handover had no step for insulin." in form.content.decode()  # pre-filled
    bad = client.post(url, {"title": "", "outcome": ""})
    assert bad.status_code == 400
    assert "Enter a title for the summary" in bad.content.decode()
    assert not LearningSummary.objects.exists()
    posted = client.post(
        url,
        {
            "title": "Synthetic: insulin at handover",
            "what_happened": "Mr Tobias Quill, NHS number 9434765919, missed insulin.",
            "factor_tasks": "No insulin step.",
            "actions": "Insulin on the sheet.",
            "outcome": "improved",
        },
    )
    s = LearningSummary.objects.get()
    assert posted.status_code == 302 and posted.url == f"/learning/{s.reference}/"
    page = client.get(posted.url).content.decode()
    assert "Tobias Quill" in page and "9434765919" in page  # in the "taken out" table only
    assert "Mr [name], NHS number [NHS number], missed insulin." in page
    refused = client.post(reverse("learning:approve", kwargs={"reference": s.reference}), {})
    assert refused.status_code == 400
    assert "Confirm that you have read" in refused.content.decode()
    client.post(
        reverse("learning:approve", kwargs={"reference": s.reference}),
        {"confirm": "yes", "version": str(s.version)},
    )
    s.refresh_from_db()
    assert s.status == "approved" and s.approved_by == lead


def test_outside_the_provider_only_the_de_identified_text_shows(client, small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    s = summary_for(
        completed_response(small_ics.trust_a),
        user=lead,
        what_happened="Mrs Ada Frobisher missed insulin.",
    )
    client.force_login(member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"))
    page = client.get(reverse("learning:summary", kwargs={"reference": s.reference}))
    html = page.content.decode()
    assert page.status_code == 200 and "Mrs [name] missed insulin." in html
    assert "Frobisher" not in html and "What de-identification took out" not in html
    assert (
        client.post(
            reverse("learning:approve", kwargs={"reference": s.reference}), {"confirm": "yes"}
        ).status_code
        == 404
    )
    write = reverse("learning:write", kwargs={"reference": s.response.reference})
    assert client.get(write).status_code == 404


def test_a_draft_is_not_found_outside_its_provider(client, small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    s = summary_for(completed_response(small_ics.trust_a), user=lead, approve=False)
    client.force_login(lead_of(small_ics.trust_b, "lead-b"))
    assert (
        client.get(reverse("learning:summary", kwargs={"reference": s.reference})).status_code
        == 404
    )


def test_we_used_this(client, small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    s = summary_for(completed_response(small_ics.trust_a), user=lead)
    client.force_login(member(small_ics.trust_b, Role.STAFF, username="staff-b"))
    url = reverse("learning:summary", kwargs={"reference": s.reference})
    assert "We used this at Trust B" in client.get(url).content.decode()
    done = client.post(
        reverse("learning:reuse", kwargs={"reference": s.reference}),
        {"organisation": str(small_ics.trust_b.pk), "how": "Added to our handover."},
    )
    assert done.status_code == 302
    assert LearningReuse.objects.get().organisation == small_ics.trust_b
    html = client.get(url).content.decode()
    assert "Trust B" in html and "Added to our handover." in html and "We used this" not in html


def test_starting_a_response_or_an_action_shows_similar_learning_from_elsewhere(client, small_ics):
    lead_b = lead_of(small_ics.trust_b, "lead-b")
    elsewhere = summary_for(completed_response(small_ics.trust_b), user=lead_b)
    lead_a = lead_of(small_ics.trust_a, "lead-a")
    own = summary_for(completed_response(small_ics.trust_a), user=lead_a)
    from tests.safety_response.factories import event

    e = event(
        small_ics.trust_a, category="medication", description="Insulin not given at handover."
    )
    client.force_login(lead_a)
    start = client.get(reverse("safety:response_new"), {"event": e.reference}).content.decode()
    assert "Similar learning from elsewhere" in start
    assert f"/learning/{elsewhere.reference}/" in start
    assert f"/learning/{own.reference}/" not in start  # not from the provider itself
    action = client.get(
        reverse("safety:action_new", kwargs={"reference": own.response.reference})
    ).content.decode()
    assert f"/learning/{elsewhere.reference}/" in action
    page = client.get(reverse("safety:response", kwargs={"reference": own.response.reference}))
    assert f"Learning summary {own.reference} (approved)" in page.content.decode()
