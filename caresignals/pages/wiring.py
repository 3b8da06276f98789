"""Plugging one capture app's work into another's port: they may not import each other.

A complaint (voice) may reveal a patient-safety incident, recorded through safety's own rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caresignals.audit.services import Actor
from caresignals.safety.events.services import EventInvalid, record_event
from caresignals.voice import safety_events


def record_event_for_voice(row: Mapping[str, Any], actor: Actor) -> Any:
    try:
        recorded = record_event(row, actor=actor)
    except EventInvalid as invalid:
        raise safety_events.EventRefused(invalid.errors) from None
    return recorded.load()


def connect() -> None:
    safety_events.plug(record_event_for_voice)
