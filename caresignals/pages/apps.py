from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Pages that combine domains (home, the organisation page, the audit log), and the wiring
    between capture apps that may not import each other (ADR 16)."""

    name = "caresignals.pages"
    label = "pages"

    def ready(self) -> None:
        from caresignals.pages import wiring

        wiring.connect()
