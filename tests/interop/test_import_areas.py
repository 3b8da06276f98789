"""`caresignals import areas`: our own format, and the official IMD file as published."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.organisations.models import Area

pytestmark = pytest.mark.django_db

HEADER = "lsoa_code,place_code,imd_decile,population\n"


def run(path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("import", "areas", str(path), *extra, stdout=out, stderr=StringIO())
    return out.getvalue()


def fail(path: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import", "areas", str(path), stdout=StringIO(), stderr=err)
    return err.getvalue()


def test_areas_load_into_places_and_reimport_is_idempotent(small_ics, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(HEADER + "E01990001,PA,1,1500\nE01990002,PB,10,1700\n")
    assert "2 created" in run(path)
    assert "2 unchanged" in run(path)
    area = Area.objects.get(lsoa_code="E01990001")
    assert (area.place.code, area.imd_decile, area.population, area.imd_quintile) == (
        "PA",
        1,
        1500,
        1,
    )
    assert area.imd_edition == "imd2019"


def test_changed_decile_is_updated_and_audited(small_ics, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(HEADER + "E01990001,PA,1,1500\n")
    run(path)
    path.write_text(HEADER + "E01990001,PA,2,1500\n")
    assert "1 updated" in run(path)
    entry = AuditEntry.objects.get(action=AuditAction.AREA_UPDATED)
    assert entry.details["changed"] == {"imd_decile": ["1", "2"]}


def test_bad_values_name_row_column_value_and_expectation(small_ics, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(
        HEADER
        + "E01990001,PA,0,1500\n"  # decile out of range
        + "NOTALSOA,PA,3,1500\n"
        + "E01990003,TA,3,1500\n"  # a trust, not a place
        + "E01990004,PA,3,lots\n"
        + "E01990005,PA,3,-5\n"
    )
    message = fail(path)
    assert (
        "row 2, column imd_decile: got '0', expected a whole number from 1 (most deprived) to 10"
        in message
    )
    assert "row 3, column lsoa_code: got 'NOTALSOA', expected an LSOA code" in message
    assert (
        "row 4, column place_code: got 'TA', expected the code of a place already imported"
        in message
    )
    assert "row 5, column population: got 'lots', expected a whole number, 0 or more" in message
    assert "row 6, column population: got '-5'" in message
    assert Area.objects.filter(lsoa_code__startswith="E0199").count() == 0


def test_the_official_imd_file_is_accepted(small_ics, tmp_path):
    header = (
        '"LSOA code (2011)","LSOA name (2011)","Local Authority District code (2019)",'
        '"Local Authority District name (2019)",'
        '"Index of Multiple Deprivation (IMD) Score",'
        '"Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",'
        '"Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",'
        '"Total population: mid 2015 (excluding prisoners)"\n'
    )
    rows = (
        "E01990011,Synthetic 001A,PA,Place A,45.1,1200,1,1620\n"
        "E01990012,Synthetic 001B,PB,Place B,8.2,30000,9,1480\n"
        "E01990013,Elsewhere 001A,E06999999,Not in this ICS,20.0,15000,5,1500\n"
    )
    path = tmp_path / "imd2019.csv"
    path.write_text(header + rows)
    out = run(path)
    assert "2 created" in out
    assert "1 area(s) outside this ICS's places were passed over" in out
    assert Area.objects.get(lsoa_code="E01990012").imd_decile == 9


def test_iod2025_edition_is_recorded(small_ics, tmp_path):
    header = (
        "LSOA code (2021),Local Authority District code (2024),"
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),"
        "Total population: mid 2022\n"
    )
    path = tmp_path / "iod2025.csv"
    path.write_text(header + "E01990021,PA,3,1500\n")
    run(path)
    assert Area.objects.get(lsoa_code="E01990021").imd_edition == "iod2025"


def test_official_file_with_a_malformed_row_is_still_read_as_official(small_ics, tmp_path):
    header = (
        "LSOA code (2011),Local Authority District code (2019),"
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),"
        "Total population: mid 2015 (excluding prisoners)\n"
    )
    path = tmp_path / "imd.csv"
    path.write_text(header + "E01990031,PA,2,1500\nbroken,row\nE01990032,E06999999,4,1500\n")
    rejects = tmp_path / "rejects.csv"
    out = run(path, "--skip-invalid", str(rejects))
    assert "1 created" in out and "1 row(s) rejected" in out
    assert "1 area(s) outside this ICS's places were passed over" in out
