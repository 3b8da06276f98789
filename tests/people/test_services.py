"""People services: the ceiling held by every write, atomic writes, audit, and a leaver ended
at once (sessions and API tokens)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from caresignals.api.models import ApiToken
from caresignals.api.tokens import create_token, user_for_token
from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.audit.services import Actor
from caresignals.organisations import people
from caresignals.organisations.models import Membership, User
from caresignals.organisations.roles import Role
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

CLI = Actor(label="tests via caresignals users")


def _new(username: str = "new.person") -> people.NewPerson:
    return people.NewPerson(username, "Synthetic", "Person", "new.person@example.nhs.uk")


def _actions(username: str) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="user", object_id=username)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_an_administrator_adds_a_person_with_a_role_and_it_is_audited(small_ics):
    admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    person = people.add_person(
        Actor(user=admin), _new(), [(small_ics.maternity_a, Role.PATIENT_SAFETY_LEAD)]
    )
    assert not person.has_usable_password()
    assert person.get_full_name() == "Synthetic Person"
    assert set(person.memberships.values_list("organisation__code", "role")) == {
        ("TA-MAT", Role.PATIENT_SAFETY_LEAD)
    }
    assert _actions("new.person") == [AuditAction.USER_CREATED, AuditAction.MEMBERSHIP_GRANTED]
    granted = AuditEntry.objects.get(action=AuditAction.MEMBERSHIP_GRANTED)
    assert granted.actor == admin
    assert granted.details == {"role": Role.PATIENT_SAFETY_LEAD, "organisation": "TA-MAT"}


def test_adding_is_all_or_nothing_when_one_role_is_above_the_ceiling(small_ics):
    admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    with pytest.raises(people.PeopleRefused) as refused:
        people.add_person(
            Actor(user=admin),
            _new(),
            [(small_ics.trust_a, Role.STAFF), (small_ics.ics, Role.ADMINISTRATOR)],
        )
    assert refused.value.errors == {
        "role": "You can only give roles in the organisations you administer"
    }
    assert not User.objects.filter(username="new.person").exists()
    assert not AuditEntry.objects.filter(object_id="new.person").exists()


def test_an_administrator_must_give_a_first_role(small_ics):
    admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    with pytest.raises(people.PeopleRefused):
        people.add_person(Actor(user=admin), _new())


def test_usernames_are_unique_whatever_their_case(small_ics):
    UserFactory(username="Jo.Bloggs")
    errors = people.check_new_person(people.NewPerson("jo.bloggs", "Jo", "Bloggs"))
    assert errors == {"username": "Somebody already has this username"}


def test_giving_a_role_twice_changes_nothing_and_above_the_ceiling_is_refused(small_ics):
    admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    person = member(small_ics.trust_a, Role.STAFF)
    actor = Actor(user=admin)
    assert people.give_role(actor, person, small_ics.maternity_a, Role.BOARD_MEMBER)
    assert not people.give_role(actor, person, small_ics.maternity_a, Role.BOARD_MEMBER)
    assert _actions(person.username) == [AuditAction.MEMBERSHIP_GRANTED]
    with pytest.raises(people.PeopleRefused, match="ICB role"):
        people.give_role(actor, person, small_ics.trust_a, Role.ICB_QUALITY_LEAD)
    with pytest.raises(people.PeopleRefused):
        people.give_role(actor, person, small_ics.trust_b, Role.STAFF)
    assert person.memberships.count() == 2


def test_removing_a_role_is_audited_and_held_to_the_same_ceiling(small_ics):
    admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    person = member(small_ics.trust_a, Role.STAFF)
    icb = Membership.objects.create(user=person, organisation=small_ics.ics, role=Role.STAFF)
    with pytest.raises(people.PeopleRefused):
        people.remove_role(Actor(user=admin), icb)
    people.remove_role(Actor(user=admin), person.memberships.get(organisation=small_ics.trust_a))
    assert list(person.memberships.values_list("organisation__code", flat=True)) == ["ICS1"]
    revoked = AuditEntry.objects.get(action=AuditAction.MEMBERSHIP_REVOKED)
    assert revoked.details == {"role": Role.STAFF, "organisation": "TA"}


def test_an_administrator_cannot_remove_their_own_administrator_role(small_ics):
    admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    with pytest.raises(people.PeopleRefused):
        people.remove_role(Actor(user=admin), admin.memberships.get())


def test_a_leaver_is_ended_at_once_sessions_and_tokens(small_ics):
    admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    leaver = member(small_ics.trust_a, Role.STAFF, username="leaver")
    bystander = member(small_ics.trust_a, Role.STAFF, username="bystander")
    browser, other = Client(), Client()
    browser.force_login(leaver)
    other.force_login(bystander)
    _row, token = create_token("leaver", name="script", actor=CLI)
    _row, kept = create_token("bystander", name="script", actor=CLI)

    result = people.deactivate(Actor(user=admin), leaver, reason="left on 31 March")

    assert result.sessions_ended == 1
    assert result.details == {"tokens_revoked": 1}
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert browser.get("/organisations/").status_code == 302  # signed out: sent to sign in
    assert other.get("/organisations/").status_code == 200
    assert user_for_token(token) is None
    assert ApiToken.objects.get(user=leaver).revoked
    assert user_for_token(kept) == bystander
    entry = AuditEntry.objects.get(action=AuditAction.USER_DEACTIVATED)
    assert entry.details == {"sessions_ended": 1, "tokens_revoked": 1, "reason": "left on 31 March"}
    assert entry.organisation_path == small_ics.trust_a.path  # in the trust's audit log
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN_REVOKED, actor=admin).count() == 1
    assert leaver.memberships.count() == 1  # kept, for a return

    assert people.reactivate(Actor(user=admin), leaver)
    leaver.refresh_from_db()
    assert leaver.is_active
    assert _actions("leaver")[-1] == AuditAction.USER_REACTIVATED


def test_someone_who_also_works_elsewhere_is_deactivated_only_by_the_icb(small_ics):
    trust_admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    icb_admin = member(small_ics.ics, Role.ADMINISTRATOR)
    both = member(small_ics.trust_a, Role.STAFF)
    Membership.objects.create(user=both, organisation=small_ics.trust_b, role=Role.STAFF)
    with pytest.raises(people.PeopleRefused):
        people.deactivate(Actor(user=trust_admin), both)
    with pytest.raises(people.PeopleRefused):
        people.deactivate(Actor(user=trust_admin), trust_admin)  # not yourself
    people.deactivate(Actor(user=icb_admin), both)
    both.refresh_from_db()
    assert not both.is_active


def test_a_failing_token_revocation_rolls_the_deactivation_back(small_ics, monkeypatch):
    admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    leaver = member(small_ics.trust_a, Role.STAFF, username="leaver")
    create_token("leaver", actor=CLI)

    def broken(*args, **kwargs):
        raise RuntimeError("the token store failed")

    monkeypatch.setattr("caresignals.api.tokens.revoke_token", broken)
    with pytest.raises(RuntimeError):
        people.deactivate(Actor(user=admin), leaver)
    leaver.refresh_from_db()
    assert leaver.is_active
    assert not AuditEntry.objects.filter(action=AuditAction.USER_DEACTIVATED).exists()


def test_who_an_administrator_sees(small_ics):
    trust_admin = member(small_ics.trust_a, Role.ADMINISTRATOR, username="admin-a")
    icb_admin = member(small_ics.ics, Role.ADMINISTRATOR, username="admin-icb")
    member(small_ics.maternity_a, Role.STAFF, username="midwife-a")
    member(small_ics.trust_b, Role.STAFF, username="nurse-b")
    UserFactory(username="no-role")
    staff = member(small_ics.trust_a, Role.STAFF, username="staff-a")

    def seen(user):
        return set(people.visible_people(user).values_list("username", flat=True))

    assert seen(trust_admin) == {"admin-a", "midwife-a", "staff-a"}
    assert seen(icb_admin) == {"admin-a", "admin-icb", "midwife-a", "nurse-b", "no-role", "staff-a"}
    assert seen(staff) == set()
    assert [p.username for p in people.search_people(icb_admin, "MIDWIFE")] == ["midwife-a"]


def test_an_invitation_is_a_one_use_link_emailed_when_email_is_set_up(small_ics, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = member(small_ics.ics, Role.ADMINISTRATOR)
    person = people.add_person(Actor(user=admin), _new(), [(small_ics.trust_a, Role.STAFF)])
    invitation = people.invite(Actor(user=admin), person, base_url="https://cs.example")
    assert invitation.emailed
    assert mail.outbox[0].to == ["new.person@example.nhs.uk"]
    assert f"https://cs.example{invitation.path}" in mail.outbox[0].body
    entry = AuditEntry.objects.get(action=AuditAction.USER_INVITED)
    assert entry.details == {"emailed": True}
    assert invitation.path not in str(entry.details)

    client = Client()
    form = client.get(invitation.path, follow=True)
    assert b"Set your password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-Synthetic-pass", "new_password2": "a-long-Synthetic-pass"},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-long-Synthetic-pass")
    again = Client().get(invitation.path, follow=True)
    assert b"This link does not work" in again.content


def test_without_email_settings_nothing_is_sent(small_ics):
    person = people.add_person(CLI, _new())
    assert not people.invite(CLI, person, base_url="https://cs.example").emailed
    assert mail.outbox == []
    assert get_user_model().objects.filter(username="new.person").exists()


def test_a_set_password_link_only_for_someone_administered_as_a_whole(small_ics):
    """The link opens the account: a trust's administrator must not take over the account of
    someone who holds more roles elsewhere (an ICB quality lead who is also staff there)."""
    trust_admin = member(small_ics.trust_a, Role.ADMINISTRATOR)
    icb_lead = member(small_ics.ics, Role.ICB_QUALITY_LEAD)
    Membership.objects.create(user=icb_lead, organisation=small_ics.trust_a, role=Role.STAFF)
    root = UserFactory(username="root", is_superuser=True)
    Membership.objects.create(user=root, organisation=small_ics.trust_a, role=Role.STAFF)
    for person in (icb_lead, root, trust_admin):
        with pytest.raises(people.PeopleRefused):
            people.invite(Actor(user=trust_admin), person, base_url="https://cs.example")
    assert not AuditEntry.objects.filter(action=AuditAction.USER_INVITED).exists()
