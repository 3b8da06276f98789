"""Hooks core owns so that higher layers can join in without core importing them (ADR 16)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

# A web worker is ready to serve (`caresignals serve`, gunicorn's post_worker_init); analytics
# starts its background refresh here.
worker_started = Signal()

# Extra context for the sign-in page in the synthetic demo (the demo's people, for example);
# filled in by the demo app when it is ready.
demo_sign_in_context: list[Callable[[], dict[str, Any]]] = []
