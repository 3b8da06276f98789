"""Indicators (CSV and reviewed definition files) and monthly measures."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.measures.services import DefinitionError, read_definition

pytestmark = pytest.mark.django_db

INDICATORS = (
    "code,name,unit,multiplier,polarity,target,chart\n"
    "fft_positive,FFT positive,proportion,100,higher_is_better,95,xmr\n"
    "bed_days,Occupied bed days,count,1,neutral,,xmr\n"
    "sepsis_mortality,Sepsis 30-day mortality,proportion,100,lower_is_better,,xmr\n"
)


def run(kind: str, path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("import", kind, str(path), *extra, stdout=out, stderr=StringIO())
    return out.getvalue()


def fail(kind: str, path: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import", kind, str(path), stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def indicators(tmp_path, small_ics):
    path = tmp_path / "indicators.csv"
    path.write_text(INDICATORS)
    run("indicators", path)
    return path


def test_indicators_import_and_reimport(indicators):
    fft = Indicator.objects.get(code="fft_positive")
    assert (fft.unit, fft.multiplier, fft.polarity, fft.target) == (
        "proportion",
        100,
        "higher_is_better",
        95,
    )
    assert Indicator.objects.get(code="bed_days").target is None
    assert "3 unchanged" in run("indicators", indicators)


def test_bad_indicator_rows(tmp_path, small_ics):
    path = tmp_path / "indicators.csv"
    path.write_text(
        "code,name,unit,multiplier,polarity,target,chart\n"
        "Bad Code,x,proportion,1,neutral,,xmr\n"
        "ok_code,x,percentage,1,neutral,,xmr\n"
        "ok_two,x,rate,-5,neutral,,xmr\n"
        "ok_three,x,rate,1000,sideways,,funnel\n"
    )
    message = fail("indicators", path)
    assert "row 2, column code: got 'Bad Code'" in message
    assert (
        "row 3, column unit: got 'percentage', expected one of count, mean, proportion, rate"
        in message
    )
    assert "row 4, column multiplier: got '-5', expected a positive number" in message
    assert "row 5, column polarity: got 'sideways'" in message
    assert "row 5, column chart: got 'funnel', expected one of xmr" in message
    assert Indicator.objects.count() == 0


def test_measures_import_with_strata(indicators, tmp_path):
    path = tmp_path / "measures.csv"
    path.write_text(
        "org_code,indicator_code,period,numerator,denominator,stratum_type,stratum\n"
        "TA,fft_positive,2026-01,180,200,,\n"
        "TA,bed_days,2026-01,9100,,,\n"
        "TA,sepsis_mortality,2026-01,12,60,imd_quintile,1\n"
        "TA,sepsis_mortality,2026-01,7,65,imd_quintile,5\n"
    )
    assert "4 created" in run("measures", path)
    assert "4 unchanged" in run("measures", path)
    q1 = MeasureValue.objects.get(indicator__code="sepsis_mortality", stratum="1")
    assert (q1.numerator, q1.denominator, str(q1.period)) == (12, 60, "2026-01-01")
    path.write_text(
        "org_code,indicator_code,period,numerator,denominator,stratum_type,stratum\n"
        "TA,fft_positive,2026-01,170,200,,\n"
    )
    assert "1 updated" in run("measures", path)
    entry = AuditEntry.objects.get(action=AuditAction.MEASURE_UPDATED)
    assert entry.object_id == "TA/fft_positive/2026-01//" and entry.details["changed"] == [
        "numerator"
    ]


def test_strata_columns_may_be_left_out(indicators, tmp_path):
    path = tmp_path / "measures.csv"
    path.write_text(
        "org_code,indicator_code,period,numerator,denominator\nTA,bed_days,2026-02,9000,\n"
    )
    assert "1 created" in run("measures", path)


def test_bad_measure_rows(indicators, tmp_path):
    path = tmp_path / "measures.csv"
    path.write_text(
        "org_code,indicator_code,period,numerator,denominator,stratum_type,stratum\n"
        "TA,fft_positive,2026-13,1,2,,\n"
        "TA,fft_positive,2026-01,201,200,,\n"
        "TA,fft_positive,2026-02,1,,,\n"
        "TA,unknown_thing,2026-01,1,2,,\n"
        "ZZ,fft_positive,2026-01,1,2,,\n"
        "TA,sepsis_mortality,2026-01,1,2,imd_quintile,7\n"
        "TA,fft_positive,2026-03,1,0,,\n"
    )
    message = fail("measures", path)
    assert "row 2, column period: got '2026-13', expected a month as YYYY-MM" in message
    assert (
        "row 3, column numerator: got '201', expected at most the denominator (200) for a proportion"
        in message
    )
    assert (
        "row 4, column denominator: got a blank value, expected a denominator: fft_positive is a proportion"
        in message
    )
    assert "row 5, column indicator_code: got 'unknown_thing'" in message
    assert "row 6, column org_code: got 'ZZ'" in message
    assert (
        "row 7, column stratum: got '7', expected 1, 2, 3, 4, 5 for stratum_type imd_quintile"
        in message
    )
    assert "row 8, column denominator: got '0', expected a number above 0" in message
    assert MeasureValue.objects.count() == 0


GOOD_DEFINITION = """
code = "falls_rate"
name = "Falls per 1,000 occupied bed days"
why_it_matters = "Falls in hospital are common and can cause serious injury."
numerator = "Falls recorded as patient-safety incidents"
denominator = "Occupied bed days"
unit = "rate"
multiplier = 1000
polarity = "lower_is_better"
chart = "xmr"
source = "derived from events"
checked_by = "Synthetic reviewer"
checked_on = 2026-11-01
"""


def test_definition_files_load_and_are_checked(tmp_path, small_ics):
    good = tmp_path / "falls_rate.toml"
    good.write_text(GOOD_DEFINITION)
    out = run("indicators", tmp_path)
    assert "1 definition(s) read; 1 created" in out
    falls = Indicator.objects.get(code="falls_rate")
    assert (
        falls.why_it_matters.startswith("Falls in hospital")
        and falls.checked_by == "Synthetic reviewer"
    )

    misnamed = tmp_path / "other.toml"
    misnamed.write_text(GOOD_DEFINITION)
    with pytest.raises(DefinitionError, match="must match the file name"):
        read_definition(misnamed)
    broken = tmp_path / "falls_rate.toml"
    broken.write_text(GOOD_DEFINITION.replace('unit = "rate"', 'unit = "ratio"'))
    with pytest.raises(DefinitionError, match=r"falls_rate\.toml: unit must be one of"):
        read_definition(broken)
