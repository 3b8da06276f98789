"""The second factor after a local password (ADR 20), through the pages: who is asked, set-up
with a QR code and a typed key, giving it after the password, recovery codes, replacing it, and
the command an administrator uses when both phone and codes are lost."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.organisations import second_factor
from caresignals.organisations.roles import SECOND_FACTOR_ROLES, Role, needs_second_factor
from caresignals.pages.views_signin import PENDING_SECRET
from tests.clock import LONDON, suite_today
from tests.factories import member

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _required(settings: Any) -> None:
    settings.CARESIGNALS_REQUIRE_SECOND_FACTOR = True


def _code(secret: str) -> str:
    """The code the app shows now (TOTP reads the suite's clock)."""
    return f"{TOTP(bytes.fromhex(secret)).token():06d}"


def _later(minutes: int = 1, *, tick: bool = True) -> time_machine.travel:
    """Codes are single-use per 30-second step: the next one comes a little later."""
    at = dt.datetime.combine(suite_today(), dt.time(10), LONDON) + dt.timedelta(minutes=minutes)
    return time_machine.travel(at, tick=tick)


def _password(client: Client, username: str) -> None:
    answer = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert answer.status_code == 302


def _set_up(client: Client) -> tuple[str, list[str]]:
    page = client.get(reverse("second_factor"))
    assert page.status_code == 200
    secret = client.session[PENDING_SECRET]
    done = client.post(reverse("second_factor"), {"code": _code(secret), "next": "/"})
    assert done.status_code == 200
    return secret, _recovery_codes(done)


def _recovery_codes(page: Any) -> list[str]:
    listed = page.content.decode().split('caresignals-recovery-codes">', 1)[1].split("</ul>")[0]
    return re.findall(r"<code>(\w+)</code>", listed)


def test_the_rule_is_every_role_that_sees_identifiable_or_cross_organisation_data() -> None:
    assert set(Role.values) - SECOND_FACTOR_ROLES == {Role.STAFF}


@pytest.mark.django_db
def test_a_quality_lead_sets_up_a_second_factor_before_anything_else(small_ics):
    lead = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="lead")
    assert needs_second_factor(lead)
    client = Client()
    _password(client, "lead")
    sent = client.get("/organisations/")
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/second-factor/?next=%2Forganisations%2F"
    assert client.get("/about/").status_code == 200  # public pages stay open
    page = client.get(sent["Location"])
    body = page.content.decode()
    assert "<svg" in body and "QR code for your authenticator app" in body
    secret = client.session[PENDING_SECRET]
    assert second_factor.secret_as_text(secret).replace(" ", "") in body.replace(" ", "")
    assert "Organisations" not in body.split("<main", 1)[0]  # no menu yet
    assert not second_factor.has_second_factor(lead)  # nothing kept until a code proves it

    wrong = client.post(reverse("second_factor"), {"code": "000000", "next": "/organisations/"})
    assert wrong.status_code == 200
    assert "Enter the 6-digit code your authenticator app shows now" in wrong.content.decode()
    assert not second_factor.has_second_factor(lead)

    done = client.post(reverse("second_factor"), {"code": _code(secret), "next": "/organisations/"})
    codes = _recovery_codes(done)
    assert len(codes) == second_factor.RECOVERY_CODES and len(set(codes)) == len(codes)
    assert all(c in done.content.decode() for c in codes)
    assert 'href="/organisations/"' in done.content.decode()
    assert client.get("/organisations/").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.SECOND_FACTOR_SET_UP)
    assert entry.object_id == "lead" and entry.actor == lead
    assert PENDING_SECRET not in client.session


@pytest.mark.django_db
def test_the_next_sign_in_asks_for_the_code_and_a_code_works_once(small_ics):
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="psl")
    client = Client()
    _password(client, "psl")
    secret, _codes = _set_up(client)
    client.post(reverse("logout"))

    with _later():
        _password(client, "psl")
        sent = client.get("/safety/triage/")
        assert sent["Location"] == "/accounts/second-factor/verify/?next=%2Fsafety%2Ftriage%2F"
        page = client.get(sent["Location"])
        assert "Code from your authenticator app" in page.content.decode()
        wrong = client.post(reverse("second_factor_verify"), {"code": "123456"})
        assert "The code is not right" in wrong.content.decode()
    with _later(5):  # past django-otp's pause after a wrong code
        code = _code(secret)
        given = client.post(
            reverse("second_factor_verify"), {"code": code, "next": "/safety/triage/"}
        )
        assert given.status_code == 302 and given["Location"] == "/safety/triage/"
        assert client.get("/safety/triage/").status_code == 200
        # The same code cannot be given again, by anyone holding the password.
        other = Client()
        _password(other, "psl")
        again = other.post(reverse("second_factor_verify"), {"code": code})
        assert again.status_code == 200 and "The code is not right" in again.content.decode()


