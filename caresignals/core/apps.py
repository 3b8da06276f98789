from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every layer shares: layout, static and error pages, sign-in, security headers,
    API helpers, rate limiting, data versions and the page cache, PDF rendering, working days."""

    name = "caresignals.core"
    label = "core"
