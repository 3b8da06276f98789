"""Sign-in with the organisation's identity provider, end to end against a real OpenID Connect
provider (oidc-provider-mock, a Flask app served on 127.0.0.1 by this module): the test client
is sent to the provider, the person is chosen there, the provider sends the browser back with a
code, and Care Signals exchanges it (a real HTTP request to the provider's token endpoint),
checks the signed ID token against the provider's keys and signs the person in, or refuses.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.organisations.models import User
from caresignals.organisations.roles import Role
from tests.factories import member

# The provider (in this process) uses an authlib hook that authlib now calls deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

PROVIDER_USERS = [
    oidc_provider_mock.User(sub="sub-ana", claims={"email": "Ana.Lead@Example.NHS.uk"}),
    oidc_provider_mock.User(sub="sub-stranger", claims={"email": "stranger@example.nhs.uk"}),
    oidc_provider_mock.User(sub="sub-leaver", claims={"email": "leaver@example.nhs.uk"}),
    oidc_provider_mock.User(sub="sub-other", claims={"email": "ana.lead@example.nhs.uk"}),
]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    app = oidc_provider_mock.app(require_nonce=True, user_claims=PROVIDER_USERS)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def identity_provider(provider: str, settings: Any) -> str:
    """Care Signals configured for the provider, as the README's variables would do it."""
    found = requests.get(f"{provider}/.well-known/openid-configuration", timeout=10).json()
    settings.CARESIGNALS_OIDC_ISSUER = found["issuer"]
    settings.OIDC_RP_CLIENT_ID = "care-signals"
    settings.OIDC_RP_CLIENT_SECRET = "synthetic-client-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = found["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
    settings.CARESIGNALS_OIDC_PROVIDER_NAME = "Synthetic NHS login"
    settings.CARESIGNALS_OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        settings.IDENTITY_PROVIDER_BACKEND,
        "django.contrib.auth.backends.ModelBackend",
    ]
    return provider


def _choose_at_provider(client: Client, provider: str, subject: str, next_page: str = "") -> str:
    """Start at Care Signals, choose the person at the provider: the address it sends back to."""
    start = client.get(
        reverse("identity_provider_sign_in"), {"next": next_page} if next_page else {}
    )
    assert start.status_code == 302
    authorise = start["Location"]
    assert authorise.startswith(f"{provider}/oauth2/authorize?")
    asked = dict(parse_qsl(urlsplit(authorise).query))
    assert asked["scope"] == "openid email profile"
    assert asked["redirect_uri"] == "http://testserver/accounts/identity-provider/callback/"
    assert asked["code_challenge_method"] == "S256" and asked["nonce"]
    form = requests.get(authorise, timeout=10)
    assert form.status_code == 200
    chosen = requests.post(authorise, data={"sub": subject}, allow_redirects=False, timeout=10)
    assert chosen.status_code == 302, chosen.text
    back = urlsplit(chosen.headers["Location"])
    assert back.path == reverse("identity_provider_callback")
    return urlunsplit(("", "", back.path, back.query, ""))


def _sign_in(client: Client, provider: str, subject: str, next_page: str = "") -> Any:
    return client.get(_choose_at_provider(client, provider, subject, next_page))


def _refusals() -> list[dict[str, Any]]:
    return [e.details for e in AuditEntry.objects.filter(action=AuditAction.SIGN_IN_REFUSED)]


@pytest.mark.django_db
def test_a_person_already_here_is_signed_in_and_their_subject_recorded(
    identity_provider, small_ics, settings
):
    settings.CARESIGNALS_REQUIRE_SECOND_FACTOR = True
    ana = member(
        small_ics.ics, Role.ICB_QUALITY_LEAD, username="ana", email="ana.lead@example.nhs.uk"
    )
    client = Client()
    back = _sign_in(client, identity_provider, "sub-ana", next_page="/organisations/")
    assert back.status_code == 302 and back["Location"] == "/organisations/"
    assert get_user(client).pk == ana.pk
    ana.refresh_from_db()
    assert ana.identity_provider_subject == "sub-ana"
    linked = AuditEntry.objects.get(action=AuditAction.IDENTITY_PROVIDER_LINKED)
    assert linked.object_id == "ana" and linked.details["subject"] == "sub-ana"
    # The provider asked for its own second factor: Care Signals does not ask again.
    assert client.get("/organisations/").status_code == 200
    assert client.get(reverse("second_factor")).status_code == 200


@pytest.mark.django_db
def test_the_recorded_subject_signs_in_even_after_the_email_changes(identity_provider, small_ics):
    ana = member(small_ics.trust_a, Role.STAFF, username="ana", email="ana.new@example.nhs.uk")
    ana.identity_provider_subject = "sub-ana"
    ana.save()
    client = Client()
    assert _sign_in(client, identity_provider, "sub-ana").status_code == 302
    assert get_user(client).pk == ana.pk


