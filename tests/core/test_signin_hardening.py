"""Sign-in hardening: throttled guessing, the password policy everywhere, private responses,
configurable transport headers, and a client address that a client cannot choose."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory, override_settings

from caresignals.audit.services import Actor
from caresignals.core.clients import client_address
from caresignals.organisations import services
from caresignals.organisations.models import User
from caresignals.organisations.roles import Role
from tests.factories import member

PASSWORD = "a-long-test-password"


def _sign_in(client: Client, username: str, password: str):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


@pytest.mark.django_db
def test_guessing_an_accounts_password_is_paused_then_allowed_again(small_ics, settings):
    member(small_ics.trust_a, Role.STAFF, username="sam")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "sam", "wrong-guess").status_code == 200
    refused = _sign_in(client, "sam", "wrong-guess")
    assert refused.status_code == 429
    assert "Sign-in paused for this account" in refused.content.decode()
    # Even the right password is refused while the account is paused, from any address.
    other = Client(REMOTE_ADDR="192.0.2.44")
    assert _sign_in(other, "sam", PASSWORD).status_code == 429

    from axes.utils import reset

    reset(username="sam")  # what the cool-off (or an administrator) does
    assert _sign_in(other, "sam", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_right_password_clears_earlier_mistakes(small_ics, settings):
    member(small_ics.trust_a, Role.STAFF, username="sam")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "sam", "wrong-guess")
    assert _sign_in(client, "sam", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "sam", "wrong-again").status_code == 200


@pytest.mark.django_db
def test_accounts_are_throttled_separately(small_ics, settings):
    member(small_ics.trust_a, Role.STAFF, username="sam")
    member(small_ics.trust_a, Role.STAFF, username="kim")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "sam", "wrong-guess")
    assert _sign_in(client, "kim", PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short", "password123", "kimberley-smith"])
def test_the_password_policy_applies_wherever_a_password_is_set(password):
    with pytest.raises(ValidationError):
        services.create_user(
            "kimberley",
            password=password,
            memberships=[],
            actor=Actor(label="test"),
            last_name="Smith",
            email="kimberley-smith@example.nhs.uk",
        )
    with pytest.raises(ValidationError):
        User.objects.create_user("kimberley", password=password, email="kimberley-smith@x.org")
    assert not User.objects.filter(username="kimberley").exists()


@pytest.mark.django_db
def test_a_good_password_and_no_password_are_both_accepted():
    services.create_user(
        "kim", password="plum tree at dusk", memberships=[], actor=Actor(label="t")
    )
    User.objects.create_user("no-password-yet", password=None)
    assert User.objects.filter(username__in=["kim", "no-password-yet"]).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/sign-in/", "/speak-up/case/", "/api/v1/"])
def test_no_response_may_be_kept_by_a_browser_or_a_shared_cache(small_ics, path):
    client = Client()
    client.force_login(member(small_ics.trust_a, Role.COMPLAINTS_LEAD))
    response = client.get(path)
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_transport_security_is_configurable(small_ics):
    with override_settings(
        SECURE_HSTS_SECONDS=31_536_000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_SSL_REDIRECT=False,
    ):
        response = Client().get("/accounts/sign-in/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in Client().get("/accounts/sign-in/", secure=True)


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        # No proxy configured: the header is the client's own claim and is ignored.
        ("203.0.113.9", "198.51.100.1", [], "203.0.113.9"),
        # Through a trusted proxy: the address it saw.
        ("10.0.0.2", "198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        # A client's forged hop before the real one is not believed.
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        # Two trusted proxies in a row.
        ("10.0.0.2", "198.51.100.1, 10.0.0.3", ["10.0.0.0/8"], "198.51.100.1"),
        # Not from the proxy: the header is not believed at all.
        ("203.0.113.9", "198.51.100.1", ["10.0.0.0/8"], "203.0.113.9"),
        # Rubbish in the header: the proxy's own address, never the rubbish.
        ("10.0.0.2", "not-an-address", ["10.0.0.0/8"], "10.0.0.2"),
        ("::1", "2001:db8::7", ["::1"], "2001:db8::7"),
    ],
)
def test_the_client_address_is_taken_from_trusted_proxies_only(remote, forwarded, trusted, client):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXIES=trusted):
        assert client_address(request) == client


@pytest.mark.django_db
def test_one_address_guessing_across_accounts_is_paused_far_above_the_account_limit(
    small_ics, settings, monkeypatch
):
    from caresignals.core import ratelimit

    member(small_ics.trust_a, Role.STAFF, username="sam")
    clock = [1_800_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: clock[0])
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 12
    assert settings.SIGNIN_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    guesser = Client(REMOTE_ADDR="198.51.100.8")
    for n in range(12):  # a different account each time: no account reaches its own limit
        assert _sign_in(guesser, f"person-{n}", "wrong-guess").status_code == 200
    refused = _sign_in(guesser, "sam", PASSWORD)
    assert refused.status_code == 429
    assert "Sign-in paused for this network address" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= settings.SIGNIN_ADDRESS_WINDOW_SECONDS
    # Signing in from elsewhere, and reading the sign-in page, are unaffected.
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.9"), "sam", PASSWORD).status_code == 302
    assert guesser.get("/accounts/sign-in/").status_code == 200
    # When the window is over the address may try again.
    clock[0] += settings.SIGNIN_ADDRESS_WINDOW_SECONDS + 1
    assert _sign_in(guesser, "sam", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_people_behind_a_trusted_proxy_are_counted_by_their_own_address(small_ics, settings):
    member(small_ics.trust_a, Role.STAFF, username="sam")
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 3
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        guesser = Client(HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy)
        for n in range(3):
            _sign_in(guesser, f"person-{n}", "wrong-guess")
        assert _sign_in(guesser, "sam", PASSWORD).status_code == 429
        colleague = Client(HTTP_X_FORWARDED_FOR="203.0.113.51", **proxy)
        assert _sign_in(colleague, "sam", PASSWORD).status_code == 302


def test_the_address_limit_is_why_axes_may_leave_the_address_out(settings):
    from django.core import checks

    assert "axes.W006" in settings.SILENCED_SYSTEM_CHECKS
    assert settings.SIGNIN_ADDRESS_FAILURE_LIMIT >= 5 * settings.AXES_FAILURE_LIMIT
    assert not [m for m in checks.run_checks() if m.id == "axes.W006" and not m.is_silenced()]