@pytest.mark.django_db
def test_wrong_codes_make_the_next_try_wait(small_ics):
    member(small_ics.trust_a, Role.COMPLAINTS_LEAD, username="cl")
    client = Client()
    _password(client, "cl")
    secret, _codes = _set_up(client)
    client.post(reverse("logout"))
    with _later(tick=False):
        _password(client, "cl")
        for _ in range(4):
            client.post(reverse("second_factor_verify"), {"code": "999999"})
        refused = client.post(reverse("second_factor_verify"), {"code": _code(secret)})
        assert refused.status_code == 200  # even the right code, until the pause is over


@pytest.mark.django_db
def test_a_recovery_code_works_once_and_is_audited(small_ics):
    member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN, username="guardian")
    client = Client()
    _password(client, "guardian")
    _secret, codes = _set_up(client)
    client.post(reverse("logout"))
    _password(client, "guardian")
    used = client.post(reverse("second_factor_verify"), {"code": codes[0].upper(), "next": "/"})
    assert used.status_code == 302
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.SECOND_FACTOR_RECOVERY_USED)
    assert entry.details == {"left": second_factor.RECOVERY_CODES - 1}
    client.post(reverse("logout"))
    _password(client, "guardian")
    again = client.post(reverse("second_factor_verify"), {"code": codes[0]})
    assert again.status_code == 200


@pytest.mark.django_db
def test_the_password_alone_cannot_replace_or_remove_the_second_factor(small_ics):
    lead = member(small_ics.trust_a, Role.ADMINISTRATOR, username="admin")
    client = Client()
    _password(client, "admin")
    _set_up(client)
    client.post(reverse("logout"))
    _password(client, "admin")
    assert client.get(reverse("second_factor"))["Location"].startswith(
        reverse("second_factor_verify")
    )
    assert client.post(reverse("second_factor_remove")).status_code == 302
    assert second_factor.has_second_factor(lead)
    assert not AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_REMOVED).exists()


@pytest.mark.django_db
def test_a_verified_person_replaces_their_second_factor(small_ics):
    lead = member(small_ics.trust_a, Role.ANALYST, username="analyst")
    client = Client()
    _password(client, "analyst")
    _set_up(client)
    page = client.get(reverse("second_factor")).content.decode()
    assert "8 unused recovery codes" in page
    removed = client.post(reverse("second_factor_remove"))
    assert removed["Location"] == reverse("second_factor")
    assert not second_factor.has_second_factor(lead)
    assert AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_REMOVED).count() == 1
    assert client.get("/")["Location"].startswith(reverse("second_factor"))  # set up again
    with _later():
        _set_up(client)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_staff_and_the_demo_are_not_asked(small_ics, settings):
    member(small_ics.trust_a, Role.STAFF, username="nurse")
    client = Client()
    _password(client, "nurse")
    assert client.get("/").status_code == 200
    assert (
        "Your roles do not need a second factor"
        in client.get(reverse("second_factor")).content.decode()
    )
    settings.CARESIGNALS_REQUIRE_SECOND_FACTOR = False
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="lead")
    demo = Client()
    _password(demo, "lead")
    assert demo.get("/").status_code == 200


@pytest.mark.django_db
def test_an_administrator_removes_a_lost_second_factor_from_the_command_line(small_ics, capsys):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="psl")
    client = Client()
    _password(client, "psl")
    _set_up(client)
    call_command("signin", "remove-second-factor", "psl")
    assert "psl: second factor removed" in capsys.readouterr().out
    assert not second_factor.has_second_factor(lead)
    entry = AuditEntry.objects.get(action=AuditAction.SECOND_FACTOR_REMOVED)
    assert entry.actor is None and "via caresignals signin" in entry.actor_label
    # The session that gave the old factor is not verified any more.
    assert client.get("/")["Location"].startswith(reverse("second_factor"))


@pytest.mark.django_db
def test_forgetting_a_subject_from_the_command_line(small_ics, capsys):
    person = member(small_ics.trust_a, Role.STAFF, username="ana")
    person.identity_provider_subject = "sub-ana"
    person.save()
    call_command("signin", "forget-subject", "ana")
    person.refresh_from_db()
    assert person.identity_provider_subject == ""
    assert AuditEntry.objects.get(action=AuditAction.IDENTITY_PROVIDER_FORGOTTEN).details == {
        "subject": "sub-ana"
    }
    with pytest.raises(Exception, match="no user has the username"):
        call_command("signin", "forget-subject", "nobody")
