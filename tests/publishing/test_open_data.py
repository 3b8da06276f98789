"""Open data (ADR 29): publishing is a decision (choose, prepare and preview, publish,
withdraw; only the ICB quality lead; each audited), the public pages and downloads serve the
kept snapshot, the release command writes the very same bytes, the public API lists releases
and tables, and a differencing attack on a published release recovers no withheld count."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from django.core.management import ManagementUtility
from django.test import Client

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from caresignals.publishing import services
from caresignals.publishing.models import Release, ReleaseStatus
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db

MONTH = dt.date(2026, 10, 1)
DEMO = Actor(label="tests")


@pytest.fixture
def region(small_ics):
    """Never Events in October 2026: Trust A 3 and Trust C 20 in Place A, Trust B 12 in
    Place B; complaints too, and a rate that may not be published."""
    trust_c = OrganisationFactory(
        code="TC", name="Trust C", type="acute_trust", parent=small_ics.place_a
    )
    never = Indicator.objects.create(
        code="never_events", name="Never Events", unit="count", polarity="lower_is_better"
    )
    complaints = Indicator.objects.create(
        code="complaints", name="Complaints received", unit="count", polarity="neutral"
    )
    Indicator.objects.create(
        code="falls_rate", name="Falls per 1,000 bed days", unit="rate", polarity="lower_is_better"
    )
    for org, n, c in ((small_ics.trust_a, 3, 40), (trust_c, 20, 0), (small_ics.trust_b, 12, 9)):
        MeasureValue.objects.create(organisation=org, indicator=never, period=MONTH, numerator=n)
        MeasureValue.objects.create(
            organisation=org, indicator=complaints, period=MONTH, numerator=c
        )
    # A service's value is not a provider's: never double counted.
    MeasureValue.objects.create(
        organisation=small_ics.maternity_a, indicator=never, period=MONTH, numerator=2
    )
    small_ics.lead = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb.lead")
    return small_ics


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _published(choices=None) -> Release:
    services.choose(
        DEMO,
        choices
        or [
            ("never_events", "provider"),
            ("never_events", "place"),
            ("complaints", "provider"),
        ],
    )
    return services.publish(DEMO, services.prepare(DEMO, MONTH))


def _rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


# ----------------------------------------------------------------- the decision, in the pages


def test_the_icb_lead_chooses_previews_publishes_and_withdraws(region):
    client = _signed_in(region.lead)
    anyone = Client()
    page = client.get("/publishing/")
    assert page.status_code == 200
    assert "Never Events, by provider" in page.content.decode()
    assert "Falls per 1,000 bed days" not in page.content.decode()  # a rate: not offered

    client.post(
        "/publishing/",
        {"action": "choose", "tables": ["never_events/provider", "never_events/place"]},
    )
    response = client.post("/publishing/", {"action": "prepare", "period": "2026-10"})
    assert response.status_code == 302
    release = Release.objects.get()
    assert release.status == ReleaseStatus.DRAFT

    preview = client.get(response["Location"]).content.decode()
    assert "exactly what the public will see" in preview
    # Trust A's 3 is withheld, and so is Trust C (else Place A minus Trust C gives it away).
    assert "2 cells withheld, of which 1 only to stop a small count" in preview
    assert anyone.get("/open-data/2026-10/").status_code == 404  # a draft is not public

    client.post(response["Location"], {"action": "publish"})
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED and release.published_by == region.lead
    public = anyone.get("/open-data/")
    assert public.status_code == 200
    assert "Never Events, by place" in public.content.decode()

    refused = client.post(response["Location"], {"action": "withdraw", "reason": "  "})
    assert refused.status_code == 400
    assert "Enter why the release is being withdrawn" in refused.content.decode()
    client.post(response["Location"], {"action": "withdraw", "reason": "Trust C resubmitted"})
    release.refresh_from_db()
    assert release.status == ReleaseStatus.WITHDRAWN
    assert release.withdrawal_reason == "Trust C resubmitted"
    assert anyone.get("/open-data/2026-10/never_events-by-place.csv").status_code == 404
    assert "Nothing has been published yet" in anyone.get("/open-data/").content.decode()

    actions = list(
        AuditEntry.objects.filter(object_type__in=["release", "publication"])
        .order_by("at", "id")
        .values_list("action", "actor__username")
    )
    assert actions == [
        ("publication.chosen", "icb.lead"),
        ("release.prepared", "icb.lead"),
        ("release.published", "icb.lead"),
        ("release.withdrawn", "icb.lead"),
    ]


def test_only_the_icb_quality_lead_decides(region):
    analyst = member(region.ics, Role.ANALYST, username="an.analyst")
    safety = member(region.trust_a, Role.PATIENT_SAFETY_LEAD, username="a.safety.lead")
    for user in (analyst, safety):
        client = _signed_in(user)
        assert client.get("/publishing/").status_code == 403
        assert (
            client.post("/publishing/", {"action": "prepare", "period": "2026-10"}).status_code
            == 403
        )
    assert Client().get("/publishing/").status_code == 302  # to sign in
    # An ICB quality lead held only at a trust cannot decide for the system.
    local = member(region.trust_b, Role.ICB_QUALITY_LEAD, username="local.lead")
    response = _signed_in(local).post(
        "/publishing/", {"action": "choose", "tables": ["never_events/provider"]}
    )
    assert response.status_code == 403
    assert not Release.objects.exists()


def test_bad_input_gets_a_message_naming_the_field(region):
    client = _signed_in(region.lead)
    bad = client.post("/publishing/", {"action": "prepare", "period": "October"})
    assert bad.status_code == 400
    assert "Enter the month as YYYY-MM" in bad.content.decode()
    nothing = client.post("/publishing/", {"action": "prepare", "period": "2026-10"})
    assert nothing.status_code == 400
    assert "Nothing has been chosen for publication" in nothing.content.decode()
    client.post("/publishing/", {"action": "choose", "tables": ["never_events/provider"]})
    empty = client.post("/publishing/", {"action": "prepare", "period": "2025-01"})
    assert "has data for 2025-01" in empty.content.decode()
    wrong = client.post("/publishing/", {"action": "choose", "tables": ["falls_rate/provider"]})
    assert wrong.status_code == 400
    assert "falls_rate is not an indicator that can be published" in wrong.content.decode()
    assert not Release.objects.exists()


def test_a_published_month_must_be_withdrawn_before_it_is_prepared_again(region):
    _published()
    with pytest.raises(services.PublishingError, match="withdraw it before"):
        services.prepare(DEMO, MONTH)


# ------------------------------------------------------------------ the tables themselves


def test_tables_are_disclosure_controlled_across_breakdowns(region):
    release = _published()
    by_provider = _rows(bytes(release.tables.get(name="never_events-by-provider").csv))
    by_place = _rows(bytes(release.tables.get(name="never_events-by-place").csv))
    assert [(r["code"], r["count"], r["marker"]) for r in by_provider] == [
        ("TA", "", "[c]"),
        ("TB", "10", ""),
        ("TC", "", "[c]"),
        ("ALL", "35", ""),
    ]
    assert [(r["code"], r["count"]) for r in by_place] == [
        ("PA", "25"),
        ("PB", "10"),
        ("ALL", "35"),
    ]
    complaints = _rows(bytes(release.tables.get(name="complaints-by-provider").csv))
    assert [(r["code"], r["count"]) for r in complaints] == [
        ("TA", "40"),
        ("TB", "10"),
        ("TC", "0"),
        ("ALL", "50"),
    ]
    assert set(by_provider[0]) == {
        "period", "indicator_code", "indicator_name", "breakdown", "code", "name",
        "place_code", "count", "marker",
    }  # fmt: skip


def test_a_differencing_attack_on_the_published_files_recovers_nothing(region):
    """The attacker reads only the public CSVs: each table adds up to its ALL row, and each
    place is the sum of the providers the provider table places in it. Even knowing every
    shown count exactly, no withheld cell is in the span of those sums."""
    release = _published()
    tables = {t.name: _rows(bytes(t.csv)) for t in release.tables.all()}
    attacked = 0
    for indicator in ("never_events", "complaints"):
        cells: list[tuple[str, str]] = []  # (table, code)
        hidden: list[bool] = []
        sums: list[tuple[int, list[int]]] = []
        index: dict[tuple[str, str], int] = {}
        for name, rows in tables.items():
            if not name.startswith(indicator):
                continue
            for r in rows:
                key = ("ALL", "ALL") if r["code"] == "ALL" else (name, r["code"])
                if key not in index:
                    index[key] = len(cells)
                    cells.append(key)
                    hidden.append(r["marker"] == "[c]")
            parts = [index[(name, r["code"])] for r in rows if r["code"] != "ALL"]
            sums.append((index[("ALL", "ALL")], parts))
        providers = tables.get(f"{indicator}-by-provider", [])
        if f"{indicator}-by-place" in tables:
            for r in tables[f"{indicator}-by-place"]:
                if r["code"] != "ALL":
                    members = [
                        index[(f"{indicator}-by-provider", p["code"])]
                        for p in providers
                        if p["place_code"] == r["code"]
                    ]
                    sums.append((index[(f"{indicator}-by-place", r["code"])], members))
        matrix = np.zeros((len(sums), len(cells)))
        for row, (total, parts) in enumerate(sums):
            matrix[row, parts] = 1
            matrix[row, total] -= 1
        unknown = [i for i, h in enumerate(hidden) if h]
        attacked += len(unknown)
        sub = matrix[:, unknown]
        rank = np.linalg.matrix_rank(sub)
        for j in range(len(unknown)):
            probe = np.zeros(len(unknown))
            probe[j] = 1
            assert np.linalg.matrix_rank(np.vstack([sub, probe])) > rank, cells[unknown[j]]
    assert attacked == 2


def test_downloads_in_three_formats_carry_the_same_rows(region):
    release = _published()
    anyone = Client()
    base = "/open-data/2026-10/never_events-by-provider"
    csv_file = anyone.get(base + ".csv")
    assert csv_file["Content-Type"].startswith("text/csv")
    assert csv_file.content == bytes(release.tables.get(name="never_events-by-provider").csv)
    rows = _rows(csv_file.content)
    body = json.loads(anyone.get(base + ".json").content)
    assert body["licence"] == "Open Government Licence v3.0"
    assert [r["count"] for r in body["rows"]] == [None, 10, None, 35]
    table = pq.read_table(io.BytesIO(anyone.get(base + ".parquet").content)).to_pylist()
    assert [r["code"] for r in table] == [r["code"] for r in rows]
    assert [r["count"] for r in table] == [None, 10, None, 35]
    assert anyone.get("/open-data/2026-10/nothing.csv").status_code == 404
    assert anyone.get("/open-data/2026-11/never_events-by-provider.csv").status_code == 404


def test_the_public_pages_need_no_sign_in(region):
    _published()
    anyone = Client()
    for path, text in (
        ("/open-data/", "October 2026"),
        ("/open-data/2026-10/", "Complaints received, by provider"),
        ("/open-data/dictionary/", "place_code"),
        ("/open-data/about/", "Open Government Licence"),
    ):
        response = anyone.get(path)
        assert response.status_code == 200, path
        assert text in response.content.decode(), path
    dictionary = _rows(anyone.get("/open-data/data-dictionary.csv").content)
    assert {"column", "table", "licence"} == {r["kind"] for r in dictionary}
    assert "never_events-by-place" in {r["name"] for r in dictionary}


def test_the_snapshot_is_served_even_when_the_data_change(region):
    release = _published()
    MeasureValue.objects.filter(organisation__code="TB", indicator__code="never_events").update(
        numerator=500
    )
    rows = _rows(Client().get("/open-data/2026-10/never_events-by-provider.csv").content)
    assert rows[1]["count"] == "10"
    assert release.tables.count() == 3


# ---------------------------------------------------------------------------- the command


def _run(monkeypatch, *argv: str) -> int:
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    try:
        ManagementUtility(["caresignals", *argv]).execute()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_the_command_writes_exactly_the_files_the_site_serves(region, tmp_path, monkeypatch):
    release = _published()
    out = tmp_path / "release"
    assert _run(monkeypatch, "publish", "--period", "2026-10", "--out", str(out)) == 0
    anyone = Client()
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "complaints-by-provider.csv",
        "data-dictionary.csv",
        "manifest.json",
        "never_events-by-place.csv",
        "never_events-by-provider.csv",
    ]
    for table in release.tables.all():
        served = anyone.get(f"/open-data/2026-10/{table.name}.csv").content
        assert (out / f"{table.name}.csv").read_bytes() == served
    assert (out / "data-dictionary.csv").read_bytes() == anyone.get(
        "/open-data/2026-10/data-dictionary.csv"
    ).content
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["period"] == "2026-10"
    assert manifest["generated_at"].startswith("2026-11-16T")  # the suite's clock
    import hashlib

    for entry in manifest["files"]:
        body = (out / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
        assert entry["rows"] == body.count(b"\n") - 1


def test_the_command_explains_what_is_wrong(region, tmp_path, monkeypatch, capsys):
    assert _run(monkeypatch, "publish", "--period", "Oct", "--out", str(tmp_path / "a")) == 1
    assert "--period: write the month as YYYY-MM" in capsys.readouterr().err
    assert _run(monkeypatch, "publish", "--period", "2026-10", "--out", str(tmp_path / "a")) == 1
    assert "nothing is published for 2026-10" in capsys.readouterr().err
    _published()
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    assert _run(monkeypatch, "publish", "--period", "2026-10", "--out", str(full)) == 1
    assert "is not an empty folder" in capsys.readouterr().err
    assert sorted(p.name for p in full.iterdir()) == ["keep.txt"]


# ------------------------------------------------------------------------- the public API


def test_the_public_api_lists_releases_and_tables(region):
    anyone = Client()
    assert anyone.get("/api/public/v1/releases").json() == []
    release = _published()
    listed = anyone.get("/api/public/v1/releases").json()
    assert [r["period"] for r in listed] == ["2026-10"]
    detail = anyone.get("/api/public/v1/releases/2026-10").json()
    assert [t["name"] for t in detail["tables"]] == [
        "complaints-by-provider",
        "never_events-by-place",
        "never_events-by-provider",
    ]
    assert detail["tables"][1]["csv_url"] == "/open-data/2026-10/never_events-by-place.csv"
    rows = anyone.get("/api/public/v1/releases/2026-10/tables/never_events-by-provider").json()
    assert [r["count"] for r in rows["rows"]] == [None, 10, None, 35]
    assert anyone.get("/api/public/v1/releases/2026-09").status_code == 404
    assert anyone.get("/api/public/v1/releases/2026-10/tables/nope").status_code == 404
    schema = anyone.get("/api/public/v1/openapi.json").json()
    assert "/api/public/v1/releases/{period}" in schema["paths"]
    services.withdraw(DEMO, release, "Wrong month")
    assert anyone.get("/api/public/v1/releases").json() == []
    assert anyone.get("/api/public/v1/releases/2026-10").status_code == 404


def test_a_provider_whose_services_submit_counts_as_their_sum(region):
    trust_d = OrganisationFactory(
        code="TD", name="Trust D", type="acute_trust", parent=region.place_b
    )
    never = Indicator.objects.get(code="never_events")
    for code, n in (("TD-1", 4), ("TD-2", 5)):
        service = OrganisationFactory(code=code, kind="service", type="maternity", parent=trust_d)
        MeasureValue.objects.create(
            organisation=service, indicator=never, period=MONTH, numerator=n
        )
    release = _published([("never_events", "provider")])
    rows = _rows(bytes(release.tables.get().csv))
    assert [(r["code"], r["count"]) for r in rows] == [
        ("TA", ""),
        ("TB", "10"),
        ("TC", "20"),
        ("TD", ""),  # 4 + 5 = 9: the smallest other count, withheld to guard Trust A's 3
        ("ALL", "45"),
    ]


def test_no_generated_request_to_the_public_api_gives_a_server_error(region):
    """The public API fuzzed from its own OpenAPI document (as tests/api fuzzes the staff
    API): whatever the period or table name, an answer, never a 5xx."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.generation import GenerationMode

    from tests.api.test_schemathesis import send

    _published()
    client = Client()
    schema = schemathesis.openapi.from_dict(client.get("/api/public/v1/openapi.json").json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 3
    statuses: set[int] = set()
    for operation in operations:
        # Positive cases only: every path parameter is a string, so any value fits the
        # schema and a "negative" one cannot be made; odd values come from the strings.
        for mode in (GenerationMode.POSITIVE,):

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=15,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case) -> None:
                response = send(client, case, "no-token-needed")
                statuses.add(response.status_code)
                assert response.status_code < 500, (case.path, response.status_code)

            check()
    assert 200 in statuses and 404 in statuses
    for period in ("0000-01", "2026-13", "2026-1", "%00", "2026-10%2F..%2F"):
        assert client.get(f"/api/public/v1/releases/{period}").status_code in {400, 404}, period
