from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Pages and plumbing every domain shares: layout, home, errors, security headers."""

    name = "caresignals.core"
    label = "core"
