"""The people pages: forms, errors, scoping (another provider's staff are not found)."""

from __future__ import annotations

import pytest
from django.test import Client

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.organisations.models import Membership, User
from caresignals.organisations.roles import Role
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_a(small_ics):
    return member(small_ics.trust_a, Role.ADMINISTRATOR, username="admin-a", first_name="Ada")


def test_only_administrators_open_the_people_pages(small_ics):
    staff = member(small_ics.ics, Role.ICB_QUALITY_LEAD)
    client = _client(staff)
    assert client.get("/people/").status_code == 403
    assert client.get("/people/add/").status_code == 403


def test_the_list_shows_the_trusts_people_with_their_roles_searchable_and_paged(
    small_ics, admin_a, monkeypatch
):
    member(small_ics.maternity_a, Role.PATIENT_SAFETY_LEAD, username="midwife", last_name="Quill")
    member(small_ics.trust_b, Role.STAFF, username="nurse-b")
    client = _client(admin_a)
    html = client.get("/people/").content.decode()
    assert "midwife" in html and "Patient-safety lead at Maternity A" in html
    assert "nurse-b" not in html
    found = client.get("/people/", {"q": "quill"}).content.decode()
    assert "midwife" in found and "admin-a" not in found
    none = client.get("/people/", {"q": "nobody-at-all"}).content.decode()
    assert "Nobody you administer matches" in none

    monkeypatch.setattr("caresignals.people.views.PAGE_SIZE", 1)
    first = client.get("/people/").content.decode()
    assert "page 1 of 2" in first and "?page=2" in first


def test_another_providers_staff_are_not_found(small_ics, admin_a):
    member(small_ics.trust_b, Role.STAFF, username="nurse-b")
    client = _client(admin_a)
    for path in (
        "/people/nurse-b/",
        "/people/nurse-b/deactivate/",
        "/people/no-such-person/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/people/nurse-b/deactivate/").status_code == 404
    assert (
        client.post("/people/nurse-b/roles/", {"organisation": "TA", "role": "staff"}).status_code
        == 404
    )
    assert User.objects.get(username="nurse-b").is_active


