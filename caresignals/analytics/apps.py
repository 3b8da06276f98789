from typing import Any

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """The read side: indicators derived from stored events, and aggregation at scale."""

    name = "caresignals.analytics"
    label = "analytics"

    def ready(self) -> None:
        # Lower layers announce what changed; analytics keeps its aggregates current (ADR 16).
        from caresignals.core import hooks as core_hooks
        from caresignals.measures import hooks as measures_hooks
        from caresignals.safety import hooks as safety_hooks

        safety_hooks.event_recorded.connect(_mark, dispatch_uid="analytics.mark")
        safety_hooks.events_imported.connect(_refresh, dispatch_uid="analytics.refresh")
        measures_hooks.bed_days_imported.connect(
            _refresh_bed_days, dispatch_uid="analytics.refresh_bed_days"
        )
        core_hooks.worker_started.connect(_start_background, dispatch_uid="analytics.background")
        from caresignals.analytics.event_indicators import monthly_counts

        safety_hooks.monthly_counts = monthly_counts


def _mark(sender: Any, provider_months: Any, **kwargs: Any) -> None:
    from caresignals.analytics import refresher

    refresher.mark(provider_months)


def _refresh(sender: Any, provider_months: Any, **kwargs: Any) -> None:
    from caresignals.analytics import event_indicators

    event_indicators.refresh(provider_months)


def _refresh_bed_days(sender: Any, months: Any, **kwargs: Any) -> None:
    from caresignals.analytics import event_indicators

    event_indicators.refresh(months)


def _start_background(sender: Any, **kwargs: Any) -> None:
    from caresignals.analytics import refresher

    refresher.start_background()
