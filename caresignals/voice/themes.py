"""Themes in free text, from the reviewed lexicon in data/themes.toml.

A text belongs to a theme when one of its words begins with one of the theme's stems (a stem
of several words matches those words in a row). No Django here: pure, and tested as such.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEXICON = Path(__file__).parent / "data" / "themes.toml"
_NOT_LETTERS = re.compile(r"[^a-z0-9']+")


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    stems: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    themes: tuple[Theme, ...]
    reviewed_by: str
    reviewed_on: str


def normalise(text: str) -> str:
    """Lower case, words separated by single spaces, with a space at each end."""
    return " " + _NOT_LETTERS.sub(" ", text.lower().replace("’", "'")).strip() + " "


def read_lexicon(path: Path = LEXICON) -> Lexicon:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    themes = []
    seen: set[str] = set()
    for entry in data["theme"]:
        code = entry["code"]
        if code in seen:
            raise ValueError(f"theme {code!r} appears twice in {path.name}")
        seen.add(code)
        stems = tuple(normalise(s).strip() for s in entry["stems"])
        if not stems or any(not s for s in stems):
            raise ValueError(f"theme {code!r} needs non-empty stems")
        themes.append(Theme(code, entry["label"], stems))
    return Lexicon(tuple(themes), str(data["reviewed_by"]), str(data["reviewed_on"]))


@cache
def lexicon() -> Lexicon:
    return read_lexicon()


def themes_of(text: str, themes: tuple[Theme, ...] | None = None) -> list[str]:
    """The codes of the themes the text belongs to, in the lexicon's order."""
    words = normalise(text)
    found = []
    for theme in themes if themes is not None else lexicon().themes:
        if any(" " + stem in words for stem in theme.stems):
            found.append(theme.code)
    return found
