"""Reading the library: what each person may see, and the one search (ADR 28).

Approved summaries are read by every signed-in person in the system; drafts only inside
their provider (organisations/scoping.py). `search` is the only way into the full-text
index: it picks SQLite's FTS5 table or PostgreSQL's text search by the connection's vendor,
ranks by relevance (bm25 / ts_rank, the title weighing more than the body), and returns the
title and a snippet with the matched words marked. Everything the database returns is
escaped; only the marks it was asked to put around matches become <mark> elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import Http404
from markupsafe import Markup, escape

from caresignals.learning.models import LearningSummary
from caresignals.learning.vocabulary import SummaryStatus
from caresignals.safety.models import LearningResponse
from caresignals.safety.responses import access

# Marks the database puts around matched words; stripped from every text before it is
# stored (services.clean), so they can only come from the search engine.
START = "\ue000"
STOP = "\ue001"
MAX_TERMS = 24
_WORD = re.compile(r"\w+")
# Words too common to say two pieces of learning are alike (for "similar learning" only;
# a search for exact words keeps every word the person typed).
_STOPWORDS_TEXT = """
a about after all also an and any are as at be been before but by can could did do does for
from had has have he her him his how i if in into is it its may more no not of on or our she
so than that the their them then there these they this to too up was we were what when where
which while who will with would you your patient synthetic
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(frozen=True)
class Filters:
    category: str = ""
    service_type: str = ""
    factor: str = ""
    outcome: str = ""

    def q(self) -> Q:
        q = Q()
        if self.category:
            q &= Q(category=self.category)
        if self.service_type:
            q &= Q(service_type=self.service_type)
        if self.factor:
            q &= Q(factors__contains=self.factor)
        if self.outcome:
            q &= Q(outcome=self.outcome)
        return q


@dataclass(frozen=True)
class Hit:
    """One summary found: its title and a snippet as the engine gave them, matched words
    between START and STOP; `title` and `snippet` are the same escaped, marks as <mark>."""

    summary: LearningSummary
    rank: float
    raw_title: str
    raw_snippet: str

    @property
    def title(self) -> Markup:
        return marked(self.raw_title)

    @property
    def snippet(self) -> Markup:
        return marked(self.raw_snippet)


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    terms: tuple[str, ...] = ()


class _SystemReader:
    """Whoever reads the library from outside every provider: the command line reads it
    as an ICB member would, approved summaries only."""

    is_authenticated = True


SYSTEM_READER = _SystemReader()


def own_paths(user: Any) -> list[str]:
    """The organisations whose drafts the person reads: each one they work in, and the
    provider above a service they work in (never an organisation seen from above, so the
    ICB does not read a provider's drafts)."""
    if user is SYSTEM_READER or not getattr(user, "is_authenticated", False):
        return []
    paths: set[str] = set()
    for p in user.memberships.values_list("organisation__path", flat=True):
        parts = p.strip("/").split("/")
        paths.add(p)
        paths.update("/" + "/".join(parts[:n]) + "/" for n in range(3, len(parts)))
    return sorted(paths)


def visible(user: Any) -> QuerySet[LearningSummary]:
    """Approved summaries, and drafts of the person's own organisations."""
    if not getattr(user, "is_authenticated", False):
        return LearningSummary.objects.none()
    return LearningSummary.objects.filter(
        Q(status=SummaryStatus.APPROVED) | Q(organisation__path__in=own_paths(user))
    )


def summary_of(response: Any) -> LearningSummary | None:
    """A learning response's summary, if its team has written one (one per response)."""
    return LearningSummary.objects.filter(response=response).first()


def response_for_writing(user: Any, reference: str) -> LearningResponse:
    """A learning response the person may write the summary of: their provider's, where
    they run learning responses; 404 otherwise, as if it did not exist."""
    scope = access.write_scope(user)
    try:
        return (
            LearningResponse.objects.filter(scope.q("organisation__path"))
            .select_related("organisation", "owner_person")
            .get(reference=reference)
        )
    except LearningResponse.DoesNotExist:
        raise Http404("Not found") from None


def summary_for(user: Any, reference: str) -> LearningSummary:
    try:
        return visible(user).select_related("organisation", "response").get(reference=reference)
    except LearningSummary.DoesNotExist:
        raise Http404("Not found") from None


