"""SPC of measures: the command line, the summary on the organisation page and the full chart.

The pages must show what `caresignals.stats` computes, not a second calculation: the tests
compare them with `spc.xmr` run directly.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from caresignals.stats import spc
from tests.factories import member

pytestmark = pytest.mark.django_db

# 24 months of falls per 1,000 bed days with a clear rise in the last 8 (a shift).
NUMERATORS = [
    30,
    32,
    29,
    31,
    30,
    33,
    28,
    31,
    30,
    29,
    32,
    31,
    30,
    28,
    31,
    30,
    45,
    47,
    46,
    48,
    44,
    49,
    47,
    46,
]
DENOMINATOR = 10_000


@pytest.fixture
def falls(small_ics):
    indicator = Indicator.objects.create(
        code="falls_rate",
        name="Falls per 1,000 bed days",
        unit="rate",
        multiplier=1000,
        polarity="lower_is_better",
        target=3.5,
        numerator_definition="Falls recorded",
        denominator_definition="Occupied bed days",
    )
    for i, n in enumerate(NUMERATORS):
        if i == 5:
            continue  # a missing month: a gap, not an error
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=indicator,
            period=dt.date(2024 + (i // 12), i % 12 + 1, 1),
            numerator=n,
            denominator=DENOMINATOR,
        )
    return indicator


def expected():
    values = [n / DENOMINATOR * 1000 for n in NUMERATORS]
    values[5] = float("nan")
    periods = [dt.date(2024 + (i // 12), i % 12 + 1, 1) for i in range(24)]
    return spc.xmr(values, improvement="decrease", target=3.5, periods=periods)


def test_command_line_json_is_the_stats_result(falls):
    out = StringIO()
    call_command(
        "measures", "spc", "--org", "TA", "--indicator", "falls_rate", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    want = expected()
    assert data["org_code"] == "TA" and data["indicator_code"] == "falls_rate"
    assert len(data["points"]) == 24
    assert data["points"][0]["period"] == "2024-01" and data["points"][5]["value"] is None
    for i, point in enumerate(data["points"]):
        if point["value"] is not None:
            assert point["value"] == pytest.approx(want.values[i], rel=1e-12)
            assert point["mean"] == pytest.approx(want.mean[i], rel=1e-12)
            assert point["upl"] == pytest.approx(want.upl[i], rel=1e-12)
        assert point["point_type"] == want.point_type[i]
        assert point["special_cause_type"] == want.special_cause_type[i]
    assert data["variation"] == want.variation == "special_cause_concern"
    assert data["assurance"] == want.assurance


def test_command_line_errors(falls):
    with pytest.raises(CommandError, match="no organisation has the code 'NOPE'"):
        call_command(
            "measures", "spc", "--org", "NOPE", "--indicator", "falls_rate", stdout=StringIO()
        )
    with pytest.raises(CommandError, match="no indicator has the code 'nope'"):
        call_command("measures", "spc", "--org", "TA", "--indicator", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="TB has no values of falls_rate"):
        call_command(
            "measures", "spc", "--org", "TB", "--indicator", "falls_rate", stdout=StringIO()
        )


def test_organisation_page_summarises_each_indicator(falls, small_ics):
    client = Client()
    client.force_login(member(small_ics.trust_a, Role.BOARD_MEMBER))
    html = client.get("/organisations/TA/").content.decode()
    _, sentence = spc.summary(expected())
    assert "Making Data Count summary" in html
    assert 'href="/organisations/TA/indicators/falls_rate/"' in html
    assert sentence in html
    assert "<svg" in html and 'role="img"' in html


def test_full_chart_explains_every_special_cause_and_shows_the_data(falls, small_ics):
    client = Client()
    client.force_login(member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD))
    response = client.get("/organisations/TA/indicators/falls_rate/")
    assert response.status_code == 200
    html = response.content.decode()
    want = expected()
    special = [i for i, t in enumerate(want.point_type) if t != "common_cause"]
    assert f"{len(special)} months show special-cause variation" in html
    for i in special:
        assert want.special_cause_type[i] in html
    assert "Jun 2024" in html  # the missing month is still a row of the table
    assert "1 missing value" in html or "missing" in html.lower()
    assert "numerator ÷ denominator × 1,000" in html
    assert "Falls recorded" in html


@pytest.mark.parametrize(
    "path", ["/organisations/TB/indicators/falls_rate/", "/organisations/TA/indicators/nope/"]
)
def test_charts_out_of_scope_or_unknown_are_not_found(falls, small_ics, path):
    client = Client()
    client.force_login(member(small_ics.trust_b, Role.STAFF))
    assert client.get("/organisations/TA/indicators/falls_rate/").status_code == 404
    client.force_login(member(small_ics.trust_a, Role.STAFF))
    assert client.get(path).status_code == 404


def test_recording_a_rebase_redraws_the_chart_and_is_audited(falls, small_ics):
    from caresignals.audit.models import AuditAction, AuditEntry
    from caresignals.measures.models import ChartAnnotation

    client = Client()
    client.force_login(member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD))
    page = client.get("/organisations/TA/indicators/falls_rate/").content.decode()
    assert "Record a change in the process" in page

    bad = client.post(
        "/organisations/TA/indicators/falls_rate/", {"period": "2024-01-01", "note": ""}
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "There is a problem" in html and "Enter why the process changed" in html
    assert "Select a valid choice" in html  # the first month cannot start a new segment
    assert ChartAnnotation.objects.count() == 0

    response = client.post(
        "/organisations/TA/indicators/falls_rate/",
        {"period": "2025-05-01", "note": "New falls prevention bundle on every ward"},
    )
    assert response.status_code == 302
    html = client.get("/organisations/TA/indicators/falls_rate/").content.decode()
    assert "New falls prevention bundle on every ward" in html
    assert AuditEntry.objects.filter(
        action=AuditAction.CHART_REBASED, object_id="TA/falls_rate"
    ).exists()

    values = [n / DENOMINATOR * 1000 for n in NUMERATORS]
    values[5] = float("nan")
    periods = [dt.date(2024 + (i // 12), i % 12 + 1, 1) for i in range(24)]
    want = spc.xmr(values, improvement="decrease", target=3.5, periods=periods, rebase_at=[16])
    out = StringIO()
    call_command(
        "measures", "spc", "--org", "TA", "--indicator", "falls_rate", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["points"][20]["mean"] == pytest.approx(want.mean[20], rel=1e-12)
    assert data["points"][2]["mean"] == pytest.approx(want.mean[2], rel=1e-12)
    assert data["points"][20]["mean"] != data["points"][2]["mean"]

    again = client.post(
        "/organisations/TA/indicators/falls_rate/", {"period": "2025-05-01", "note": "Twice"}
    )
    assert "already has a change recorded in that month" in again.content.decode()


def test_only_some_roles_may_record_a_rebase(falls, small_ics):
    client = Client()
    client.force_login(member(small_ics.trust_a, Role.STAFF))
    assert (
        "Record a change in the process"
        not in client.get("/organisations/TA/indicators/falls_rate/").content.decode()
    )
    assert (
        client.post(
            "/organisations/TA/indicators/falls_rate/", {"period": "2025-05-01", "note": "x"}
        ).status_code
        == 403
    )
