"""Counts for others: the disclosure-controlled summary, the national return (page and
command) and `monthly_case_counts` for the signals engine."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.audit.models import AuditEntry
from caresignals.organisations.roles import Role
from caresignals.speakup import services
from caresignals.speakup.queries import monthly_case_counts, return_columns
from tests.factories import member
from tests.speakup.factories import raise_case

pytestmark = pytest.mark.django_db

Q2 = dt.date(2026, 5, 10)

EXPECTED_COLUMNS = [
    "organisation_code",
    "organisation_name",
    "quarter",
    "period_start",
    "period_end",
    "cases_raised",
    "cases_raised_anonymously",
    "cases_raised_confidentially",
    "cases_raised_openly",
    "element_patient_safety",
    "element_worker_safety",
    "element_bullying_harassment",
    "element_inappropriate_behaviour",
    "element_detriment",
    "professional_group_registered_nurses_midwives",
    "professional_group_medical_dental",
    "professional_group_allied_health_professionals",
    "professional_group_healthcare_assistants",
    "professional_group_additional_clinical_services",
    "professional_group_scientific_technical",
    "professional_group_administrative_clerical",
    "professional_group_corporate_services",
    "professional_group_estates_ancillary",
    "professional_group_students",
    "professional_group_other",
    "professional_group_not_known",
    "professional_group_not_recorded",
    "cases_closed",
    "closed_detriment_yes",
    "closed_detriment_no",
    "closed_detriment_not_known",
    "closed_detriment_not_recorded",
    "feedback_responses",
    "feedback_speak_up_again_yes",
    "feedback_speak_up_again_no",
    "feedback_speak_up_again_maybe",
    "feedback_speak_up_again_dont_know",
]


@pytest.fixture
def quarter_of_cases(small_ics):
    guardian = member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN)
    staff = member(small_ics.trust_a, Role.STAFF)
    made = []
    for i in range(9):
        case, _ = raise_case(
            small_ics.trust_a,
            route="anonymous" if i < 4 else ("confidential" if i < 7 else "open"),
            user=None if i < 4 else staff,
            categories=("patient_safety",) + (("bullying_harassment",) if i % 3 == 0 else ()),
            professional_group="registered_nurses_midwives" if i < 5 else "",
            raised_on=Q2,
        )
        made.append(case)
    raise_case(small_ics.trust_a, raised_on=dt.date(2026, 3, 31))  # Q1: not counted
    raise_case(small_ics.trust_b, raised_on=Q2)  # another trust
    for case, detriment, feedback in (
        (made[0], "yes", "no"),
        (made[1], "no", ""),
        (made[2], "", "maybe"),
    ):
        services.update_case(
            guardian,
            case,
            case.version,
            {"suffered_detriment": detriment, "feedback_speak_up_again": feedback},
        )
        case.refresh_from_db()
        services.close_case(guardian, case, case.version)
    return guardian


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_return_has_the_ngo_columns_and_counts(client, small_ics, quarter_of_cases, today):
    assert return_columns() == EXPECTED_COLUMNS
    client.force_login(quarter_of_cases)
    assert "Download CSV" in client.get("/speak-up/return/").content.decode()
    response = client.get("/speak-up/return/?quarter=2026Q2&org=TA")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "ftsu-return-TA-2026Q2.csv" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.splitlines()[0].split(",") == EXPECTED_COLUMNS
    (row,) = _csv(text)
    assert row["organisation_code"] == "TA" and row["period_start"] == "2026-04-01"
    assert row["period_end"] == "2026-06-30"
    assert row["cases_raised"] == "9" and row["cases_raised_anonymously"] == "4"
    assert row["cases_raised_confidentially"] == "3" and row["cases_raised_openly"] == "2"
    assert row["element_patient_safety"] == "9" and row["element_bullying_harassment"] == "3"
    assert row["element_detriment"] == "0"
    assert row["professional_group_registered_nurses_midwives"] == "5"
    assert row["professional_group_not_recorded"] == "4"
    # Closed today (outside Q2 unless today is in it): detriment and feedback follow closure.
    closed_in_q2 = dt.date(2026, 4, 1) <= today <= dt.date(2026, 6, 30)
    assert row["cases_closed"] == ("3" if closed_in_q2 else "0")
    assert AuditEntry.objects.filter(action="speakup.return_exported").count() == 1


def test_the_return_counts_detriment_and_feedback_at_closure(
    small_ics, quarter_of_cases, tmp_path, today
):
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    out = tmp_path / "return.csv"
    call_command("speakup", "return", "--org", "TA", "--quarter", quarter, "--out", str(out))
    (row,) = _csv(out.read_text())
    assert list(row) == EXPECTED_COLUMNS
    assert row["cases_closed"] == "3"
    assert row["closed_detriment_yes"] == "1" and row["closed_detriment_no"] == "1"
    assert row["closed_detriment_not_recorded"] == "1"
    assert row["feedback_responses"] == "2"
    assert row["feedback_speak_up_again_no"] == "1" and row["feedback_speak_up_again_maybe"] == "1"


def test_bad_return_requests_say_what_is_wrong(client, small_ics, quarter_of_cases, tmp_path):
    client.force_login(quarter_of_cases)
    bad = client.get("/speak-up/return/?quarter=2026Q5&org=TB")
    page = bad.content.decode()
    assert bad.status_code == 400 and "A quarter looks like 2026Q2" in page
    assert "Select an organisation where you are the guardian" in page
    with pytest.raises(CommandError, match="--quarter"):
        call_command(
            "speakup", "return", "--org", "TA", "--quarter", "Q2", "--out", str(tmp_path / "x")
        )
    with pytest.raises(CommandError, match="--org"):
        call_command(
            "speakup",
            "return",
            "--org",
            "NOPE",
            "--quarter",
            "2026Q2",
            "--out",
            str(tmp_path / "x"),
        )


def test_the_summary_shows_suppressed_counts_only(client, small_ics, quarter_of_cases):
    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD)
    client.force_login(icb)
    page = client.get("/speak-up/summary/?quarter=2026Q2").content.decode()
    assert "Trust A" in page and "Trust B" in page
    assert "(not shown)" in page and "All providers shown" in page
    assert "Synthetic" not in page.split("<main", 1)[1]
    bad = client.get("/speak-up/summary/?quarter=soon")
    assert bad.status_code == 400 and "A quarter looks like 2026Q2" in bad.content.decode()


def test_summary_cells_are_controlled_down_each_column(small_ics, quarter_of_cases):
    from caresignals.speakup.quarters import Quarter
    from caresignals.speakup.queries import summary

    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD)
    result = summary(icb, Quarter.parse("2026Q2"))
    rows = {r.code: r.cells for r in result.rows}
    hidden = np.isnan
    assert hidden(rows["TB"][0])  # 1 case: suppressed
    # ... which the total (10, rounded from the true 10) minus Trust A's cell would give away,
    # so Trust A's 9 cases are hidden too.
    assert hidden(rows["TA"][0])
    assert result.totals is not None and result.totals[0] == 10
    assert hidden(rows["TA"][1])  # 4 anonymous cases
    assert hidden(rows["TA"][2]) and hidden(rows["TB"][2])  # patient safety: 9 and 1
    assert result.totals[2] == 10
    assert rows["TA"][6] == 0 and result.totals[6] == 0  # detriment: zeros are shown


def test_monthly_case_counts_for_the_signals_engine(small_ics):
    raise_case(small_ics.trust_a, raised_on=dt.date(2026, 1, 3))
    raise_case(small_ics.trust_a, raised_on=dt.date(2026, 1, 30))
    raise_case(small_ics.trust_b, raised_on=dt.date(2026, 2, 1))
    assert monthly_case_counts() == {("TA", "2026-01"): 2, ("TB", "2026-02"): 1}
