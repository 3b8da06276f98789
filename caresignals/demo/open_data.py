"""The demo's open data (ADR 29): the ICB publishes Never Events and complaints received, by
provider and by place, for the data's last month, as the ICB quality lead would."""

from __future__ import annotations

from caresignals.audit.services import Actor
from caresignals.core.periods import Month
from caresignals.publishing import services
from caresignals.publishing.models import Breakdown, Release

TABLES = [
    ("never_events", Breakdown.PROVIDER),
    ("never_events", Breakdown.PLACE),
    ("complaints", Breakdown.PROVIDER),
    ("complaints", Breakdown.PLACE),
]


def publish_release(last_period: str, actor: Actor) -> Release:
    services.choose(actor, [(code, str(breakdown)) for code, breakdown in TABLES])
    release = services.prepare(actor, Month.parse(last_period).first_day)
    return services.publish(actor, release)
