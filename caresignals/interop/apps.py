from django.apps import AppConfig


class InteropConfig(AppConfig):
    """Moving data in and out: CSV imports and exports (FHIR to follow)."""

    name = "caresignals.interop"
    label = "interop"
