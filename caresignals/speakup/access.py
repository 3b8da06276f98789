"""Opening a case with its reference and access code: the reporter's side.

One answer for an unknown reference and a wrong code ("not recognised"), so neither reveals
whether a case exists. Both count against the per-reference and per-client throttles.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from caresignals.core.ratelimit import check
from caresignals.speakup import codes
from caresignals.speakup.models import SpeakUpCase

RATE_SCOPE = "speakup-code"


@dataclass(frozen=True)
class Access:
    case: SpeakUpCase | None
    throttled: bool = False
    retry_after: int = 0


def open_case(request: HttpRequest, reference: str, code: str) -> Access:
    reference = codes.normalise_reference(reference)
    client = check(request, RATE_SCOPE, rate=codes.CLIENT_RATE, window=codes.CLIENT_WINDOW)
    if not client.allowed:
        return Access(None, throttled=True, retry_after=client.retry_after)
    if reference and codes.reference_locked(reference):
        return Access(None, throttled=True, retry_after=codes.failure_window_seconds())
    case = None
    if codes.REFERENCE_PATTERN.match(reference):
        case = (
            SpeakUpCase.objects.select_related("organisation").filter(reference=reference).first()
        )
    if case is None:
        codes.dummy_check(code)
    elif codes.code_matches(code, case.access_code_hash):
        return Access(case)
    if reference:
        codes.record_failure(reference)
    return Access(None)
