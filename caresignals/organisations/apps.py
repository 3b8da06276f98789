from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    """The integrated care system: organisations, small areas, people, roles and scoping."""

    name = "caresignals.organisations"
    label = "organisations"
