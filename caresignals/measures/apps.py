from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    """Indicators (reviewed definition files) and their monthly values."""

    name = "caresignals.measures"
    label = "measures"
