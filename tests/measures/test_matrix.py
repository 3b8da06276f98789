"""The system matrix agrees with each organisation's own chart, and is scoped and filterable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from markupsafe import Markup

from caresignals.measures import charts
from caresignals.measures.matrix import KEY, Cell, Row, sort_rows, system_matrix
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.measures.series import monthly_series, spc_for
from caresignals.organisations.models import Organisation
from caresignals.organisations.roles import Role
from caresignals.stats import spc
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(small_ics):
    fft = Indicator.objects.create(
        code="fft_positive",
        name="FFT positive",
        unit="proportion",
        multiplier=100,
        polarity="higher_is_better",
        target=90,
    )
    harm = Indicator.objects.create(
        code="harm", name="Harm rate", unit="rate", multiplier=1000, polarity="lower_is_better"
    )
    for org, shift in ((small_ics.trust_a, 0), (small_ics.trust_b, 1)):
        for i in range(24):
            if org == small_ics.trust_b and i == 7:
                continue  # a gap
            period = dt.date(2024 + i // 12, i % 12 + 1, 1)
            late = i >= 16 and shift
            MeasureValue.objects.create(
                organisation=org,
                indicator=fft,
                period=period,
                numerator=(80 if late else 93) + i % 3,
                denominator=100,
            )
            MeasureValue.objects.create(
                organisation=org,
                indicator=harm,
                period=period,
                numerator=5 + (i % 4) + (6 if late else 0),
                denominator=1000,
            )
    return small_ics


def test_every_cell_matches_the_organisations_own_chart(measured):
    icb = member(measured.ics, Role.ICB_QUALITY_LEAD)
    matrix = system_matrix(icb)
    assert [i.code for i in matrix.indicators] == ["fft_positive", "harm"]
    assert [r.organisation.code for r in matrix.rows] == ["TA", "TB"]
    for row in matrix.rows:
        for indicator, cell in zip(matrix.indicators, row.cells, strict=True):
            result = spc_for(
                monthly_series(MeasureValue.objects.all(), row.organisation, indicator)
            )
            icon, _ = spc.summary(result)
            assert cell.icon == icon
            assert cell.assurance == result.assurance
    tb = matrix.rows[1]
    assert tb.cells[0].icon == "special_cause_concern_low"  # FFT fell
    assert tb.cells[1].icon == "special_cause_concern_high"  # harm rose
    assert matrix.concerns == 2


def test_scoped_and_filtered(measured):
    staff = member(measured.trust_a, Role.STAFF)
    assert [r.organisation.code for r in system_matrix(staff).rows] == ["TA"]
    icb = member(measured.ics, Role.ICB_QUALITY_LEAD)
    assert [r.organisation.code for r in system_matrix(icb, place="PB").rows] == ["TB"]
    assert system_matrix(icb, type_="care_home").rows == []
    assert system_matrix(icb, level="services").rows == []


def test_the_page(measured):
    client = Client()
    client.force_login(member(measured.ics, Role.ICB_QUALITY_LEAD))
    html = client.get("/system/matrix/?level=nonsense&place=PB").content.decode()
    assert "Trust B" in html and "Trust A" not in html
    assert 'href="/organisations/TB/indicators/harm/"' in html
    assert "Harm rate, Trust B: Special cause concern" in html
    empty = client.get("/system/matrix/?type=care_home").content.decode()
    assert "No measures have been recorded for the organisations chosen" in empty


def test_a_recorded_rebase_is_honoured_in_the_matrix(measured):
    from caresignals.measures.models import ChartAnnotation

    tb_fft = Indicator.objects.get(code="fft_positive")
    ChartAnnotation.objects.create(
        organisation=measured.trust_b,
        indicator=tb_fft,
        period=dt.date(2025, 5, 1),
        note="New survey provider",
        created_by="t",
    )
    icb = member(measured.ics, Role.ICB_QUALITY_LEAD)
    cell = system_matrix(icb).rows[1].cells[0]
    result = spc_for(monthly_series(MeasureValue.objects.all(), measured.trust_b, tb_fft))
    assert cell.icon == spc.summary(result)[0]
    assert cell.icon != "special_cause_concern_low"  # the fall is the new normal after the change


def test_zero_as_the_aim_reads_the_same_in_the_matrix(small_ics):
    """ADR 22: no "consistently failing" against a target of 0 for rare events or counts whose
    limits touch 0, in the matrix as on each chart."""
    never = Indicator.objects.create(
        code="never_events", name="Never Events", unit="count", multiplier=1,
        polarity="lower_is_better", target=0,
    )  # fmt: skip
    falls = Indicator.objects.create(
        code="falls", name="Falls", unit="count", multiplier=1,
        polarity="lower_is_better", target=0,
    )  # fmt: skip
    for i in range(24):
        period = dt.date(2024 + i // 12, i % 12 + 1, 1)
        for org in (small_ics.trust_a, small_ics.trust_b):
            MeasureValue.objects.create(
                organisation=org, indicator=never, period=period, numerator=int(i in (5, 17))
            )
            many = 40 + i % 5 if org == small_ics.trust_b else i % 4  # B: far above 0
            MeasureValue.objects.create(
                organisation=org, indicator=falls, period=period, numerator=many
            )
    raw = spc.xmr([int(i in (5, 17)) for i in range(24)], improvement="decrease", target=0)
    assert raw.assurance == "consistent_fail"
    matrix = system_matrix(member(small_ics.ics, Role.ICB_QUALITY_LEAD))
    cells = {
        (r.organisation.code, i.code): c
        for r in matrix.rows
        for i, c in zip(matrix.indicators, r.cells, strict=True)
    }
    assert cells[("TA", "never_events")].assurance is None
    assert cells[("TA", "falls")].assurance is None  # limits touch 0
    assert cells[("TB", "falls")].assurance == "consistent_fail"  # 40 a month never reach 0
    for (code, ind_code), cell in cells.items():
        org = small_ics.trust_a if code == "TA" else small_ics.trust_b
        indicator = never if ind_code == "never_events" else falls
        series = monthly_series(MeasureValue.objects.all(), org, indicator)
        assert cell.assurance == spc_for(series).assurance


# --------------------------------------------------------------------------- sorting and the key


def _row(name: str, icons: list[str], assurances: list[str | None]) -> Row:
    org = Organisation(code=name[:3].upper(), name=name)
    cells = [
        Cell(
            icon=i,
            assurance=a,
            latest=1.0,
            href="",
            label="",
            variation_svg=Markup(""),
            assurance_svg=Markup(""),
        )
        for i, a in zip(icons, assurances, strict=True)
    ]
    return Row(org, "", [*cells, None])


CONCERN = "special_cause_concern_high"
COMMON = "common_cause"
BETTER = "special_cause_improvement_low"


def test_sort_by_concern_counts_concerns_then_failing_assurance_then_name():
    rows = [
        _row("Alder", [COMMON, COMMON], [None, "consistent_pass"]),
        _row("birch", [CONCERN, COMMON], [None, None]),
        _row("Cedar", [CONCERN, COMMON], ["consistent_fail", None]),
        _row("Damson", [COMMON, BETTER], ["consistent_fail", "consistent_fail"]),
        _row("Elm", [CONCERN, "special_cause_concern_low"], ["inconsistent", None]),
        _row("Alder Vale", [CONCERN, COMMON], [None, None]),
    ]
    assert [(r.concerns, r.failing) for r in rows] == [
        (0, 0), (1, 0), (1, 1), (0, 2), (2, 0), (1, 0)
    ]  # fmt: skip
    by_concern = [r.organisation.name for r in sort_rows(rows, "concern")]
    assert by_concern == ["Elm", "Cedar", "Alder Vale", "birch", "Damson", "Alder"]
    by_name = [r.organisation.name for r in sort_rows(rows, "name")]
    assert by_name == ["Alder", "Alder Vale", "birch", "Cedar", "Damson", "Elm"]  # case aside
    with pytest.raises(ValueError, match="sort must be one of"):
        sort_rows(rows, "worst")


def test_the_matrix_sorts_by_concern(measured):
    icb = member(measured.ics, Role.ICB_QUALITY_LEAD)
    assert [r.organisation.code for r in system_matrix(icb).rows] == ["TA", "TB"]
    by_concern = system_matrix(icb, sort="concern")
    assert [r.organisation.code for r in by_concern.rows] == ["TB", "TA"]
    assert by_concern.rows[0].concerns == 2
    assert by_concern.query(sort="name") == "level=providers&sort=name"


def test_sortable_headers_are_links_that_announce_their_state(measured):
    client = Client()
    client.force_login(member(measured.ics, Role.ANALYST))
    html = client.get("/system/matrix/?place=&sort=concern").content.decode()
    assert html.index("Trust B") < html.index("Trust A")
    assert 'aria-sort="descending"><a href="?level=providers&amp;sort=concern#matrix-sort">' \
        "Concerns" in html  # fmt: skip
    assert html.count("aria-sort=") == 1  # only the column the rows are sorted by
    assert '<a href="?level=providers&amp;sort=name#matrix-sort">Organisation' in html
    assert "<strong>most concerning first</strong>" in html
    assert '<input type="hidden" name="sort" value="concern">' in html  # filters keep it
    by_name = client.get("/system/matrix/?sort=name&place=PB").content.decode()
    assert 'aria-sort="ascending"' in by_name and "sorted A to Z" in by_name
    assert "?level=providers&amp;place=PB&amp;sort=concern" in by_name
    nonsense = client.get("/system/matrix/?sort=worst").content.decode()
    assert 'aria-sort="ascending"' in nonsense  # an unknown sort falls back to names
    assert nonsense.index("Trust A") < nonsense.index("Trust B")


def test_the_key_names_every_icon_in_words(measured):
    client = Client()
    client.force_login(member(measured.ics, Role.ICB_QUALITY_LEAD))
    html = client.get("/system/matrix/").content.decode()
    assert '<h2 id="matrix-key">Key</h2>' in html
    keyed = {k.icon for k in KEY if k.icon}
    assert keyed == set(charts.VARIATION_ICONS) | set(charts.ASSURANCE_ICONS)
    for k in KEY:
        assert f"<strong>{k.name}</strong>: {k.meaning}" in html.replace("&#39;", "'")
    for colour in ("orange", "blue", "purple", "grey"):
        assert colour in " ".join(k.name for k in KEY)
