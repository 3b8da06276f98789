"""`caresignals import organisations`: validated, all-or-nothing, idempotent, audited."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.organisations.models import Organisation

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,type,parent_code\n"
GOOD = HEADER + (
    "ICSX,Synthetic ICS,ics,,\n"
    "PLX,Synthetic Place,place,,ICSX\n"
    "TRX-MAT,Maternity unit,service,maternity,TRX\n"  # child before its parent: allowed
    "TRX,Synthetic Acute Trust,provider,acute_trust,PLX\n"
)


def write(tmp_path: Path, text: str, name: str = "orgs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *extra: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import", "organisations", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(path: Path, *extra: str) -> str:
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", "organisations", str(path), *extra, stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue() + str(raised.value)


def test_a_good_file_builds_the_tree(tmp_path):
    out, _ = run(write(tmp_path, GOOD))
    assert "4 created" in out
    trust = Organisation.objects.get(code="TRX")
    assert trust.path == "/ICSX/PLX/TRX/"
    assert Organisation.objects.get(code="TRX-MAT").path == "/ICSX/PLX/TRX/TRX-MAT/"
    assert AuditEntry.objects.filter(action=AuditAction.ORGANISATION_CREATED).count() == 4


def test_importing_twice_changes_nothing(tmp_path):
    path = write(tmp_path, GOOD)
    run(path)
    before = list(Organisation.objects.values_list("code", "name", "path").order_by("code"))
    audits = AuditEntry.objects.count()
    out, _ = run(path)
    assert "0 created, 0 updated, 4 unchanged" in out
    assert list(Organisation.objects.values_list("code", "name", "path").order_by("code")) == before
    assert AuditEntry.objects.count() == audits


def test_a_changed_row_updates_and_is_audited(tmp_path):
    run(write(tmp_path, GOOD))
    changed = GOOD.replace("Synthetic Acute Trust", "Renamed Acute Trust")
    out, _ = run(write(tmp_path, changed))
    assert "1 updated" in out
    assert Organisation.objects.get(code="TRX").name == "Renamed Acute Trust"
    entry = AuditEntry.objects.get(action=AuditAction.ORGANISATION_UPDATED)
    assert entry.details["changed"]["name"] == ["Synthetic Acute Trust", "Renamed Acute Trust"]


def test_moving_a_provider_moves_its_services(tmp_path):
    run(write(tmp_path, GOOD + "PLY,Second Place,place,,ICSX\n"))
    run(
        write(
            tmp_path,
            GOOD.replace("acute_trust,PLX", "acute_trust,PLY") + "PLY,Second Place,place,,ICSX\n",
        )
    )
    assert Organisation.objects.get(code="TRX-MAT").path == "/ICSX/PLY/TRX/TRX-MAT/"


def test_every_bad_row_is_reported_and_nothing_is_stored(tmp_path):
    bad = GOOD + (
        "BAD1,Bad kind,hospital,,PLX\n"  # row 6
        "BAD2,Bad type,provider,spaceport,PLX\n"  # row 7
        "BAD3,Orphan,provider,acute_trust,NOPE\n"  # row 8
        "BAD4,Wrong parent kind,service,maternity,PLX\n"  # row 9
        "TRX,Duplicate,provider,acute_trust,PLX\n"  # row 10
        ",No code,provider,acute_trust,PLX\n"  # row 11
    )
    message = failing(write(tmp_path, bad))
    assert (
        "row 6, column kind: got 'hospital', expected one of ics, place, provider, service"
        in message
    )
    assert "row 7, column type: got 'spaceport'" in message
    assert (
        "row 8, column parent_code: got 'NOPE', expected the code of a place in this file"
        in message
    )
    assert (
        "row 9, column parent_code: got 'PLX', expected the code of a provider (it names a place)"
        in message
    )
    assert (
        "row 10, column code: got 'TRX', expected a code not already used (it is used in row 5)"
        in message
    )
    assert "row 11, column code: got a blank value" in message
    assert "nothing was imported" in message
    assert Organisation.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_unknown_and_missing_columns(tmp_path):
    message = failing(write(tmp_path, "code,name,kind,colour\nX,Y,ics,blue\n"))
    assert "unknown column 'colour'" in message
    assert "the required column 'type' is missing" in message
    assert "the required column 'parent_code' is missing" in message


def test_malformed_rows_and_encoding(tmp_path):
    message = failing(write(tmp_path, GOOD + "ONLY,three,values\n"))
    assert "row 6: got a blank value, expected 5 values as in the header, got 3" in message
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + "ICSX,Caf\xe9 ICS,ics,,\n".encode("latin-1"))
    assert "UTF-8" in failing(latin)


def test_an_empty_file(tmp_path):
    assert "the file is empty" in failing(write(tmp_path, ""))


def test_skip_invalid_loads_the_rest_and_writes_rejects(tmp_path):
    bad = GOOD + "BAD1,Bad kind,hospital,,PLX\nKID,Child of bad,service,maternity,BAD1\n"
    rejects = tmp_path / "rejects.csv"
    out, _ = run(write(tmp_path, bad), "--skip-invalid", str(rejects))
    assert "4 created" in out and "2 row(s) rejected" in out
    with rejects.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["code"] for r in rows] == ["BAD1", "KID"]
    assert "expected one of ics, place" in rows[0]["reason"]
    assert "column parent_code" in rows[1]["reason"]  # its parent was rejected, so it is too
    assert Organisation.objects.count() == 4


def test_cli_exit_statuses(tmp_path):
    env_python = [sys.executable, "-m", "caresignals.cli"]
    usage = subprocess.run([*env_python, "import"], capture_output=True, text=True)
    assert usage.returncode == 2
    missing = subprocess.run(
        [*env_python, "import", "organisations", str(tmp_path / "absent.csv")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1
    assert "absent.csv" in missing.stderr


def test_a_bad_type_lists_every_allowed_type(tmp_path):
    from caresignals.organisations.models import ProviderType, ServiceType

    err = failing(write(tmp_path, HEADER + "ICSX,Synthetic ICS,ics,hospital,\n"))
    line = next(line for line in err.splitlines() if "column type" in line)
    assert "…" not in line
    for value in set(ProviderType.values) | set(ServiceType.values):
        assert value in line


def test_candour_tracked_from_is_an_optional_column_for_providers(tmp_path, today):
    """Without the column a file imports as before and leaves stored dates alone; with it, a
    provider's date is set, a blank clears it, and a non-provider or a future date is refused
    with its row and column."""
    run(write(tmp_path, GOOD))
    assert Organisation.objects.get(code="TRX").candour_tracked_from is None
    start = today - dt.timedelta(days=200)
    with_column = (
        "code,name,kind,type,parent_code,candour_tracked_from\n"
        "ICSX,Synthetic ICS,ics,,,\n"
        f"TRX,Synthetic Acute Trust,provider,acute_trust,PLX,{start.isoformat()}\n"
    )
    run(write(tmp_path, with_column, "tracked.csv"))
    assert Organisation.objects.get(code="TRX").candour_tracked_from == start
    entry = AuditEntry.objects.filter(action=AuditAction.ORGANISATION_UPDATED).latest("id")
    assert entry.details["changed"]["candour_tracked_from"] == ["", start.isoformat()]
    run(write(tmp_path, GOOD, "again.csv"))  # no column: the date stays
    assert Organisation.objects.get(code="TRX").candour_tracked_from == start

    future = (today + dt.timedelta(days=1)).isoformat()
    bad = (
        "code,name,kind,type,parent_code,candour_tracked_from\n"
        f"PLX,Synthetic Place,place,,ICSX,{start.isoformat()}\n"
        f"TRX,Synthetic Acute Trust,provider,acute_trust,PLX,{future}\n"
    )
    err = failing(write(tmp_path, bad, "bad.csv"))
    assert "row 2" in err and "a blank value unless a provider" in err
    assert "row 3" in err and "a date not in the future" in err
    assert err.count("candour_tracked_from") >= 2

    clearing = with_column.replace(start.isoformat(), "")
    run(write(tmp_path, clearing, "clear.csv"))
    assert Organisation.objects.get(code="TRX").candour_tracked_from is None


def test_pals_contact_details_are_optional_columns_for_providers(tmp_path):
    """A provider's PALS phone, email and web address: stored and audited when the columns are
    there, left alone when they are not, cleared by a blank, and refused by row and column
    when malformed or given for anything but a provider (hazard H72)."""
    run(write(tmp_path, GOOD))
    trust = Organisation.objects.get(code="TRX")
    assert (trust.pals_phone, trust.pals_email, trust.pals_web) == ("", "", "")
    assert not trust.has_pals_contact
    header = "code,name,kind,type,parent_code,pals_phone,pals_email,pals_web\n"
    with_pals = header + (
        "TRX,Synthetic Acute Trust,provider,acute_trust,PLX,"
        "0191 498 0123,pals@trx.example.org,https://trx.example.org/pals\n"
    )
    run(write(tmp_path, with_pals, "pals.csv"))
    trust = Organisation.objects.get(code="TRX")
    assert trust.pals_phone == "0191 498 0123" and trust.pals_email == "pals@trx.example.org"
    assert trust.pals_web == "https://trx.example.org/pals" and trust.has_pals_contact
    entry = AuditEntry.objects.filter(action=AuditAction.ORGANISATION_UPDATED).latest("id")
    assert entry.details["changed"]["pals_phone"] == ["", "0191 498 0123"]
    run(write(tmp_path, GOOD, "again.csv"))  # no columns: the details stay
    assert Organisation.objects.get(code="TRX").pals_email == "pals@trx.example.org"

    bad = header + (
        "PLX,Synthetic Place,place,,ICSX,0191 498 0124,,\n"
        "TRX,Synthetic Acute Trust,provider,acute_trust,PLX,call us,pals@,http://trx.example.org\n"
    )
    err = failing(write(tmp_path, bad, "bad.csv"))
    assert "row 2" in err and "a blank value unless a provider" in err
    assert "a telephone number of 10 to 19 digits and spaces" in err
    assert "an email address such as pals@example.org" in err
    assert "a web address starting https://" in err

    only_phone = "code,name,kind,type,parent_code,pals_phone\n" + (
        "TRX,Synthetic Acute Trust,provider,acute_trust,PLX,0191 498 0999\n"
    )
    run(write(tmp_path, only_phone, "phone.csv"))  # a pals_ column there: the others clear
    trust = Organisation.objects.get(code="TRX")
    assert (trust.pals_phone, trust.pals_email, trust.pals_web) == ("0191 498 0999", "", "")
