from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """What Care Signals publishes: board quality reports (HTML and PDF), later public pages."""

    name = "caresignals.publishing"
    label = "publishing"
    verbose_name = "Publishing"
