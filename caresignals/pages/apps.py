from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Pages that combine domains (home, the organisation page, the audit log), and the wiring
    between capture apps that may not import each other (ADR 16)."""

    name = "caresignals.pages"
    label = "pages"

    def ready(self) -> None:
        from caresignals.core import cache
        from caresignals.pages import warming, wiring

        wiring.connect()
        if warming.after_change not in cache.after_change:
            cache.after_change.append(warming.after_change)
