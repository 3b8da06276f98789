"""`caresignals users import|add|deactivate|reactivate|list` and the people import: all or
nothing with errors naming row and column, idempotent."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.api.tokens import create_token, user_for_token
from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.audit.services import Actor
from caresignals.organisations.models import Membership, User
from caresignals.organisations.roles import Role
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

HEADER = "username,given_name,family_name,email,organisation_code,role,left_on\n"


def _users(*args: str) -> str:
    out = StringIO()
    call_command("users", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _file(tmp_path: Path, body: str, header: str = HEADER) -> str:
    path = tmp_path / "people.csv"
    path.write_text(header + body, encoding="utf-8")
    return str(path)


GOOD = (
    "amy.b,Amy,Bell,amy@example.nhs.uk,TA,administrator,\n"
    "amy.b,Amy,Bell,amy@example.nhs.uk,TA-MAT,patient_safety_lead,\n"
    "cal.d,Cal,Dee,,TB,staff,\n"
    "old.e,Old,Eve,,TB,staff,2026-01-31\n"
)


def test_an_import_loads_people_and_roles_and_a_second_changes_nothing(small_ics, tmp_path):
    path = _file(tmp_path, GOOD)
    assert "4 row(s) read; 4 created, 0 updated, 0 unchanged" in _users("import", path)
    amy = User.objects.get(username="amy.b")
    assert amy.get_full_name() == "Amy Bell" and not amy.has_usable_password()
    assert set(amy.memberships.values_list("organisation__code", "role")) == {
        ("TA", "administrator"),
        ("TA-MAT", "patient_safety_lead"),
    }
    assert not User.objects.get(username="old.e").is_active
    entries = AuditEntry.objects.count()
    assert "0 created, 0 updated, 4 unchanged" in _users("import", path)
    assert AuditEntry.objects.count() == entries


def test_a_changed_row_updates_and_roles_not_in_the_file_stay(small_ics, tmp_path):
    _users("import", _file(tmp_path, GOOD))
    changed = (
        "amy.b,Amy,Bell-Smith,amy@example.nhs.uk,TA,administrator,\n"
        "cal.d,Cal,Dee,,TB,staff,2026-10-31\n"
    )
    out = _users("import", _file(tmp_path, changed))
    assert "0 created, 2 updated, 0 unchanged" in out
    assert User.objects.get(username="amy.b").last_name == "Bell-Smith"
    assert Membership.objects.filter(user__username="amy.b").count() == 2
    assert not User.objects.get(username="cal.d").is_active
    assert AuditEntry.objects.filter(action=AuditAction.USER_UPDATED, object_id="amy.b").exists()


def test_a_future_leaving_day_does_not_deactivate_yet(small_ics, tmp_path, today):
    later = today.replace(year=today.year + 1).isoformat()
    _users("import", _file(tmp_path, f"new.f,New,Eff,,TA,staff,{later}\n"))
    assert User.objects.get(username="new.f").is_active


def test_errors_name_row_and_column_and_nothing_is_stored(small_ics, tmp_path):
    UserFactory(username="Taken.Name")
    body = (
        "amy.b,Amy,Bell,amy@example.nhs.uk,TA,administrator,\n"  # row 2: fine
        "amy.b,Amy,Bellow,amy@example.nhs.uk,TB,staff,\n"  # row 3: differs
        "bad name,B,C,,TA,staff,\n"  # row 4
        "d.e,D,E,not-email,TA,chief,\n"  # row 5
        "taken.name,T,N,,TA,staff,\n"  # row 6: another case
        "amy.b,Amy,Bell,amy@example.nhs.uk,TA,administrator,\n"  # row 7: same key
        "g.h,G,H,,TA,staff,31/01/2026\n"  # row 8
        "i.j,I,J,,NOPE,staff,\n"  # row 9
    )
    with pytest.raises(CommandError) as failed:
        _users("import", _file(tmp_path, body))
    assert "nothing was imported" in str(failed.value)
    assert not User.objects.filter(username__in=["amy.b", "g.h", "d.e"]).exists()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import", "people", _file(tmp_path, body), stdout=StringIO(), stderr=err)
    text = err.getvalue()
    for expected in (
        "row 3, column family_name: got 'Bellow', expected Bell as in this person's earlier row",
        "row 4, column username",
        "row 5, column email",
        "row 9, column organisation_code: got 'NOPE', expected the code of an organisation",
        "row 5, column role: got 'chief', expected one of",
        "row 6, column username: got 'taken.name', expected Taken.Name",
        "row 7, column username+organisation_code+role",
        "row 8, column left_on",
    ):
        assert expected in text, (expected, text)


def test_users_add_prints_a_set_password_link_and_gives_a_superuser_a_role(small_ics):
    out = _users(
        "add",
        "first.admin",
        "--given-name",
        "First",
        "--family-name",
        "Admin",
        "--role",
        "administrator",
        "--organisation",
        "ICS1",
        "--base-url",
        "https://cs.example/",
    )
    assert "Added first.admin (First Admin)." in out
    assert "https://cs.example/people/set-password/" in out
    UserFactory(username="root", is_superuser=True)
    out = _users("add", "root", "--role", "administrator", "--organisation", "ICS1")
    assert "root is now Administrator at Synthetic ICS." in out
    assert "already held" in _users(
        "add", "root", "--role", "administrator", "--organisation", "ICS1"
    )
    entry = AuditEntry.objects.filter(action=AuditAction.MEMBERSHIP_GRANTED).order_by("pk").last()
    assert entry.object_id == "root" and "via caresignals users add" in entry.actor_label


def test_users_add_refuses_what_is_wrong(small_ics):
    with pytest.raises(CommandError, match="no organisation has the code"):
        _users(
            "add",
            "x",
            "--given-name",
            "X",
            "--family-name",
            "Y",
            "--role",
            "staff",
            "--organisation",
            "NOPE",
        )
    with pytest.raises(CommandError, match="Enter their given name"):
        _users("add", "x", "--role", "staff", "--organisation", "TA")
    assert not User.objects.filter(username="x").exists()


def test_users_deactivate_and_reactivate(small_ics):
    leaver = member(small_ics.trust_a, Role.STAFF, username="leaver")
    _row, token = create_token("leaver", actor=Actor(label="tests"))
    out = _users("deactivate", "leaver", "--reason", "left")
    assert "leaver deactivated: 0 session(s) ended, 1 API token(s) revoked." in out
    assert user_for_token(token) is None
    assert "already deactivated" in _users("deactivate", "leaver")
    assert "can sign in again" in _users("reactivate", "leaver")
    leaver.refresh_from_db()
    assert leaver.is_active
    with pytest.raises(CommandError, match="no user has the username"):
        _users("deactivate", "nobody")


def test_users_list_by_organisation(small_ics):
    member(small_ics.maternity_a, Role.STAFF, username="midwife", first_name="Mo")
    member(small_ics.trust_b, Role.STAFF, username="nurse-b")
    everyone = _users("list")
    assert everyone.splitlines()[0] == "username\tname\temail\tstatus\troles"
    assert "nurse-b" in everyone and "midwife" in everyone
    under_a = _users("list", "--organisation", "TA")
    assert "midwife\tMo\t\tactive\tstaff@TA-MAT" in under_a
    assert "nurse-b" not in under_a
