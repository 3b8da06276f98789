from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    """The integrated care system: organisations, small areas, people, roles and scoping."""

    name = "caresignals.organisations"
    label = "organisations"

    def ready(self) -> None:
        from caresignals.core import cache
        from caresignals.interop.registry import register
        from caresignals.organisations.scoping import scope_for

        register("organisations", "caresignals.organisations.importers.OrganisationImporter")
        register("areas", "caresignals.organisations.importers.AreaImporter")
        register("people", "caresignals.organisations.importers.PeopleImporter")
        # Cached pages are keyed by the reader's scope (core/cache.py).
        cache.set_scope_key(lambda user: "|".join(scope_for(user).paths))
