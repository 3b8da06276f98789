"""`caresignals import deaths`: deaths with the criteria used, keyed for re-import, validated
row by row, audited; screening and reviews untouched by a re-import."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.mortality import services
from caresignals.mortality.models import Death

pytestmark = pytest.mark.django_db

HEADER = (
    "source_id,org_code,died_on,age_years,ethnic_group,imd_quintile,learning_disability,"
    "criteria,summary\n"
)


def _import(tmp_path: Path, rows: str) -> str:
    path = tmp_path / "deaths.csv"
    path.write_text(HEADER + rows)
    out = StringIO()
    call_command("import", "deaths", str(path), "--no-progress", stdout=out)
    return out.getvalue()


def test_deaths_import_with_their_criteria_and_a_second_time_change_nothing(small_ics, tmp_path):
    rows = (
        "ME-1,TA,2026-10-01,80,white,2,false,unexpected;Concern,Synthetic summary.\n"
        "ME-2,TB,2026-10-02,,,,,sample,\n"
    )
    assert "2 created, 0 updated, 0 unchanged" in _import(tmp_path, rows)
    first = Death.objects.get(source_id="ME-1")
    assert (first.organisation, first.source, first.criteria) == (
        small_ics.trust_a,
        "import",
        ["unexpected", "concern"],
    )
    second = Death.objects.get(source_id="ME-2")
    assert (second.ethnic_group, second.learning_disability, second.age_years) == (
        "not_known",
        "unknown",
        None,
    )
    assert AuditEntry.objects.filter(action="mortality.death_added").count() == 2
    assert "0 created, 0 updated, 2 unchanged" in _import(tmp_path, rows)


def test_a_changed_row_updates_the_facts_but_not_the_screening(small_ics, tmp_path, today):
    _import(tmp_path, "ME-1,TA,2026-10-01,80,white,2,false,unexpected,\n")
    death = Death.objects.get()
    lead = Actor(label="test")
    services.screen(
        death,
        decision="in_scope",
        reason="Unexpected.",
        criteria=death.criteria,
        expected_version=death.version,
        actor=lead,
        today=today,
    )
    out = _import(tmp_path, "ME-1,TA,2026-10-01,81,white,2,true,unexpected,\n")
    assert "0 created, 1 updated, 0 unchanged" in out
    death.refresh_from_db()
    assert (death.age_years, death.learning_disability, death.screening) == (81, "true", "in_scope")
    entry = AuditEntry.objects.get(action="mortality.death_updated")
    assert entry.details["changed"] == ["age_years", "learning_disability"]


def test_bad_rows_name_their_column_and_nothing_is_stored(small_ics, tmp_path):
    rows = (
        "ME-1,TA,2026-10-01,80,white,2,false,made_up,\n"
        "ME-2,ZZ,2026-10-01,80,white,2,false,sample,\n"
        "ME-3,TA,2099-10-01,80,white,9,false,sample,\n"
    )
    path = tmp_path / "deaths.csv"
    path.write_text(HEADER + rows)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="3 error"):
        call_command("import", "deaths", str(path), "--no-progress", stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    assert "row 2, column criteria" in text, text
    assert "column org_code" in text and "column imd_quintile" in text
    assert not Death.objects.exists()
