"""The experience indicators counted from feedback records (ADR 17): the declaration, the
months an import, a public form or the API touches, and imported beats derived."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from django.core.management import call_command

from caresignals.audit.services import Actor
from caresignals.measures import feedback_indicators, numerators
from caresignals.measures.models import Indicator, MeasureValue, Origin
from caresignals.measures.numerators import NumeratorRuleError, parse_rule
from caresignals.measures.services import read_definitions, sync_definitions

pytestmark = pytest.mark.django_db

FEEDBACK_SOURCE = numerators.FEEDBACK_INDICATOR_SOURCE
MARCH, APRIL, MAY = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)
HEADER = ["source_id", "org_code", "service_code", "received_on", "kind", "fft_rating", "text"]


# -- the declaration ---------------------------------------------------------------------------


def _share(**rule):
    return {"unit": "proportion", "source": FEEDBACK_SOURCE, "numerator_rule": rule}


def test_the_experience_indicators_are_declared_as_counted_from_feedback():
    rules = numerators.rules("feedback")
    assert set(rules) == {"fft_positive", "fft_negative", "complaints"}
    assert set(feedback_indicators.COUNTS) == set(rules)
    assert rules["complaints"].out_of is None and rules["complaints"].denominator is None
    negative = rules["fft_negative"]
    assert negative.where == (("kind", ("fft",)), ("fft_rating", ("poor", "very_poor")))
    assert negative.out_of == (("kind", ("fft",)),)
    assert negative.sql() == "kind = 'fft' AND fft_rating IN ('poor', 'very_poor')"
    assert negative.out_of_sql() == "kind = 'fft'"
    assert rules["fft_positive"].where[1] == ("fft_rating", ("very_good", "good"))
    for d in read_definitions():
        if d.code in rules:
            assert d.source == FEEDBACK_SOURCE
            assert d.source.endswith("or the measures import") and len(d.source) <= 60


def test_a_share_of_records_is_described_in_words():
    text = numerators.rules("feedback")["fft_negative"].describe()
    assert text.startswith("Feedback records held")
    assert "Friends and Family Test rating poor or very poor" in text
    assert "counted by the month they were received" in text
    assert text.endswith("out of all the records held with kind fft")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_share(source="feedback", kind=["fft"]), "needs one"),
        (_share(source="feedback", kind=["fft"], out_of=["fft"]), "must be a table"),
        (_share(source="feedback", kind=["fft"], out_of={"harm": ["x"]}), r"out_of\.harm"),
        (_share(source="feedback", kind=["fft"], out_of={"kind": ["letter"]}), "'letter' not one"),
        (
            _share(
                source="feedback",
                kind=["fft"],
                out_of={"kind": ["fft"]},
                denominator="occupied_bed_days",
            ),
            "not both",
        ),
        (
            {
                "unit": "count",
                "source": FEEDBACK_SOURCE,
                "numerator_rule": {"source": "feedback", "kind": ["x"]},
            },
            "'x' not one of",
        ),
        (
            {
                "unit": "count",
                "source": "derived from events",
                "numerator_rule": {"source": "feedback", "kind": ["complaint"]},
            },
            "must have source = 'derived from feedback records",
        ),
    ],
)
def test_a_wrong_feedback_rule_names_what_is_wrong(data, message):
    with pytest.raises(NumeratorRuleError, match=message):
        parse_rule(data)


def test_a_count_of_records_has_no_out_of():
    data = {
        "unit": "count",
        "source": FEEDBACK_SOURCE,
        "numerator_rule": {"source": "feedback", "kind": ["complaint"], "out_of": {}},
    }
    with pytest.raises(NumeratorRuleError, match="a count"):
        parse_rule(data)


# -- through `import feedback` ---------------------------------------------------------------


@pytest.fixture
def region(small_ics):
    sync_definitions(Actor(label="test"))
    return small_ics


def write(path, rows):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def import_feedback(path):
    call_command("import", "feedback", str(path), "--no-progress")


def import_measures(path, rows):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["org_code", "indicator_code", "period", "numerator", "denominator"])
        w.writerows(rows)
    call_command("import", "measures", str(path), "--no-progress")


def values(code, org=None):
    found = MeasureValue.objects.filter(indicator__code=code)
    if org is not None:
        found = found.filter(organisation__code=org)
    return {
        (v.organisation.code, v.period): (v.numerator, v.denominator, v.origin)
        for v in found.select_related("organisation")
    }


def fft(sid, day, rating, org="TA", service="TA-MAT"):
    return [sid, org, service, day, "fft", rating, ""]


def complaint(sid, day, org="TA", service="TA-MAT"):
    return [sid, org, service, day, "complaint", "", "Synthetic complaint."]


MARCH_FILE = [
    fft("F1", "2026-03-02", "very_good"),
    fft("F2", "2026-03-05", "good"),
    fft("F3", "2026-03-09", "poor"),
    fft("F4", "2026-03-31", "dont_know"),
    fft("F5", "2026-03-12", "very_poor", service=""),
    complaint("C1", "2026-03-03"),
    complaint("C2", "2026-03-20", service=""),
    ["K1", "TA", "TA-MAT", "2026-04-02", "compliment", "", "Synthetic thanks."],
    fft("B1", "2026-04-07", "neither", org="TB", service="TB-MAT"),
]


def test_an_import_counts_each_month_for_the_service_and_its_provider(region, tmp_path):
    import_feedback(write(tmp_path / "f.csv", MARCH_FILE))
    assert values("fft_positive") == {
        ("TA-MAT", MARCH): (2.0, 4.0, Origin.DERIVED),  # "don't know" is an answer too
        ("TA", MARCH): (2.0, 5.0, Origin.DERIVED),  # the provider's own answers and its services'
        ("TB-MAT", APRIL): (0.0, 1.0, Origin.DERIVED),
        ("TB", APRIL): (0.0, 1.0, Origin.DERIVED),
    }
    assert values("fft_negative")[("TA-MAT", MARCH)] == (1.0, 4.0, Origin.DERIVED)
    assert values("fft_negative")[("TA", MARCH)] == (2.0, 5.0, Origin.DERIVED)
    # A month with a compliment but no FFT answer has no share, not 0 %.
    assert ("TA-MAT", APRIL) not in values("fft_positive")
    assert values("complaints") == {
        ("TA-MAT", MARCH): (1.0, None, Origin.DERIVED),
        ("TA", MARCH): (2.0, None, Origin.DERIVED),
        # From its first record on, a month with feedback but no complaint counts 0.
        ("TA-MAT", APRIL): (0.0, None, Origin.DERIVED),
        ("TA", APRIL): (0.0, None, Origin.DERIVED),
        ("TB-MAT", APRIL): (0.0, None, Origin.DERIVED),
        ("TB", APRIL): (0.0, None, Origin.DERIVED),
    }


def test_a_changed_row_moves_its_count_to_its_new_month(region, tmp_path):
    import_feedback(write(tmp_path / "f.csv", MARCH_FILE))
    moved = [r[:] for r in MARCH_FILE]
    moved[5][3] = "2026-05-04"  # C1 was received in May, not March
    import_feedback(write(tmp_path / "g.csv", moved))
    complaints = values("complaints", "TA-MAT")
    assert complaints[("TA-MAT", MARCH)][0] == 0.0
    assert complaints[("TA-MAT", MAY)][0] == 1.0
    # April, between the months the import named, is counted too.
    assert complaints[("TA-MAT", APRIL)][0] == 0.0


def test_reimporting_the_same_file_changes_nothing(region, tmp_path):
    path = write(tmp_path / "f.csv", MARCH_FILE)
    import_feedback(path)
    before = values("fft_negative")
    import_feedback(path)
    assert values("fft_negative") == before
    assert MeasureValue.objects.filter(indicator__code="fft_negative").count() == len(before)


def test_a_full_recount_gives_what_the_imports_gave(region, tmp_path):
    import_feedback(write(tmp_path / "f.csv", MARCH_FILE))
    before = {code: values(code) for code in feedback_indicators.COUNTS}
    MeasureValue.objects.filter(origin=Origin.DERIVED).delete()
    feedback_indicators.refresh()
    assert {code: values(code) for code in feedback_indicators.COUNTS} == before


# -- through a public form and the API -------------------------------------------------------

IP = "203.0.113.77"


def test_the_public_form_counts_in_the_month_received_once_committed(
    client, region, today, django_capture_on_commit_callbacks
):
    this_month = today.replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/feedback/give/?org_code=TA&kind=fft",
            {"website": "", "service_code": "TA-MAT", "fft_rating": "very_poor"},
            REMOTE_ADDR=IP,
        )
    assert response.status_code == 200
    assert values("fft_negative") == {
        ("TA-MAT", this_month): (1.0, 1.0, Origin.DERIVED),
        ("TA", this_month): (1.0, 1.0, Origin.DERIVED),
    }
    assert values("fft_positive")[("TA-MAT", this_month)] == (0.0, 1.0, Origin.DERIVED)


def test_the_public_form_recounts_only_after_commit(
    client, region, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            "/feedback/give/?org_code=TA&kind=fft",
            {"website": "", "service_code": "TA-MAT", "fft_rating": "good"},
            REMOTE_ADDR=IP,
        )
        # Inside the transaction nothing is recounted yet.
        assert not MeasureValue.objects.filter(indicator__code="fft_positive").exists()
    assert callbacks


def test_a_complaint_through_the_api_counts_for_its_service(
    client, region, today, django_capture_on_commit_callbacks
):
    this_month = today.replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/public/feedback",
            json.dumps(
                {
                    "org_code": "TB",
                    "service_code": "TB-MAT",
                    "kind": "complaint",
                    "text": "Synthetic complaint.",
                    "contact": {"name": "Synthetic Person", "email": "person@example.com"},
                    "consent_to_publish": False,
                }
            ),
            content_type="application/json",
            REMOTE_ADDR=IP,
        )
    assert response.status_code == 201
    assert values("complaints") == {
        ("TB-MAT", this_month): (1.0, None, Origin.DERIVED),
        ("TB", this_month): (1.0, None, Origin.DERIVED),
    }


# -- imported beats derived ------------------------------------------------------------------


def test_a_submitted_aggregate_stands_and_nothing_is_derived_beside_it(region, tmp_path):
    import_measures(
        tmp_path / "m.csv",
        [
            ["TA-MAT", "fft_negative", "2026-03", "30", "600"],
            ["TA-MAT", "complaints", "2026-03", "7", ""],
        ],
    )
    import_feedback(write(tmp_path / "f.csv", MARCH_FILE))
    negative = values("fft_negative")
    assert negative[("TA-MAT", MARCH)] == (30.0, 600.0, Origin.IMPORTED)
    # Its provider has no total counted from records alone: it would leave out the 30.
    assert ("TA", MARCH) not in negative
    assert values("complaints", "TA-MAT")[("TA-MAT", MARCH)] == (7.0, None, Origin.IMPORTED)
    # What the service did not submit is still counted from its records.
    assert values("fft_positive")[("TA-MAT", MARCH)] == (2.0, 4.0, Origin.DERIVED)
    assert values("complaints", "TA-MAT")[("TA-MAT", APRIL)] == (0.0, None, Origin.DERIVED)


def test_an_aggregate_imported_after_derived_values_replaces_them(region, tmp_path):
    import_feedback(write(tmp_path / "f.csv", MARCH_FILE))
    assert values("fft_negative")[("TA", MARCH)] == (2.0, 5.0, Origin.DERIVED)
    import_measures(tmp_path / "m.csv", [["TA-MAT", "fft_negative", "2026-03", "30", "600"]])
    negative = values("fft_negative")
    assert negative[("TA-MAT", MARCH)] == (30.0, 600.0, Origin.IMPORTED)
    assert ("TA", MARCH) not in negative  # never 30 + 2, nor a total without the 30
    rows = MeasureValue.objects.filter(
        indicator__code="fft_negative", organisation__code="TA-MAT", period=MARCH
    )
    assert rows.count() == 1
    # A later feedback import leaves the submitted value alone.
    import_feedback(write(tmp_path / "g.csv", [*MARCH_FILE, fft("F9", "2026-03-30", "poor")]))
    assert values("fft_negative")[("TA-MAT", MARCH)] == (30.0, 600.0, Origin.IMPORTED)


def test_a_provider_that_submits_keeps_its_own_route(region, tmp_path):
    import_measures(tmp_path / "m.csv", [["TA", "complaints", "2026-03", "12", ""]])
    import_feedback(write(tmp_path / "f.csv", MARCH_FILE))
    complaints = values("complaints")
    assert complaints[("TA", MARCH)] == (12.0, None, Origin.IMPORTED)
    assert complaints[("TA-MAT", MARCH)] == (1.0, None, Origin.DERIVED)


def test_a_service_that_submits_for_some_months_only_is_counted_for_the_others(region, tmp_path):
    import_measures(tmp_path / "m.csv", [["TA-MAT", "complaints", "2026-04", "4", ""]])
    import_feedback(write(tmp_path / "f.csv", MARCH_FILE))
    complaints = values("complaints", "TA-MAT")
    assert complaints[("TA-MAT", MARCH)] == (1.0, None, Origin.DERIVED)
    assert complaints[("TA-MAT", APRIL)] == (4.0, None, Origin.IMPORTED)


def test_an_indicator_not_defined_from_feedback_is_left_alone(region, tmp_path):
    Indicator.objects.filter(code="complaints").update(source="measures import")
    import_feedback(write(tmp_path / "f.csv", MARCH_FILE))
    assert not MeasureValue.objects.filter(indicator__code="complaints").exists()
    assert MeasureValue.objects.filter(indicator__code="fft_negative").exists()


def test_the_chart_says_which_months_came_by_which_route(region, tmp_path):
    from django.test import Client

    from caresignals.organisations.roles import Role
    from tests.factories import member

    import_measures(tmp_path / "m.csv", [["TA-MAT", "complaints", "2026-03", "9", ""]])
    import_feedback(write(tmp_path / "f.csv", MARCH_FILE))
    client = Client()
    client.force_login(member(region.trust_a, Role.PATIENT_SAFETY_LEAD))
    html = client.get("/organisations/TA-MAT/indicators/complaints/").content.decode()
    assert "1 month submitted through the measures import (March 2026)" in html
    assert "1 month counted from the feedback records held (April 2026)" in html
    assert "never added to the records" in html
    single = client.get("/organisations/TA-MAT/indicators/fft_positive/").content.decode()
    assert "1 month counted from the feedback records held (March 2026)" in single
    assert "never added to the records" not in single


def test_a_failed_recount_does_not_fail_the_person_giving_feedback(
    client, region, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from caresignals.voice.models import Feedback

    def broken(_months):
        raise RuntimeError("synthetic failure")

    monkeypatch.setattr(feedback_indicators, "refresh", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/feedback/give/?org_code=TA&kind=fft",
            {"website": "", "service_code": "TA-MAT", "fft_rating": "poor"},
            REMOTE_ADDR=IP,
        )
    assert response.status_code == 200 and Feedback.objects.count() == 1
    assert "Recounting the experience indicators failed" in caplog.text
    monkeypatch.undo()
    feedback_indicators.refresh()  # the repair `caresignals analytics refresh` runs
    assert (
        values("fft_negative")[("TA-MAT", Feedback.objects.get().received_on.replace(day=1))][0]
        == 1.0
    )
