from django.apps import AppConfig


class SafetyConfig(AppConfig):
    """Patient-safety events (LFPSE-aligned), and later PSIRF responses, actions and candour."""

    name = "caresignals.safety"
    label = "safety"

    def ready(self) -> None:
        from caresignals.interop.registry import register

        register("events", "caresignals.safety.events.importers.EventImporter")
        register(
            "fhir",
            "caresignals.safety.events.fhir.FhirEventImporter",
            run="caresignals.safety.events.fhir.run_fhir_import",
        )
