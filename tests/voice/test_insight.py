"""FFT percentages, counts and themes on a provider's insight page; the theme lexicon."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.voice.insight import fft_month, provider_insight
from caresignals.voice.themes import Theme, lexicon, normalise, read_lexicon, themes_of
from tests.factories import member
from tests.voice.factories import FeedbackFactory


def test_fft_percentages_count_dont_know_in_the_denominator():
    m = fft_month(
        dt.date(2026, 3, 1),
        {"very_good": 50, "good": 20, "neither": 10, "poor": 5, "very_poor": 5, "dont_know": 10},
    )
    assert m.responses == 100 and m.percent_positive == 70 and m.percent_negative == 10
    empty = fft_month(dt.date(2026, 3, 1), {})
    assert empty.percent_positive is None and empty.percent_negative is None


def test_the_lexicon_is_well_formed_and_reviewed():
    lex = lexicon()
    codes = [t.code for t in lex.themes]
    assert codes == [
        "communication",
        "attitude_dignity",
        "waiting_access",
        "clinical_care",
        "medication",
        "discharge",
        "environment",
        "food",
        "staffing",
        "privacy",
    ]
    assert lex.reviewed_by and lex.reviewed_on


def test_stems_match_the_start_of_words_only():
    assert themes_of("Nobody communicated with us") == ["communication"]
    assert themes_of("The team was great") == []  # "tea" is not a stem: "team" is not food
    assert themes_of("We had a cup of tea at last") == ["food"]
    assert set(themes_of("Waited 6 hours; the RUDE receptionist ignored us")) == {
        "waiting_access",
        "attitude_dignity",
    }
    assert themes_of("Sent home without my medication") == ["medication", "discharge"]
    assert themes_of("") == []
    assert normalise("It’s  DIRTY!") == " it's dirty "


def test_a_bad_lexicon_is_refused(tmp_path):
    path = tmp_path / "themes.toml"
    path.write_text(
        'reviewed_by = "x"\nreviewed_on = 2026-01-01\n'
        '[[theme]]\ncode = "a"\nlabel = "A"\nstems = ["x"]\n'
        '[[theme]]\ncode = "a"\nlabel = "A again"\nstems = ["y"]\n'
    )
    with pytest.raises(ValueError, match="appears twice"):
        read_lexicon(path)
    assert themes_of("xylophone", (Theme("a", "A", ("xy",)),)) == ["a"]


@pytest.mark.django_db
def test_provider_insight(small_ics):
    ta, mat = small_ics.trust_a, small_ics.maternity_a
    march = dt.date(2026, 3, 10)
    for rating in ["very_good", "very_good", "good", "poor", "dont_know"]:
        FeedbackFactory(
            organisation=ta, service=mat, kind="fft", fft_rating=rating, text="", received_on=march
        )
    FeedbackFactory(
        organisation=ta, kind="complaint", text="Waited hours, nobody explained.", received_on=march
    )
    FeedbackFactory(
        organisation=ta,
        kind="compliment",
        text="Raw: Sister Smith was kind.",
        received_on=dt.date(2026, 2, 1),
        publication="approved",
        published_text="The staff were kind and patient with us.",
    )
    FeedbackFactory(
        organisation=small_ics.trust_b, kind="concern", text="Dirty toilets", received_on=march
    )
    result = provider_insight(ta)
    assert result.months[-1] == dt.date(2026, 3, 1) and len(result.months) == 12
    [service] = result.fft
    assert service.code == "TA-MAT"
    last = service.months[-1]
    assert (last.responses, last.percent_positive, last.percent_negative) == (5, 60, 20)
    kinds = dict(result.kinds)
    assert (
        kinds[dt.date(2026, 3, 1)]["complaint"] == 1
        and kinds[dt.date(2026, 2, 1)]["compliment"] == 1
    )
    themes = {t.code: t for t in result.themes}
    assert themes["waiting_access"].by_month[-1] == 1 and themes["communication"].total == 1
    assert themes["environment"].total == 0  # Trust B's comment is not Trust A's
    # Examples come only from moderated text, never the raw comment.
    assert themes["attitude_dignity"].snippets == ["The staff were kind and patient with us."]


@pytest.mark.django_db
def test_insight_page_is_scoped(client, small_ics):
    FeedbackFactory(organisation=small_ics.trust_a, kind="fft", fft_rating="good", text="")
    client.force_login(member(small_ics.trust_a, "board_member"))
    page = client.get("/feedback/insight/TA/").content.decode()
    assert "Friends and Family Test by service" in page and "How this is calculated" in page
    assert "100.0%" in page and "Month by month" in page
    assert client.get("/feedback/insight/TB/").status_code == 404
    assert client.get("/feedback/insight/TA-MAT/").status_code == 404


@pytest.mark.django_db
def test_insight_page_empty_state(client, small_ics):
    client.force_login(member(small_ics.trust_a, "board_member"))
    page = client.get("/feedback/insight/TA/").content.decode()
    assert "No feedback has been received or imported" in page
