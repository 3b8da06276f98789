from django.apps import AppConfig


class SafetyConfig(AppConfig):
    """Patient-safety events (LFPSE-aligned), and later PSIRF responses, actions and candour."""

    name = "caresignals.safety"
    label = "safety"

    def ready(self) -> None:
        from caresignals.interop.registry import register

        register("events", "caresignals.safety.importers.EventImporter")
        register(
            "fhir",
            "caresignals.safety.fhir.FhirEventImporter",
            run="caresignals.safety.fhir.run_fhir_import",
        )
