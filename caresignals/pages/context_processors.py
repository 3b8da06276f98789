"""Values every page needs: whether the data are synthetic, who is signed in, the menu."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from caresignals.organisations import roles
from caresignals.pages.middleware import second_factor_outstanding


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    # Until the second factor is given, the menu would lead only back to it.
    menu = signed_in and not second_factor_outstanding(request)
    return {
        "synthetic": settings.DEMO,
        "cspNonce": getattr(request, "csp_nonce", ""),
        "signed_in": signed_in,
        "nav_items": roles.navigation_for(user) if user is not None and menu else [],
    }