def test_adding_a_person_shows_their_set_password_link(small_ics, admin_a):
    client = _client(admin_a)
    form = client.get("/people/add/").content.decode()
    assert "Trust A (TA)" in form and "Trust B" not in form
    response = client.post(
        "/people/add/",
        {
            "given_name": "Sam",
            "family_name": "Synthetic",
            "email": "sam@example.nhs.uk",
            "username": "sam.synthetic",
            "organisation": "TA-MAT",
            "role": "staff",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sam Synthetic has been added" in html
    assert "http://testserver/people/set-password/" in html
    assert "email is not set up" in html
    person = User.objects.get(username="sam.synthetic")
    assert set(person.memberships.values_list("organisation__code", "role")) == {
        ("TA-MAT", "staff")
    }


def test_the_add_form_says_what_is_wrong(small_ics, admin_a):
    UserFactory(username="taken")
    client = _client(admin_a)
    response = client.post(
        "/people/add/",
        {
            "given_name": "",
            "family_name": "X",
            "email": "not-an-email",
            "username": "TAKEN",
            "organisation": "TB",
            "role": "staff",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Add a person" in html
    assert "There is a problem" in html
    for message in (
        "Enter their given name",
        "Enter an email address in the correct format",
        "Somebody already has this username",
        "Choose an organisation",
    ):
        assert message in html, message
    assert 'href="#given_name"' in html
    assert not User.objects.filter(username__iexact="taken").exclude(username="taken").exists()


def test_an_icb_role_is_refused_on_the_form(small_ics, admin_a):
    response = _client(admin_a).post(
        "/people/add/",
        {
            "given_name": "A",
            "family_name": "B",
            "email": "",
            "username": "ab",
            "organisation": "TA",
            "role": "icb_quality_lead",
        },
    )
    assert "Only an ICB administrator can give an ICB role" in response.content.decode()
    assert not User.objects.filter(username="ab").exists()


def test_giving_and_removing_a_role_on_the_persons_page(small_ics, admin_a):
    person = member(small_ics.trust_a, Role.STAFF, username="pat")
    client = _client(admin_a)
    page = client.get("/people/pat/").content.decode()
    assert "Staff member" in page and "Deactivate" in page

    bad = client.post("/people/pat/roles/", {"organisation": "PA", "role": "administrator"})
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()

    given = client.post(
        "/people/pat/roles/", {"organisation": "TA", "role": "board_member"}, follow=True
    )
    assert "is now Board member at Trust A" in given.content.decode()
    board = person.memberships.get(role="board_member")
    assert AuditEntry.objects.filter(action=AuditAction.MEMBERSHIP_GRANTED, actor=admin_a).exists()

    removed = client.post(f"/people/pat/roles/{board.pk}/remove/", follow=True)
    assert "is no longer Board member at Trust A" in removed.content.decode()
    assert not person.memberships.filter(role="board_member").exists()


def test_a_role_elsewhere_is_neither_shown_nor_removable(small_ics, admin_a):
    person = member(small_ics.trust_a, Role.STAFF, username="pat")
    elsewhere = Membership.objects.create(user=person, organisation=small_ics.trust_b, role="staff")
    client = _client(admin_a)
    page = client.get("/people/pat/").content.decode()
    assert "Trust B" not in page
    assert "1 role in organisations you do not administer" in page
    assert "Only an ICB administrator can deactivate" in page
    assert client.post(f"/people/pat/roles/{elsewhere.pk}/remove/").status_code == 404
    assert client.post("/people/pat/deactivate/").status_code == 400


def test_deactivating_and_reactivating_a_leaver(small_ics, admin_a):
    leaver = member(small_ics.trust_a, Role.STAFF, username="leaver", first_name="Lee")
    theirs = _client(leaver)
    client = _client(admin_a)
    confirm = client.get("/people/leaver/deactivate/").content.decode()
    assert "their API tokens are revoked" in confirm
    done = client.post("/people/leaver/deactivate/", {"reason": "Left"}, follow=True)
    assert "has been deactivated" in done.content.decode()
    assert "1 session(s) ended" in done.content.decode()
    assert theirs.get("/organisations/").status_code == 302  # signed out
    page = client.get("/people/leaver/").content.decode()
    assert "Deactivated" in page and "Reactivate" in page
    again = client.post("/people/leaver/reactivate/", follow=True)
    assert "can sign in again" in again.content.decode()
    leaver.refresh_from_db()
    assert leaver.is_active


def test_an_administrator_cannot_deactivate_themselves(small_ics, admin_a):
    client = _client(admin_a)
    assert client.post("/people/admin-a/deactivate/").status_code == 400
    admin_a.refresh_from_db()
    assert admin_a.is_active


def test_a_new_set_password_link(small_ics, admin_a):
    member(small_ics.trust_a, Role.STAFF, username="pat")
    html = _client(admin_a).post("/people/pat/invite/").content.decode()
    assert "A new set-password link" in html and "/people/set-password/" in html


def test_a_superuser_without_a_role_is_told_the_first_step(small_ics):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    html = _client(root).get("/").content.decode()
    assert "caresignals users add root --role administrator --organisation ICS1" in html


def test_the_home_page_leads_an_administrator_to_people(small_ics, admin_a):
    html = _client(admin_a).get("/").content.decode()
    assert 'href="/people/"' in html


def test_no_set_password_link_for_someone_with_roles_elsewhere(small_ics, admin_a):
    person = member(small_ics.trust_a, Role.STAFF, username="pat")
    Membership.objects.create(user=person, organisation=small_ics.ics, role="icb_quality_lead")
    client = _client(admin_a)
    assert "Make a set-password link" not in client.get("/people/pat/").content.decode()
    response = client.post("/people/pat/invite/")
    assert response.status_code == 400
    assert "/people/set-password/" not in response.content.decode()
