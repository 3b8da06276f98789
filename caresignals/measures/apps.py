from typing import Any

from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    """Indicators (reviewed definition files) and their monthly values."""

    name = "caresignals.measures"
    label = "measures"

    def ready(self) -> None:
        from caresignals.interop.registry import register

        register(
            "indicators",
            "caresignals.measures.importers.IndicatorImporter",
            definitions="caresignals.measures.services.import_definition_files",
        )
        register("measures", "caresignals.measures.importers.MeasureImporter")

        # Feedback is captured below measures; measures recounts the experience indicators
        # from it (ADR 16, ADR 17).
        from caresignals.voice import hooks as voice_hooks

        voice_hooks.feedback_received.connect(
            _feedback_received, dispatch_uid="measures.feedback_received"
        )
        voice_hooks.feedback_imported.connect(
            _feedback_imported, dispatch_uid="measures.feedback_imported"
        )


def _feedback_received(sender: Any, provider_months: Any, **kwargs: Any) -> None:
    from caresignals.measures import feedback_indicators

    feedback_indicators.recount_after_commit(provider_months)


def _feedback_imported(sender: Any, provider_months: Any, **kwargs: Any) -> None:
    from caresignals.measures import feedback_indicators

    feedback_indicators.refresh(provider_months)
