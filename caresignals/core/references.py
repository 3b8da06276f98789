"""Short references that people read aloud: a public safety concern's "K7P 4QX 92M" (ADR 23).

Nine characters from an alphabet without 0, O, 1, I or L, so nothing read over the phone or
copied from a screen can be mistaken for another character. They are stored without spaces
and shown in three groups of three. A reference typed by a person is normalised first, so
"k7p-4qx 92m" finds the same event; the longer staff references ("PSE-…") are left as they
are apart from spaces and case, so every reference given out before keeps working.
"""

from __future__ import annotations

import re
import secrets

SHORT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # 31 characters: no 0, O, 1, I or L
SHORT_LENGTH = 9
SHORT_PATTERN = re.compile(f"[{SHORT_ALPHABET}]{{{SHORT_LENGTH}}}")
LONG_PATTERN = re.compile(r"PSE-[A-Z0-9]{16}")  # a staff or imported event's reference


def new_short_reference() -> str:
    """A random short reference, stored form ("K7P4QX92M"); the caller checks it is unused."""
    return "".join(secrets.choice(SHORT_ALPHABET) for _ in range(SHORT_LENGTH))


def is_short_reference(text: str) -> bool:
    return SHORT_PATTERN.fullmatch(text) is not None


def normalise_reference(text: str | None) -> str:
    """A reference as typed, as it is stored: spaces, hyphens within a short reference and
    case do not matter ("k7p 4qx-92m" is "K7P4QX92M"; " pse-abc… " is "PSE-ABC…")."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if compact.startswith("PSE-"):
        return compact
    without_hyphens = compact.replace("-", "")
    return without_hyphens if is_short_reference(without_hyphens) else compact


def display_reference(reference: str) -> str:
    """A reference as people read it: a short one in three groups of three."""
    if is_short_reference(reference):
        return " ".join(reference[i : i + 3] for i in range(0, SHORT_LENGTH, 3))
    return reference


def references_in(text: str) -> tuple[list[str], str]:
    """The event references in a list a person typed (separated by spaces, commas or lines),
    in order without repeats, and whatever was left over that is not one. A short reference
    may be typed with spaces inside it ("K7P 4QX 92M"): a run of such groups is read nine
    characters at a time."""
    found: list[str] = []
    leftover: list[str] = []
    for piece in re.split(r"[,;\n]+", text.upper()):
        found += LONG_PATTERN.findall(piece)
        rest = LONG_PATTERN.sub(" ", piece)
        compact = re.sub(r"[\s-]+", "", rest)
        if not compact:
            continue
        if len(compact) % SHORT_LENGTH == 0 and all(c in SHORT_ALPHABET for c in compact):
            found += [compact[i : i + SHORT_LENGTH] for i in range(0, len(compact), SHORT_LENGTH)]
        else:
            leftover.append(rest.strip())
    return list(dict.fromkeys(found)), " ".join(leftover)
