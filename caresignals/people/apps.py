from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """The pages for administering people and their roles, directly above organisations, which
    owns the people, the role ceiling and the services these pages call (ADR 19)."""

    name = "caresignals.people"
    label = "people"
