from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """The read side: indicators derived from stored events, and aggregation at scale."""

    name = "caresignals.analytics"
    label = "analytics"
