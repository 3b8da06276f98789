"""What a provider's feedback says: FFT % positive and % negative, counts, themes.

% positive = (very good + good) ÷ all responses; % negative = (poor + very poor) ÷ all
responses. "All responses" includes "don't know", as NHS England publishes the Friends and
Family Test (and as the fft_positive and fft_negative indicators define their denominator).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncMonth

from caresignals.core.periods import Month
from caresignals.organisations.models import Organisation
from caresignals.voice.models import (
    NEGATIVE_RATINGS,
    POSITIVE_RATINGS,
    Feedback,
    Kind,
    Publication,
)
from caresignals.voice.themes import lexicon, themes_of

MONTHS_SHOWN = 12
SNIPPETS_PER_THEME = 2
SNIPPET_LENGTH = 160


@dataclass(frozen=True)
class FftMonth:
    month: dt.date
    responses: int
    positive: int
    negative: int

    @property
    def percent_positive(self) -> float | None:
        return 100 * self.positive / self.responses if self.responses else None

    @property
    def percent_negative(self) -> float | None:
        return 100 * self.negative / self.responses if self.responses else None


def fft_month(month: dt.date, counts: dict[str, int]) -> FftMonth:
    """One month's figures from the count of responses for each rating."""
    return FftMonth(
        month,
        sum(counts.values()),
        sum(counts.get(r, 0) for r in POSITIVE_RATINGS),
        sum(counts.get(r, 0) for r in NEGATIVE_RATINGS),
    )


@dataclass(frozen=True)
class ServiceFft:
    code: str
    name: str
    months: list[FftMonth]


@dataclass(frozen=True)
class ThemeRow:
    code: str
    label: str
    by_month: list[int]
    total: int
    snippets: list[str]


@dataclass(frozen=True)
class Insight:
    provider: Organisation
    months: list[dt.date]
    fft: list[ServiceFft]
    kinds: list[tuple[dt.date, dict[str, int]]]
    themes: list[ThemeRow]
    texts_read: int
    reviewed_by: str
    reviewed_on: str


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SNIPPET_LENGTH:
        return text
    return text[: SNIPPET_LENGTH - 1].rsplit(" ", 1)[0] + " …"


def provider_insight(provider: Organisation, *, months: int = MONTHS_SHOWN) -> Insight:
    """The last `months` months up to the provider's latest feedback."""
    mine = Feedback.objects.filter(organisation=provider)
    latest = mine.aggregate(latest=Max("received_on"))["latest"]
    if latest is None:
        return Insight(provider, [], [], [], [], 0, lexicon().reviewed_by, lexicon().reviewed_on)
    shown = [m.first_day for m in Month.of(latest).window(months)]
    since = shown[0]
    window = mine.filter(received_on__gte=since)

    fft_counts: dict[tuple[int | None, dt.date], dict[str, int]] = defaultdict(dict)
    for row in (
        window.filter(kind=Kind.FFT)
        .annotate(month=TruncMonth("received_on"))
        .values("service_id", "month", "fft_rating")
        .annotate(n=Count("id"))
    ):
        fft_counts[(row["service_id"], row["month"])][row["fft_rating"]] = row["n"]
    services = {o.pk: o for o in Organisation.objects.filter(parent=provider, kind="service")}
    service_ids = sorted({sid for sid, _ in fft_counts}, key=lambda s: (s is not None, s or 0))
    fft = []
    for sid in sorted(service_ids, key=lambda s: services[s].name if s in services else ""):
        service = services.get(sid) if sid is not None else None
        fft.append(
            ServiceFft(
                service.code if service else provider.code,
                service.name if service else f"{provider.name} (no service given)",
                [fft_month(m, fft_counts.get((sid, m), {})) for m in shown],
            )
        )

    kinds: dict[dt.date, dict[str, int]] = {m: dict.fromkeys(Kind.values, 0) for m in shown}
    for by_kind in (
        window.annotate(month=TruncMonth("received_on"))
        .values("month", "kind")
        .annotate(n=Count("id"))
    ):
        kinds[by_kind["month"]][by_kind["kind"]] = by_kind["n"]

    lex = lexicon()
    index = {m: i for i, m in enumerate(shown)}
    theme_counts: dict[str, list[int]] = {t.code: [0] * len(shown) for t in lex.themes}
    texts = 0
    for text, received_on in window.exclude(text="").values_list("text", "received_on"):
        texts += 1
        i = index[Month.of(received_on).first_day]
        for code in themes_of(text, lex.themes):
            theme_counts[code][i] += 1
    snippets: dict[str, list[str]] = defaultdict(list)
    # Examples only from stories a moderator approved: their text is already de-identified.
    for text in (
        mine.filter(publication=Publication.APPROVED)
        .order_by("-published_on", "-id")
        .values_list("published_text", flat=True)[:500]
    ):
        for code in themes_of(text, lex.themes):
            if len(snippets[code]) < SNIPPETS_PER_THEME:
                snippets[code].append(_snippet(text))
    themes = [
        ThemeRow(t.code, t.label, theme_counts[t.code], sum(theme_counts[t.code]), snippets[t.code])
        for t in lex.themes
    ]
    themes.sort(key=lambda r: -r.total)
    return Insight(
        provider,
        shown,
        fft,
        [(m, kinds[m]) for m in shown],
        themes,
        texts,
        lex.reviewed_by,
        lex.reviewed_on,
    )


def overall(months: list[FftMonth]) -> FftMonth | None:
    if not months:
        return None
    total: Counter[str] = Counter()
    for m in months:
        total["responses"] += m.responses
        total["positive"] += m.positive
        total["negative"] += m.negative
    return FftMonth(months[-1].month, total["responses"], total["positive"], total["negative"])


@dataclass(frozen=True)
class MonthThemes:
    """People's feedback in one month, for the System Quality Group pack."""

    items: int  # feedback of every kind received in the month
    complaints: int
    fft_answers: int
    fft_negative: int  # poor or very poor
    themes: list[tuple[str, int, float]]  # (theme, texts in the month, mean a month before)


def month_themes(
    feedback: QuerySet[Feedback], month: dt.date, *, months_before: int = 3, top: int = 6
) -> MonthThemes:
    """The month's most frequent themes in feedback text (the reviewed lexicon), each against
    its monthly mean over the months before; `feedback` is already scoped to the reader."""
    start = (Month.of(month) - months_before).first_day
    end = Month.of(month).next.first_day
    window = feedback.filter(received_on__gte=start, received_on__lt=end)
    in_month = window.filter(received_on__gte=month)
    kinds = dict(in_month.values_list("kind").annotate(n=Count("id")).order_by())
    ratings = dict(
        in_month.filter(kind=Kind.FFT).values_list("fft_rating").annotate(n=Count("id")).order_by()
    )
    lex = lexicon()
    now: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    for text, received_on in window.exclude(text="").values_list("text", "received_on"):
        counts = now if received_on >= month else before
        for code in themes_of(text, lex.themes):
            counts[code] += 1
    labels = {t.code: t.label for t in lex.themes}
    themes = sorted(
        ((labels[c], n, before[c] / months_before) for c, n in now.items()),
        key=lambda t: (-t[1], t[0]),
    )
    return MonthThemes(
        items=sum(kinds.values()),
        complaints=kinds.get(Kind.COMPLAINT, 0),
        fft_answers=sum(ratings.values()),
        fft_negative=ratings.get("poor", 0) + ratings.get("very_poor", 0),
        themes=themes[:top],
    )
