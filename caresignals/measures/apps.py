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
