from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every layer shares: layout, static and error pages, sign-in, security headers,
    API helpers, rate limiting, data versions and the page cache, PDF rendering, working days."""

    name = "caresignals.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from caresignals.core.middleware import count_failed_sign_in

        user_login_failed.connect(count_failed_sign_in, dispatch_uid="caresignals-sign-in-address")
