"""The library's one search, on whichever database the suite runs (SQLite's FTS5 or
PostgreSQL's text search): ranked, highlighted, escaped, filtered and scoped."""

from __future__ import annotations

import pytest
from django.db import connection

from caresignals.learning import queries
from caresignals.learning.models import LearningSummary
from caresignals.organisations.roles import Role
from caresignals.safety import hooks
from tests.factories import member
from tests.learning.helpers import completed_response, lead_of, summary_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(small_ics):
    lead_a = lead_of(small_ics.trust_a, "lead-a")
    lead_b = lead_of(small_ics.trust_b, "lead-b")
    insulin = summary_for(
        completed_response(
            small_ics.trust_a,
            title="Synthetic: insulin missed at the evening handover",
            summary="Insulin was not given because the handover skipped the insulin chart.",
            findings={"tasks": "The handover sheet had no insulin step."},
        ),
        user=lead_a,
        outcome="improved",
    )
    falls = summary_for(
        completed_response(
            small_ics.trust_b,
            title="Synthetic: falls at night on a surgical ward",
            summary="Patients fell at night walking to the toilet; insulin was not involved.",
            findings={"internal_environment": "Lighting was poor at night."},
            category="falls",
            action="Night lights by every bed.",
        ),
        user=lead_b,
        outcome="no_change",
    )
    draft = summary_for(
        completed_response(
            small_ics.trust_b,
            title="Synthetic: pressure ulcer after a long wait",
            summary="A pressure ulcer developed during a long wait in the emergency department.",
            findings={"organisation": "Too few staff for the number of trolleys."},
            category="pressure_ulcer",
            action="Turn charts for every trolley.",
        ),
        user=lead_b,
        approve=False,
    )
    return {"insulin": insulin, "falls": falls, "draft": draft, "lead_b": lead_b}


def _refs(results):
    return [h.summary.reference for h in results.hits]


def test_every_word_must_match_and_stemming_finds_other_forms(library, small_ics):
    reader = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    assert _refs(queries.search(reader, "insulin handover")) == [library["insulin"].reference]
    # "fall" finds "falls" and "fell" is not needed: both engines stem English words.
    assert _refs(queries.search(reader, "fall night")) == [library["falls"].reference]
    assert queries.search(reader, "insulin handover").total == 1
    assert queries.search(reader, "nothing-like-this").total == 0


def test_ranked_best_first_the_title_weighing_more(library, small_ics):
    reader = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    found = queries.search(reader, "insulin")
    # Both mention insulin; the one about insulin (in its title, many times) comes first.
    assert _refs(found) == [library["insulin"].reference, library["falls"].reference]
    assert found.hits[0].rank > found.hits[1].rank


def test_matches_are_highlighted_and_everything_else_escaped(small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    summary_for(
        completed_response(
            small_ics.trust_a,
            title="Synthetic: <script>alert(1)</script> sepsis & delay",
            summary="Sepsis <b>screening</b> was late; <img src=x onerror=alert(1)>.",
        ),
        user=lead,
    )
    reader = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    hit = queries.search(reader, "sepsis").hits[0]
    title, snippet = str(hit.title), str(hit.snippet)
    assert "<mark>" in title and "</mark>" in title
    assert "sepsis</mark>" in title.lower() and "<mark>sepsis" in snippet.lower()
    assert "<script>" not in title and "&lt;script&gt;" in title and "&amp;" in title
    # (PostgreSQL's headline drops what looks like a tag; SQLite keeps it, escaped.)
    assert "<img" not in snippet and "<b>" not in snippet and "screening" in snippet
    assert title.count("<") == title.count("<mark>") + title.count("</mark>")


def test_query_syntax_from_the_searcher_is_only_words(library, small_ics):
    reader = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    for words in ('insulin" OR "falls', "insulin AND NOT*", "title:insulin", "insulin) (", "'"):
        found = queries.search(reader, words)  # no syntax error from either engine
        assert all(h.summary.status == "approved" for h in found.hits)
    assert _refs(queries.search(reader, '"insulin*"')) != []


def test_filters_by_category_provider_type_factor_and_outcome(library, small_ics):
    reader = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    f = queries.Filters
    assert _refs(queries.search(reader, "", f(category="falls"))) == [library["falls"].reference]
    assert _refs(queries.search(reader, "insulin", f(outcome="no_change"))) == [
        library["falls"].reference
    ]
    assert _refs(queries.search(reader, "", f(factor="tasks"))) == [library["insulin"].reference]
    assert _refs(queries.search(reader, "", f(factor="internal_environment"))) == [
        library["falls"].reference
    ]
    assert queries.search(reader, "", f(service_type="acute_trust")).total == 2
    assert queries.search(reader, "", f(service_type="care_home")).total == 0


def test_drafts_are_found_only_by_their_own_provider(library, small_ics):
    staff_a = member(small_ics.trust_a, Role.STAFF, username="staff-a")
    assert queries.search(staff_a, "pressure ulcer").total == 0
    assert _refs(queries.search(library["lead_b"], "pressure ulcer")) == [
        library["draft"].reference
    ]
    assert queries.search(queries.SYSTEM_READER, "pressure ulcer").total == 0


def test_no_words_lists_the_library_latest_first_and_pages(library, small_ics):
    reader = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    everything = queries.search(reader, "")
    assert everything.total == 2
    assert _refs(everything) == [library["falls"].reference, library["insulin"].reference]
    second = queries.search(reader, "", limit=1, offset=1)
    assert second.total == 2 and _refs(second) == [library["insulin"].reference]


def test_the_index_keeps_in_step_with_changes_and_deletions(library, small_ics):
    reader = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    s = library["insulin"]
    LearningSummary.objects.filter(pk=s.pk).update(
        title="Synthetic: anticoagulant missed", search_body="Warfarin was missed."
    )
    assert queries.search(reader, "insulin handover").total == 0
    assert _refs(queries.search(reader, "warfarin")) == [s.reference]
    s.response.delete()  # the summary goes with its response
    assert queries.search(reader, "warfarin").total == 0
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM learning_summary_fts")
            assert c.fetchone()[0] == LearningSummary.objects.count()


def test_similar_learning_comes_from_elsewhere_only(library, small_ics):
    lead_a = lead_of(small_ics.trust_a, "lead-a2")
    words = "Medication: the patient fell at night and insulin was late"
    found = hooks.similar_learning_for(lead_a, words, small_ics.trust_a)
    assert [s.url for s in found] == [f"/learning/{library['falls'].reference}/"]
    assert found[0].organisation == "Trust B" and "<mark>" in str(found[0].snippet)
    # From trust B's side, trust A's insulin learning is the similar one.
    found_b = hooks.similar_learning_for(library["lead_b"], words, small_ics.trust_b)
    assert [s.url for s in found_b] == [f"/learning/{library['insulin'].reference}/"]
    assert hooks.similar_learning_for(lead_a, "the and of", small_ics.trust_a) == []


def test_pages_of_a_word_search_and_a_page_past_the_end(library, small_ics):
    reader = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    first = queries.search(reader, "insulin", limit=1)
    second = queries.search(reader, "insulin", limit=1, offset=1)
    assert first.total == second.total == 2
    assert _refs(first) + _refs(second) == [
        library["insulin"].reference,
        library["falls"].reference,
    ]
    beyond = queries.search(reader, "insulin", limit=1, offset=5)
    assert beyond.total == 2 and beyond.hits == []