@pytest.mark.django_db
def test_someone_else_at_the_provider_with_the_same_email_is_refused(identity_provider, small_ics):
    ana = member(small_ics.trust_a, Role.STAFF, username="ana", email="ana.lead@example.nhs.uk")
    ana.identity_provider_subject = "sub-ana"
    ana.save()
    client = Client()
    refused = _sign_in(client, identity_provider, "sub-other")
    assert refused.status_code == 400
    assert "linked to a different account at Synthetic NHS login" in refused.content.decode()
    assert not get_user(client).is_authenticated
    assert _refusals()[-1]["reason"] == "subject_differs"


@pytest.mark.django_db
def test_an_unknown_person_is_told_to_ask_their_administrator(identity_provider, small_ics):
    client = Client()
    refused = _sign_in(client, identity_provider, "sub-stranger")
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "Ask your Care Signals administrator to add you" in body
    assert not get_user(client).is_authenticated
    assert not User.objects.filter(email__iexact="stranger@example.nhs.uk").exists()
    assert _refusals() == [
        {"reason": "unknown", "claimed": "stranger@example.nhs.uk", "subject": "sub-stranger"}
    ]
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_REFUSED)
    assert entry.actor is None and entry.actor_label == "sign-in with Synthetic NHS login"


@pytest.mark.django_db
def test_an_inactive_person_is_refused(identity_provider, small_ics):
    member(small_ics.trust_a, Role.STAFF, username="leaver", email="leaver@example.nhs.uk")
    User.objects.filter(username="leaver").update(is_active=False)
    client = Client()
    refused = _sign_in(client, identity_provider, "sub-leaver")
    assert refused.status_code == 403
    assert "Your Care Signals account has been closed" in refused.content.decode()
    assert not get_user(client).is_authenticated
    assert _refusals()[-1]["reason"] == "inactive"


@pytest.mark.django_db
def test_a_person_deactivated_after_signing_in_is_signed_out(identity_provider, small_ics):
    ana = member(small_ics.trust_a, Role.STAFF, username="ana", email="ana.lead@example.nhs.uk")
    client = Client()
    assert _sign_in(client, identity_provider, "sub-ana").status_code == 302
    assert client.get("/organisations/").status_code == 200
    User.objects.filter(pk=ana.pk).update(is_active=False)
    assert client.get("/organisations/").status_code == 302  # to the sign-in page


@pytest.mark.django_db
def test_an_answer_with_the_wrong_state_is_refused(identity_provider, small_ics):
    member(small_ics.trust_a, Role.STAFF, username="ana", email="ana.lead@example.nhs.uk")
    client = Client()
    callback = _choose_at_provider(client, identity_provider, "sub-ana")
    path, query = callback.split("?", 1)
    params = dict(parse_qsl(query))
    params["state"] = "not-the-state-this-browser-was-given"
    refused = client.get(f"{path}?{urlencode(params)}")
    assert refused.status_code == 400
    assert "did not belong to a sign-in started in this browser" in refused.content.decode()
    assert not get_user(client).is_authenticated
    assert _refusals()[-1]["reason"] == "untrusted"
    # Nor can another browser use the answer meant for this one.
    stranger = Client()
    assert stranger.get(callback).status_code == 400
    assert not get_user(stranger).is_authenticated


@pytest.mark.django_db
def test_an_id_token_from_another_issuer_is_refused(identity_provider, small_ics, settings):
    member(small_ics.trust_a, Role.STAFF, username="ana", email="ana.lead@example.nhs.uk")
    settings.CARESIGNALS_OIDC_ISSUER = "https://login.example.org"
    client = Client()
    assert _sign_in(client, identity_provider, "sub-ana").status_code == 400
    assert not get_user(client).is_authenticated
    assert _refusals()[-1]["reason"] == "untrusted"


@pytest.mark.django_db
def test_a_sign_in_cancelled_at_the_provider_is_refused(identity_provider, small_ics):
    client = Client()
    start = client.get(reverse("identity_provider_sign_in"))
    denied = requests.post(
        start["Location"], data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    back = urlsplit(denied.headers["Location"])
    refused = client.get(f"{back.path}?{back.query}")
    assert refused.status_code == 400
    assert _refusals()[-1]["reason"] == "provider"


@pytest.mark.django_db
def test_passwords_still_work_beside_the_identity_provider(identity_provider, small_ics):
    member(small_ics.trust_a, Role.STAFF, username="sam")
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Synthetic NHS login" in page
    signed_in = client.post(
        reverse("login"), {"username": "sam", "password": "a-long-test-password"}
    )
    assert signed_in.status_code == 302
    assert get_user(client).username == "sam"


@pytest.mark.django_db
def test_a_paused_password_does_not_pause_the_identity_provider(
    identity_provider, small_ics, settings
):
    ana = member(small_ics.trust_a, Role.STAFF, username="ana", email="ana.lead@example.nhs.uk")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "ana", "password": "wrong-guess"})
    paused = client.post(reverse("login"), {"username": "ana", "password": "a-long-test-password"})
    assert paused.status_code == 429
    assert _sign_in(client, identity_provider, "sub-ana").status_code == 302
    assert get_user(client).pk == ana.pk


@pytest.mark.django_db
def test_off_unless_configured(small_ics):
    client = Client()
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("identity_provider_sign_in")).status_code == 404
    assert client.get(reverse("identity_provider_callback")).status_code == 404