def terms_of(words: str, *, similar: bool = False) -> tuple[str, ...]:
    """The words searched for: lower-cased word characters only (nothing of the engines'
    own query syntax gets through), at most MAX_TERMS, no repeats."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(words.lower()):
        if similar and (len(w) < 3 or w.isdigit() or w in STOPWORDS):
            continue
        seen.setdefault(w, None)
    return tuple(seen)[:MAX_TERMS]


def marked(text: str) -> Markup:
    """Escape everything, then turn the engine's match marks into <mark> elements."""
    safe = str(escape(text))
    return Markup(safe.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


def _opening(text: str, words: int = 40) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def search(
    user: Any,
    words: str,
    filters: Filters = Filters(),
    *,
    limit: int = 20,
    offset: int = 0,
    any_word: bool = False,
    exclude_path: str = "",
    approved_only: bool = False,
) -> Results:
    """Summaries the person may read that match every word (with `any_word`, any of them),
    best first, with highlights. No words: the filtered library, latest approved first."""
    qs = visible(user).filter(filters.q())
    if approved_only:
        qs = qs.filter(status=SummaryStatus.APPROVED)
    if exclude_path:
        qs = qs.exclude(organisation__path__startswith=exclude_path)
    terms = terms_of(words, similar=any_word)
    if not terms:
        if words.strip() and any_word:
            return Results()
        total = qs.count()
        rows = list(
            qs.select_related("organisation").order_by("-approved_at", "-id")[
                offset : offset + limit
            ]
        )
        hits = [Hit(s, 0.0, s.title, _opening(s.what_happened)) for s in rows]
        return Results(hits, total, ())
    if connection.vendor == "postgresql":
        return _search_postgresql(qs, terms, any_word, limit, offset)
    return _search_sqlite(qs, terms, any_word, limit, offset)


def _search_sqlite(
    qs: QuerySet[LearningSummary], terms: tuple[str, ...], any_word: bool, limit: int, offset: int
) -> Results:
    match = (" OR " if any_word else " AND ").join(f'"{t}"' for t in terms)
    ids_sql, ids_params = qs.order_by().values("id").query.sql_with_params()
    # The matches are ranked once, in a materialised CTE, and only then narrowed to what the
    # person may see: given "rowid IN (…)" beside MATCH, FTS5 reruns the query for each id
    # (seconds at 10 000 summaries). Only `ids_sql`, the queryset's own SQL, is built in;
    # every value is a parameter.
    ranked = (
        "WITH hits AS MATERIALIZED (SELECT rowid AS id,"  # noqa: S608
        " bm25(learning_summary_fts, 4.0, 1.0) AS rank"
        " FROM learning_summary_fts WHERE learning_summary_fts MATCH %s)"
        f" SELECT id, rank, count(*) OVER () FROM hits WHERE id IN ({ids_sql})"
        " ORDER BY rank, id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(ranked, [match, *ids_params, limit, offset])
        rows = cursor.fetchall()
        total = rows[0][2] if rows else 0
        if not rows and offset:  # a page past the end: the count still says how many
            counted = (
                "SELECT count(*) FROM (SELECT rowid AS id FROM learning_summary_fts"  # noqa: S608
                f" WHERE learning_summary_fts MATCH %s) WHERE id IN ({ids_sql})"
            )
            cursor.execute(counted, [match, *ids_params])
            total = cursor.fetchone()[0]
        marks: dict[int, tuple[str, str]] = {}
        if rows:
            # Highlights for this page only: FTS5 finds a handful of ids by seeking.
            page_ids = ", ".join(["%s"] * len(rows))
            cursor.execute(
                "SELECT rowid, highlight(learning_summary_fts, 0, %s, %s),"  # noqa: S608
                " snippet(learning_summary_fts, 1, %s, %s, ' … ', 32)"
                " FROM learning_summary_fts WHERE learning_summary_fts MATCH %s"
                f" AND rowid IN ({page_ids})",
                [START, STOP, START, STOP, match, *(r[0] for r in rows)],
            )
            marks = {r[0]: (r[1], r[2]) for r in cursor.fetchall()}
    by_id = LearningSummary.objects.select_related("organisation").in_bulk([r[0] for r in rows])
    # bm25 is better when lower (more negative); report it so that higher is better.
    hits = [Hit(by_id[r[0]], -float(r[1]), *marks[r[0]]) for r in rows]
    return Results(hits, total, terms)


def _search_postgresql(
    qs: QuerySet[LearningSummary], terms: tuple[str, ...], any_word: bool, limit: int, offset: int
) -> Results:
    if any_word:
        query = reduce(or_, (SearchQuery(t, config="english") for t in terms))
    else:
        query = SearchQuery(" ".join(terms), config="english")
    matched = qs.filter(search_vector=query)
    total = matched.count()
    rows = (
        matched.select_related("organisation")
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            hl_title=SearchHeadline(
                "title", query, config="english", start_sel=START, stop_sel=STOP, highlight_all=True
            ),
            hl_body=SearchHeadline(
                "search_body",
                query,
                max_words=32,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
                config="english",
                start_sel=START,
                stop_sel=STOP,
            ),
        )
        .order_by("-rank", "-id")[offset : offset + limit]
    )
    hits = [Hit(s, float(s.rank), s.hl_title, s.hl_body) for s in rows]
    return Results(hits, total, terms)
