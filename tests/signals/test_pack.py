"""The System Quality Group pack: one page for a month, on screen, as a PDF and from the
command line; its watchlist comes from compute_watchlist (replaced here by fake entries)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import ManagementUtility

from caresignals.analytics.models import MonthlyEventCount
from caresignals.audit.services import Actor
from caresignals.publishing import pdf
from caresignals.signals.governance import pack, services
from caresignals.voice.models import Feedback
from tests.factories import EventFactory
from tests.signals.factories import entry, fake_watchlist, risk
from tests.voice.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

JAN = dt.date(2026, 1, 1)


@pytest.fixture
def month(small_ics, people, monkeypatch):
    """January 2026: a watchlist, a change of level, risks, events and harm counts."""
    fake_watchlist(
        monkeypatch,
        [entry(small_ics.trust_a, small_ics.maternity_a, score=9.0)]
        + [entry(small_ics.trust_b, kind=f"rule_{i}", score=8.0 - i / 10) for i in range(11)],
    )
    actor = Actor(user=people.icb)
    services.change_level(
        actor,
        small_ics.trust_a,
        to_level="enhanced",
        rationale="Maternity harm rising.",
        decided_on=dt.date(2026, 1, 20),
        forum="sqg",
        expected_version=0,
    )
    services.change_level(
        actor,
        small_ics.trust_b,
        to_level="enhanced",
        rationale="An earlier decision.",
        decided_on=dt.date(2025, 11, 3),
        forum="rqg",
        expected_version=0,
    )
    risk(small_ics.trust_a, title="New in January", opened_on=dt.date(2026, 1, 5))
    risk(
        small_ics.trust_b,
        title="Overdue at B",
        opened_on=dt.date(2025, 6, 1),
        review_on=dt.date(2026, 1, 10),
    )
    risk(
        small_ics.trust_a,
        title="Reviewed in time",
        opened_on=dt.date(2025, 6, 1),
        review_on=dt.date(2026, 2, 10),
    )
    for _ in range(5):
        EventFactory(organisation=small_ics.trust_a, occurred_on=dt.date(2026, 1, 8))
    for _ in range(3):
        EventFactory(
            organisation=small_ics.trust_b, occurred_on=dt.date(2026, 1, 9), category="medication"
        )
    for day in (dt.date(2025, 10, 2), dt.date(2025, 11, 2), dt.date(2025, 12, 2)):
        EventFactory(organisation=small_ics.trust_a, occurred_on=day)
    for i in range(1, 13):
        m = dt.date(2025 + (i - 1) // 12, (i - 1) % 12 + 1, 1)
        MonthlyEventCount.objects.create(
            organisation=small_ics.trust_a,
            service=small_ics.maternity_a,
            month=m,
            record_type="incident",
            max_harm="moderate",
            count=1,
        )
    MonthlyEventCount.objects.create(
        organisation=small_ics.trust_a,
        service=small_ics.maternity_a,
        month=JAN,
        record_type="incident",
        max_harm="severe",
        count=6,
    )
    for _ in range(4):
        FeedbackFactory(
            organisation=small_ics.trust_a,
            kind="complaint",
            received_on=dt.date(2026, 1, 12),
            text="Synthetic: we waited hours and nobody explained the delay.",
        )
    FeedbackFactory(
        organisation=small_ics.trust_a,
        kind="fft",
        fft_rating="very_poor",
        received_on=dt.date(2026, 1, 13),
        text="",
    )
    FeedbackFactory(
        organisation=small_ics.trust_b,
        received_on=dt.date(2025, 12, 1),
        text="Synthetic: the delay was long.",
    )
    return small_ics


def test_the_pack_holds_the_month(month):
    p = pack.system_pack(JAN)
    assert p.period_label == "January 2026"
    assert len(p.entries) == 10 and p.watchlist_total == 12
    assert p.entries[0].where == "Maternity A, Trust A"
    assert p.entries[0].escalation_label == "Enhanced surveillance"
    assert [c.rationale for c in p.changes] == ["Maternity harm rising."]
    assert [r.risk.title for r in p.new_risks] == ["New in January"]
    assert [r.risk.title for r in p.overdue_risks] == ["Overdue at B"]
    assert p.as_at == dt.date(2026, 1, 31)
    assert [(t.label, t.month) for t in p.categories] == [("Falls", 5), ("Medication", 3)]
    assert p.categories[0].baseline == 1.0 and p.categories[0].change == 4.0
    assert p.categories[1].change is None  # nothing in the months before
    assert p.events_in_month == 8
    assert [(h.where, h.month) for h in p.harm_changes] == [("Maternity A, Trust A", 6)]
    assert p.harm_changes[0].baseline == 1.0


def test_the_pack_page(client, month, people):
    client.force_login(people.icb)
    response = client.get("/signals/pack/", {"period": "2026-01"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "<h1>System Quality Group pack: January 2026</h1>" in text
    assert "The 10 most concerning of 12 watchlist entries" in text
    assert "Synthetic signal harm_special_cause at Maternity A" in text
    assert "Maternity harm rising." in text and "An earlier decision." not in text
    assert "New in January" in text and "Overdue at B" in text
    assert "Reviewed in time" not in text
    assert "Falls" in text and "+400%" in text
    # People's feedback: 5 items in January, 4 complaints, 1 of 1 FFT answers poor or worse;
    # waiting and communication each in 4 texts, waiting once in the 3 months before.
    assert "5 pieces of feedback were received in January 2026, 4 of them complaints" in text
    assert "1 of 1 Friends and Family Test answers were poor or very poor" in text
    themes = pack.month_themes(Feedback.objects.all(), JAN).themes
    assert [(label, n) for label, n, _ in themes][:2] == [  # ties in alphabetical order
        ("Communication and information", 4),
        ("Waiting and access", 4),
    ]
    assert dict((label, before) for label, _, before in themes)["Waiting and access"] == 1 / 3
    assert 'href="/signals/pack/2026-01.pdf"' in text


def test_the_default_month_and_a_bad_month(client, month, people):
    client.force_login(people.icb)
    assert "January 2026" in client.get("/signals/pack/").content.decode()  # latest with data
    bad = client.get("/signals/pack/", {"period": "2026-13"})
    assert bad.status_code == 400
    assert "Enter the month as a year and month" in bad.content.decode()


def test_a_trust_board_member_sees_only_their_trust(client, month, people):
    client.force_login(people.board_a)
    text = client.get("/signals/pack/", {"period": "2026-01"}).content.decode()
    assert "Maternity A" in text and "Trust B" not in text and "Overdue at B" not in text
    assert "of 1 watchlist entry" in text


@pytest.mark.parametrize("who", ["lead_a", "staff_a", "analyst"])
def test_others_may_not_read_the_pack(client, month, people, who):
    client.force_login(getattr(people, who))
    assert client.get("/signals/pack/").status_code == 403
    assert client.get("/signals/pack/2026-01.pdf").status_code == 403


def test_the_pdf(client, month, people):
    client.force_login(people.icb)
    response = client.get("/signals/pack/2026-01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="system-quality-group-pack-2026-01.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    assert client.get("/signals/pack/2026-13.pdf").status_code == 404


def test_the_pdf_makes_no_request_off_the_machine(month, settings):
    settings.DEMO = True
    the_pack = pack.system_pack(JAN)
    html = pack.print_html(the_pack)
    assert "Synthetic data." in html
    assert "http://" not in html and "https://" not in html and "<a " not in html
    fetcher = pdf.LocalOnlyFetcher()
    data = pack.pack_pdf(the_pack, fetcher=fetcher)
    assert data.startswith(b"%PDF-")
    assert fetcher.refused == []


def _run(monkeypatch, *argv: str) -> int:
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    try:
        ManagementUtility(["caresignals", *argv]).execute()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_the_command_writes_the_pack(month, tmp_path: Path, monkeypatch, capsys):
    out = tmp_path / "sqg.pdf"
    assert _run(monkeypatch, "report", "sqg", "--period", "2026-01", "--out", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert "System Quality Group pack for January 2026" in capsys.readouterr().out
    assert _run(monkeypatch, "report", "sqg", "--period", "2026-1", "--out", str(out)) == 1
    assert "--period: write the month as YYYY-MM" in capsys.readouterr().err
    assert _run(monkeypatch, "report", "sqg", "--period", "2026-01") == 2
