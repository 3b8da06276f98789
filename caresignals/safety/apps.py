from django.apps import AppConfig


class SafetyConfig(AppConfig):
    """Patient-safety events (LFPSE-aligned), and later PSIRF responses, actions and candour."""

    name = "caresignals.safety"
    label = "safety"
