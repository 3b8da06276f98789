"""Choosing an NHS organisation on a public form: search, then pick from radios.

Many providers have names alike ("Larchfield House, …"), and a list of a hundred names is
hard to use on a phone. The picker is a text box with a "Search" button that works without
JavaScript (the page comes back with the organisations that match, as radios, each with its
type and area to tell alike names apart); with JavaScript the same radios are filtered as
the person types (static/js/org-picker.js). Until something is searched for no list is
shown, only the box and its hint; typed words match the starts of words ("larch" finds
"Larchfield House", "field" does not), and at most `SHOWN_AT_MOST` matches are listed, with
how many more there are. The public safety-concern form and the public feedback form both
use it (the template macro is organisations/_picker.jinja).

Anyone may report about any provider, so this reads every provider: public pages only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from caresignals.organisations.models import Organisation, ProviderType

SEARCH_SUFFIX = "_search"  # the text box is named after the field: "org_code_search"
SEARCH_BUTTON = "org_picker_search"  # the name of the "Search" button
SHOWN_AT_MOST = 20  # matches listed at once; the rest are counted ("N more")


@dataclass(frozen=True)
class PickerOption:
    code: str
    name: str
    type_label: str
    area: str  # the place it sits in, as the organisation tree names it

    @property
    def hint(self) -> str:
        return ", ".join(part for part in (self.type_label, self.area) if part)

    @property
    def search_text(self) -> str:
        """What typed words are matched against (name, type and area), folded."""
        return fold(f"{self.name} {self.type_label} {self.area}")


def fold(text: str) -> str:
    """Lower case, accents and punctuation taken off, so "St Aidan's" matches "st aidans"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9 ]+", "", plain.lower().replace("-", " ")).split())


def public_options() -> list[PickerOption]:
    """Every provider, by name, with its type and area."""
    labels = dict(ProviderType.choices)
    providers = (
        Organisation.objects.filter(kind="provider")
        .select_related("parent")
        .order_by("name", "code")
        .only("code", "name", "type", "parent__name")
    )
    return [
        PickerOption(
            code=o.code,
            name=o.name,
            type_label=str(labels.get(o.type, "")),
            area=o.parent.name if o.parent else "",
        )
        for o in providers
    ]


def public_provider(code: str) -> Organisation | None:
    """A provider by code, for a public page that names it (its PALS contact details)."""
    return Organisation.objects.filter(code=code, kind="provider").first() if code else None


def matching(options: list[PickerOption], query: str) -> list[PickerOption]:
    """The options where every word typed starts a word of the name, type or area (all when
    nothing is typed): "larch" matches "Larchfield House", "field" does not."""
    words = fold(query).split()
    if not words:
        return options
    return [o for o in options if all(f" {o.search_text}".find(f" {w}") >= 0 for w in words)]


@dataclass(frozen=True)
class Picker:
    """What the template macro draws: the search typed, every option (so a script can filter
    them again as the person types) and which of them match it."""

    name: str
    query: str
    options: list[PickerOption]
    matches: frozenset[str]  # the codes of the options matching the search
    chosen: str
    at_most: int = SHOWN_AT_MOST

    @property
    def shown(self) -> frozenset[str]:
        """The options shown: none before a search; then the first `at_most` matching, in
        name order; and the one chosen even when a search leaves it out (so an answer never
        disappears unseen)."""
        listed: set[str] = set()
        if self.query:
            listed = {o.code for o in self.options if o.code in self.matches}
            if len(listed) > self.at_most:
                first = [o.code for o in self.options if o.code in self.matches]
                listed = set(first[: self.at_most])
        if self.chosen:
            listed.add(self.chosen)
        return frozenset(listed)

    @property
    def more(self) -> int:
        """Matches not listed: the person should refine the search."""
        return max(0, self.count - self.at_most) if self.query else 0

    @property
    def search_name(self) -> str:
        return self.name + SEARCH_SUFFIX

    @property
    def count(self) -> int:
        return len(self.matches)

    @property
    def total(self) -> int:
        return len(self.options)


def picker(name: str, data: object, options: list[PickerOption] | None = None) -> Picker:
    """The picker for field `name`, given the submitted data (a QueryDict or dict)."""
    options = public_options() if options is None else options
    get = getattr(data, "get", None)
    query = str(get(name + SEARCH_SUFFIX, "") or "").strip()[:100] if get else ""
    chosen = str(get(name, "") or "") if get else ""
    if all(o.code != chosen for o in options):
        chosen = ""
    matches = frozenset(o.code for o in matching(options, query))
    return Picker(name=name, query=query, options=options, matches=matches, chosen=chosen)


def searching(data: object) -> bool:
    """True when the form came back because "Search" was pressed: show it again, send nothing."""
    get = getattr(data, "get", None)
    return bool(get and get(SEARCH_BUTTON))
