"""Where a person checks a signal for themselves: links to the pages that already exist.

The SPC chart and funnel pages belong to the measures app and the organisation page to
organisations; the watchlist only points at them, so every figure it quotes can be checked
against the chart it came from.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from caresignals.signals.watchlist.panel import month_name
from caresignals.signals.watchlist.types import Evidence


class Links:
    def chart(self, code: str, indicator: str, label: str) -> Evidence:
        url = reverse("measures:chart", kwargs={"code": code, "indicator": indicator})
        return Evidence(f"{label} at {code}", url)

    def funnel(self, indicator: str, org_type: str, period: str) -> Evidence:
        url = reverse("measures:funnel", kwargs={"indicator": indicator})
        query = urlencode({"type": org_type, "period": period})
        return Evidence(
            f"Funnel plot comparing peers, 12 months to {month_name(period)}", f"{url}?{query}"
        )

    def events(self, code: str, period: str) -> Evidence:
        url = reverse("organisations:detail", kwargs={"code": code})
        return Evidence(f"Events and measures at {code}", url)

    def organisation(self, code: str) -> Evidence:
        url = reverse("organisations:detail", kwargs={"code": code})
        return Evidence(f"Organisation page of {code}", url)

    def intelligence(self, code: str) -> Evidence:
        url = reverse("intelligence:index")
        return Evidence(f"Soft intelligence about {code}", f"{url}?{urlencode({'provider': code})}")

    def alerts(self) -> Evidence:
        return Evidence("National patient safety alerts", reverse("intelligence:alerts"))
