"""What people decided about events, for the exports' derived fields (one query per chunk).

The rules alone give ``candour_notifiable`` and ``referrals`` from what was recorded; a
patient-safety lead can add to both (a hand flag, a referral task raised by hand), and the
exports and the API must say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from caresignals.safety.events import rules
from caresignals.safety.models import CandourRecord, ReferralTask


@dataclass
class HandDecisions:
    flagged: set[int] = field(default_factory=set)
    referrals: dict[int, list[str]] = field(default_factory=dict)


def hand_decisions(event_ids: Sequence[int]) -> HandDecisions:
    found = HandDecisions()
    if not event_ids:
        return found
    found.flagged = set(
        CandourRecord.objects.filter(event_id__in=event_ids, hand_flagged=True).values_list(
            "event_id", flat=True
        )
    )
    for event_id, kind in ReferralTask.objects.filter(
        event_id__in=event_ids, by_hand=True
    ).values_list("event_id", "kind"):
        found.referrals.setdefault(event_id, []).append(kind)
    return found


def with_hand_referrals(derived: list[str], extra: list[str]) -> list[str]:
    """The rules' referrals and those raised by hand, once each, in the contract's order."""
    both = set(derived) | set(extra)
    return [name for name in rules.REFERRALS if name in both]
