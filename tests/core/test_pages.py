"""Sign-in, home pages per role, error pages and the security headers every page carries."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from caresignals.organisations.roles import Role
from tests.factories import member

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def test_sign_in_and_out(small_ics):
    user = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/sign-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        "/accounts/sign-in/",
        {"username": "priya", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert "Triage events against your incident response plan" in home.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.content.decode()).group(1)
    response = client.post("/accounts/sign-out/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    public = client.get("/").content.decode()  # signed out: the public start page
    assert "Tell us about NHS care" in public and "Triage events" not in public
    assert user.is_active


def test_the_public_start_page_says_which_form_to_use_when(client, small_ics):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Tell us about NHS care</h1>" in page
    assert page.index("call 999") < page.index('href="/report-a-concern/"')  # help now, first
    assert "call 111" in page and "111 online" in page
    for href in ('"/report-a-concern/"', '"/feedback/"', '"/speak-up/anonymous/"'):
        assert f"href={href}" in page
    assert "Something went wrong with care, or could go wrong" in page
    assert "say thank you, comment on care, or complain" in page
    assert "You work in the NHS and want to speak up" in page
    assert '<a href="/accounts/sign-in/">Staff sign in</a>' in page


def test_sign_in_without_csrf_token_is_refused(small_ics):
    member(small_ics.trust_a, Role.STAFF, username="sam")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/", {"username": "sam", "password": PASSWORD})
    assert response.status_code == 403


def test_wrong_password_shows_an_error_summary(small_ics):
    member(small_ics.trust_a, Role.STAFF, username="sam")
    response = Client().post("/accounts/sign-in/", {"username": "sam", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a correct username and password" in html


@pytest.mark.parametrize(
    ("role", "phrase"),
    [
        (Role.STAFF, "Record a patient-safety event"),
        (Role.PATIENT_SAFETY_LEAD, "Triage events"),
        (Role.COMPLAINTS_LEAD, "statutory clocks"),
        (Role.SPEAKUP_GUARDIAN, "Freedom to Speak Up cases"),
        (Role.ICB_QUALITY_LEAD, "One view of every provider"),
        (Role.BOARD_MEMBER, "quality and safety at a glance"),
        (Role.ANALYST, "how organisations compare"),
        (Role.ADMINISTRATOR, "People, roles and the audit log"),
    ],
)
def test_each_role_lands_on_its_own_home_page(small_ics, role, phrase):
    client = Client()
    client.force_login(member(small_ics.trust_a, role))
    html = client.get("/").content.decode()
    assert phrase in html
    assert "Trust A" in html


@pytest.mark.parametrize(
    ("role", "first_card"),
    [(Role.ICB_QUALITY_LEAD, "/signals/watchlist/"), (Role.BOARD_MEMBER, "/signals/watchlist/")],
)
def test_the_watchlist_leads_for_those_who_read_it(small_ics, role, first_card):
    client = Client()
    client.force_login(member(small_ics.trust_a, role))
    html = client.get("/").content.decode()
    cards = html.split('class="nhsuk-grid-row nhsuk-card-group"', 1)[1]
    hrefs = re.findall(r'href="([^"]+)"', cards)
    assert hrefs[0] == first_card
    staff = Client()
    staff.force_login(member(small_ics.trust_a, Role.STAFF, username="s2"))
    assert 'href="/signals/watchlist/"' not in staff.get("/").content.decode()


def test_synthetic_banner_when_demo(small_ics, settings):
    settings.DEMO = True
    html = Client().get("/accounts/sign-in/").content.decode()
    assert "Synthetic data." in html
    assert "No real patient data" in html
    settings.DEMO = False
    assert "Synthetic data." not in Client().get("/accounts/sign-in/").content.decode()


def test_public_pages_need_no_sign_in():
    for path in ("/about/", "/accessibility/", "/accounts/sign-in/", "/healthz"):
        assert Client().get(path).status_code == 200, path


def test_pages_load_nothing_from_other_hosts(small_ics):
    client = Client()
    client.force_login(member(small_ics.ics, Role.ADMINISTRATOR))
    for path in ("/", "/organisations/", "/organisations/PA/", "/audit/", "/nope/"):
        response = client.get(path)
        html = response.content.decode()
        # No src/href/action pointing at another host (links to text are fine, loads are not).
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), path
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_inline_script_carries_the_request_nonce(small_ics):
    response = Client().get("/accounts/sign-in/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()


def test_stylesheet_is_served_locally(small_ics):
    from django.contrib.staticfiles import finders

    css = finders.find("css/main.css")
    assert css, "run `npm run build` (the setup does) to compile the stylesheet"
    from pathlib import Path

    text = Path(css).read_text(encoding="utf-8")
    assert "assets.nhs.uk" not in text and "@font-face" not in text


def test_audit_log_is_for_administrators(small_ics):
    client = Client()
    client.force_login(member(small_ics.trust_a, Role.STAFF))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode()).group(1)


def test_error_pages_titles_say_error(small_ics, rf):
    from caresignals.core import views

    client = Client()
    client.force_login(member(small_ics.trust_a, Role.BOARD_MEMBER))
    assert _title(client.get("/no-such-page/")) == "Error: Page not found – Care Signals"
    assert _title(client.get("/safety/plan/")) == "Error: You cannot do this – Care Signals"
    request = rf.get("/")
    assert _title(views.bad_request(request)).startswith("Error: Sorry, there is a problem")
    assert _title(views.server_error(request)).startswith("Error: Sorry, there is a problem")


def test_a_form_shown_again_with_errors_says_error_in_its_title(small_ics):
    member(small_ics.trust_a, Role.STAFF, username="sam")
    assert _title(Client().get("/accounts/sign-in/")) == "Sign in – Care Signals"
    response = Client().post("/accounts/sign-in/", {"username": "sam", "password": "nope"})
    assert _title(response) == "Error: Sign in – Care Signals"
