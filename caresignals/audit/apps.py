from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The append-only record of sensitive changes: who did what, when, to which record."""

    name = "caresignals.audit"
    label = "audit"
