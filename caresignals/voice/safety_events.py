"""Recording the safety event a complaint reveals, through a port voice owns.

Voice and safety are capture apps, independent of each other (ADR 16): voice may not import
safety. The complaint's link is a foreign key by label ("safety.PatientSafetyEvent"); the
one thing voice asks of safety, recording an event through every rule an imported event
meets, is this port, which the pages app (above both) plugs in when the apps are ready.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from caresignals.audit.services import Actor


class EventRefused(Exception):
    """The event was not recorded; `errors` says why, field by field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


# Records an events.csv row and returns the stored event; raises EventRefused.
Recorder = Callable[[Mapping[str, Any], Actor], Any]
_recorder: Recorder | None = None


def plug(recorder: Recorder) -> None:
    global _recorder
    _recorder = recorder


def record_event(row: Mapping[str, Any], actor: Actor) -> Any:
    assert _recorder is not None, "the pages app plugs safety's recorder in when ready"
    return _recorder(row, actor)
