"""Which importer reads which KIND of file. Each domain app owns its importers."""

from __future__ import annotations

from importlib import import_module

from caresignals.interop.importing import Importer

IMPORTERS: dict[str, str] = {
    "organisations": "caresignals.organisations.importers.OrganisationImporter",
    "areas": "caresignals.organisations.importers.AreaImporter",
    "indicators": "caresignals.measures.importers.IndicatorImporter",
    "measures": "caresignals.measures.importers.MeasureImporter",
    "events": "caresignals.safety.importers.EventImporter",
    "feedback": "caresignals.voice.importers.FeedbackImporter",
    "fhir": "caresignals.interop.fhir.FhirEventImporter",  # read by fhir.run_fhir_import
}


def importer_class(kind: str) -> type[Importer]:
    module_name, _, class_name = IMPORTERS[kind].rpartition(".")
    cls: type[Importer] = getattr(import_module(module_name), class_name)
    return cls
