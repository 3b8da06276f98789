"""LFPSE-shaped FHIR STU3 AdverseEvent: events out (`export events --format fhir`) and in
(`import fhir`), so that an event survives the round trip field for field.

LFPSE takes one STU3 `AdverseEvent` per event, with the patient, the place and the
reporter as contained resources (docs/domain.md). What FHIR has a standard element for goes
there; the rest of events.csv rides in extensions under the Care Signals namespace. Those
URLs are identifiers, never fetched. `FHIR_PATHS` below is the mapping, column by column.

Choices worth knowing:

- `category` is AE for an incident or a poor patient outcome (a patient came to harm, or
  might have), PAE for a risk (nothing happened yet) and absent for good care, which is
  neither; the record type itself travels losslessly in `extension:record-type`, which wins
  on import (`category` alone is accepted: AE → incident, PAE → risk).
- STU3 allows one `identifier`: the reporting system's id, in a system naming the
  organisation. The Care Signals reference goes in `extension:event-reference`, and an
  import ignores it (a new event gets a new reference; an existing one keeps its own).
- The contained Patient carries nothing that identifies anyone: no name, no NHS number, no
  birth date (age in whole years as `Age`), and it is left out when nothing about the patient
  is known. Tri-state flags (learning disability, autism, detained) are booleans, absent when
  not known.
- A staff reporter appears as a contained Practitioner with no name and no identifier
  (Care Signals holds neither); other reporters have no `recorder` at all.
- `seriousness` and `outcome` use the STU3 value sets and are informative only (worked out
  from the harm fields); an import reads harm from the extensions.

Importing converts each line to an events.csv row and runs EventImporter over the rows, so
the checks, the all-or-nothing rule, `--skip-invalid` and idempotence are the events import's
own. The Duty of Candour steps a local system holds ride in four optional extensions
(`CANDOUR_EXTENSIONS`), read into the events import's candour columns. Errors name the JSON
line (the first line is line 1), never a row of the intermediate CSV: data row R of that CSV
came from the JSON line `lines[R - 2]` (when no line is blank or unreadable, line N is
row N + 1).
"""

from __future__ import annotations

import csv
import json
import re
import sys
import tempfile
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction

from caresignals.core import spreadsheets
from caresignals.interop.importing import (
    Importer,
    ImportFailed,
    ImportReport,
    RowError,
    run_import,
)
from caresignals.safety.events.formats import CANDOUR_CSV_COLUMNS, EVENT_CSV_COLUMNS
from caresignals.safety.events.importers import EventImporter
from caresignals.safety.vocabulary import (
    ETHNIC_CATEGORY,
    Category,
    NeverEventType,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    ReporterType,
    ServiceArea,
    StrengthOfAssociation,
)

BASE = "https://caresignals.example/fhir"
SOURCE_ID_SYSTEM = f"{BASE}/NamingSystem/source-id/"  # + the organisation's code
REFERENCE_SYSTEM = f"{BASE}/NamingSystem/event-reference"
ORGANISATION_SYSTEM = f"{BASE}/NamingSystem/organisation-code"
SERVICE_SYSTEM = f"{BASE}/NamingSystem/service-code"
# HL7 UK CareConnect (STU3): the NHS Data Dictionary ethnic category codes.
ETHNIC_SYSTEM = "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-EthnicCategory-1"
SERIOUSNESS_SYSTEM = "http://hl7.org/fhir/adverse-event-seriousness"
OUTCOME_SYSTEM = "http://hl7.org/fhir/adverse-event-outcome"
UCUM = "http://unitsofmeasure.org"

PATIENT_ID, LOCATION_ID, REPORTER_ID = "patient", "location", "reporter"


def extension_url(name: str) -> str:
    return f"{BASE}/StructureDefinition/{name}"


def code_system(name: str) -> str:
    return f"{BASE}/CodeSystem/{name}"


# Care Signals vocabularies and the code system each is published in.
VOCABULARIES: dict[str, type[models.TextChoices]] = {
    "record-type": RecordType,
    "event-category": Category,
    "service-area": ServiceArea,
    "physical-harm": PhysicalHarm,
    "psychological-harm": PsychologicalHarm,
    "never-event-type": NeverEventType,
    "strength-of-association": StrengthOfAssociation,
    "reporter-type": ReporterType,
}

_AE = "AdverseEvent"
_PATIENT = f"{_AE}.contained(#{PATIENT_ID})"
_LOCATION = f"{_AE}.contained(#{LOCATION_ID})"

# Where each events.csv column lives in the resource (`extension:x` is the extension whose
# URL is extension_url("x")). Shown in import errors beside the column name.
FHIR_PATHS: dict[str, str] = {
    "source_id": f"{_AE}.identifier.value",
    "record_type": f"{_AE}.extension:record-type (and {_AE}.category)",
    "org_code": f"{_LOCATION}.identifier (organisation-code)",
    "service_code": f"{_LOCATION}.identifier (service-code)",
    "occurred_on": f"{_AE}.date",
    "reported_on": f"{_AE}.extension:reported-on",
    "service_area": f"{_LOCATION}.type",
    "category": f"{_AE}.type",
    "physical_harm": f"{_AE}.extension:physical-harm",
    "psychological_harm": f"{_AE}.extension:psychological-harm",
    "never_event_type": f"{_AE}.extension:never-event-type",
    "strength_of_association": f"{_AE}.extension:strength-of-association",
    "death_in_care_more_likely_than_not": f"{_AE}.extension:death-in-care-more-likely-than-not",
    "patient_died": f"{_PATIENT}.deceasedBoolean",
    "patient_age_years": f"{_PATIENT}.extension:age",
    "patient_sex": f"{_PATIENT}.gender",
    "patient_ethnicity": f"{_PATIENT}.extension:ethnic-category",
    "patient_lsoa": f"{_PATIENT}.extension:lsoa",
    "patient_imd_decile": f"{_PATIENT}.extension:imd-decile",
    "learning_disability": f"{_PATIENT}.extension:learning-disability",
    "autism": f"{_PATIENT}.extension:autism",
    "detained_mha": f"{_PATIENT}.extension:detained-mha",
    "description": f"{_AE}.description",
    "reporter_type": f"{_AE}.extension:reporter-type",
    "anonymous": f"{_AE}.extension:anonymous",
}
assert set(FHIR_PATHS) == set(EVENT_CSV_COLUMNS)

# The optional Duty of Candour steps a local system holds (events.csv's candour columns),
# each an extension on the AdverseEvent; read by `import fhir` (ADR 11). An event with none
# of them carried no candour data.
CANDOUR_EXTENSIONS: dict[str, tuple[str, str]] = {
    "candour_notified_on": ("candour-notified-on", "valueDate"),
    "candour_written_on": ("candour-written-on", "valueDate"),
    "candour_not_notifiable": ("candour-not-notifiable", "valueBoolean"),
    "candour_not_notifiable_reason": ("candour-not-notifiable-reason", "valueString"),
}
CANDOUR_FHIR_PATHS: dict[str, str] = {
    column: f"{_AE}.extension:{name}" for column, (name, _) in CANDOUR_EXTENSIONS.items()
}
assert set(CANDOUR_FHIR_PATHS) == set(CANDOUR_CSV_COLUMNS)

_CATEGORY_OF = {"incident": "AE", "outcome": "AE", "risk": "PAE"}  # good care: none
_RECORD_TYPE_OF = {"AE": "incident", "PAE": "risk"}  # when only `category` is given
_SERIOUSNESS = {
    "low": "Mild",
    "moderate": "Moderate",
    "severe": "Severe",
    "fatal": "Severe",
}


# -- export ------------------------------------------------------------------------------


_LABELS = {name: {c: str(label) for c, label in v.choices} for name, v in VOCABULARIES.items()}


def _coding(vocabulary: str, code: str) -> dict[str, str]:
    display = _LABELS[vocabulary].get(code, code)
    return {"system": code_system(vocabulary), "code": code, "display": display}


def _extension(name: str, **value: Any) -> dict[str, Any]:
    return {"url": extension_url(name), **value}


def _tristate(name: str, value: str) -> list[dict[str, Any]]:
    if value in ("true", "false"):
        return [_extension(name, valueBoolean=value == "true")]
    return []  # not known: absent


def _patient(r: Mapping[str, Any]) -> dict[str, Any] | None:
    extensions: list[dict[str, Any]] = []
    if r["patient_age_years"] is not None:
        age = {"value": r["patient_age_years"], "unit": "years", "system": UCUM, "code": "a"}
        extensions.append(_extension("age", valueAge=age))
    if r["patient_ethnicity"]:
        code = r["patient_ethnicity"]
        concept = {
            "coding": [
                {"system": ETHNIC_SYSTEM, "code": code, "display": ETHNIC_CATEGORY.get(code, code)}
            ]
        }
        extensions.append(_extension("ethnic-category", valueCodeableConcept=concept))
    if r["patient_lsoa"]:
        extensions.append(_extension("lsoa", valueCode=r["patient_lsoa"]))
    if r["patient_imd_decile"] is not None:
        extensions.append(_extension("imd-decile", valueInteger=r["patient_imd_decile"]))
    extensions += _tristate("learning-disability", r["learning_disability"])
    extensions += _tristate("autism", r["autism"])
    extensions += _tristate("detained-mha", r["detained_mha"])
    if not extensions and not r["patient_sex"] and not r["patient_died"]:
        return None  # nothing known about a patient (a risk, say)
    patient: dict[str, Any] = {"resourceType": "Patient", "id": PATIENT_ID}
    if extensions:
        patient["extension"] = extensions
    if r["patient_sex"]:
        patient["gender"] = r["patient_sex"]  # female | male | unknown: AdministrativeGender
    patient["deceasedBoolean"] = bool(r["patient_died"])
    return patient


def event_to_adverse_event(record: Mapping[str, Any]) -> dict[str, Any]:
    """One exported event record (`safety.exports.records()`) as LFPSE-shaped STU3 JSON."""
    r = record
    org = r["org_code"]
    contained: list[dict[str, Any]] = []
    patient = _patient(r)
    if patient is not None:
        contained.append(patient)
    identifiers = [{"system": ORGANISATION_SYSTEM, "value": org}]
    if r["service_code"]:
        identifiers.append({"system": SERVICE_SYSTEM, "value": r["service_code"]})
    contained.append(
        {
            "resourceType": "Location",
            "id": LOCATION_ID,
            "identifier": identifiers,
            "type": {"coding": [_coding("service-area", r["service_area"])]},
        }
    )
    staff = r["reporter_type"] == ReporterType.STAFF
    if staff:
        # Never a name or an identifier: Care Signals holds neither, anonymous or not.
        contained.append({"resourceType": "Practitioner", "id": REPORTER_ID})

    extensions = [_extension("record-type", valueCoding=_coding("record-type", r["record_type"]))]
    if r.get("reference"):
        reference = {"system": REFERENCE_SYSTEM, "value": r["reference"]}
        extensions.append(_extension("event-reference", valueIdentifier=reference))
    extensions.append(_extension("reported-on", valueDate=r["reported_on"]))
    for column, name in (
        ("physical_harm", "physical-harm"),
        ("psychological_harm", "psychological-harm"),
        ("never_event_type", "never-event-type"),
        ("strength_of_association", "strength-of-association"),
    ):
        if r.get(column):
            extensions.append(_extension(name, valueCoding=_coding(name, r[column])))
    extensions.append(
        _extension(
            "death-in-care-more-likely-than-not",
            valueBoolean=bool(r["death_in_care_more_likely_than_not"]),
        )
    )
    extensions.append(
        _extension("reporter-type", valueCoding=_coding("reporter-type", r["reporter_type"]))
    )
    extensions.append(_extension("anonymous", valueBoolean=bool(r["anonymous"])))

    resource: dict[str, Any] = {"resourceType": _AE, "contained": contained}
    resource["extension"] = extensions
    resource["identifier"] = {"system": SOURCE_ID_SYSTEM + org, "value": r["source_id"]}
    if r["record_type"] in _CATEGORY_OF:
        resource["category"] = _CATEGORY_OF[r["record_type"]]
    resource["type"] = {"coding": [_coding("event-category", r["category"])]}
    if patient is not None:
        resource["subject"] = {"reference": f"#{PATIENT_ID}"}
    resource["date"] = r["occurred_on"]
    resource["location"] = {"reference": f"#{LOCATION_ID}"}
    worst = r.get("max_harm") or r["physical_harm"]
    if worst in _SERIOUSNESS:
        code = _SERIOUSNESS[worst]
        resource["seriousness"] = {
            "coding": [{"system": SERIOUSNESS_SYSTEM, "code": code, "display": code}]
        }
    if r["physical_harm"] == "fatal" or r["patient_died"]:
        resource["outcome"] = {
            "coding": [{"system": OUTCOME_SYSTEM, "code": "fatal", "display": "Fatal"}]
        }
    if staff:
        resource["recorder"] = {"reference": f"#{REPORTER_ID}"}
    if r["description"]:
        resource["description"] = r["description"]
    return resource


# -- import ------------------------------------------------------------------------------


class FhirError(ValueError):
    """Something required is missing or malformed; `path` says where in the resource."""

    def __init__(self, path: str, value: Any, expected: str) -> None:
        self.path = path
        self.value = "" if value is None else value if isinstance(value, str) else _show(value)
        self.missing = value is None
        self.expected = expected
        shown = "nothing" if self.missing else repr(self.value)
        super().__init__(f"{path}: got {shown}, expected {expected}")


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


_JSON_TYPES: dict[type, str] = {
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    dict: "a JSON object",
    list: "a JSON array",
}


def _get(obj: Mapping[str, Any], key: str, path: str, kind: type, *, required: bool = False) -> Any:
    """obj[key] if it is of `kind` (None when absent and not required), else a FhirError."""
    value = obj.get(key)
    if value is None:
        if required:
            raise FhirError(f"{path}.{key}", None, _JSON_TYPES[kind])
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise FhirError(f"{path}.{key}", value, _JSON_TYPES[kind])
    return value


def _extensions(obj: Mapping[str, Any], path: str) -> dict[str, tuple[dict[str, Any], str]]:
    """Care Signals extensions by short name, each with its path. Others are ignored."""
    found: dict[str, tuple[dict[str, Any], str]] = {}
    prefix = extension_url("")
    for i, ext in enumerate(_get(obj, "extension", path, list) or []):
        where = f"{path}.extension[{i}]"
        if not isinstance(ext, dict):
            raise FhirError(where, ext, "an extension object")
        url = _get(ext, "url", where, str, required=True)
        if not url.startswith(prefix):
            continue
        name = url.removeprefix(prefix)
        if name in found:
            raise FhirError(f"{path}.extension:{name}", ext, "the extension only once")
        found[name] = (ext, f"{path}.extension:{name}")
    return found


def _value(exts: Mapping[str, tuple[dict[str, Any], str]], name: str, key: str, kind: type) -> Any:
    if name not in exts:
        return None
    ext, path = exts[name]
    return _get(ext, key, path, kind, required=True)


def _require(value: Any, path: str, expected: str) -> Any:
    if value is None:
        raise FhirError(path, None, expected)
    return value


def _code_in(coding: Any, system: str, path: str) -> str:
    if not isinstance(coding, dict):
        raise FhirError(path, coding, "a Coding object")
    if coding.get("system") != system:
        raise FhirError(f"{path}.system", coding.get("system"), repr(system))
    code: str = _get(coding, "code", path, str, required=True)
    return code


def _concept_code(concept: Any, system: str, path: str) -> str:
    """The code of the coding from `system` in a CodeableConcept."""
    if not isinstance(concept, dict):
        raise FhirError(path, concept, "a CodeableConcept object")
    codings = _get(concept, "coding", path, list) or []
    for i, coding in enumerate(codings):
        if isinstance(coding, dict) and coding.get("system") == system:
            return _code_in(coding, system, f"{path}.coding[{i}]")
    raise FhirError(f"{path}.coding", None, f"a coding from {system}")


def _vocabulary_code(exts: Mapping[str, tuple[dict[str, Any], str]], name: str) -> str:
    coding = _value(exts, name, "valueCoding", dict)
    if coding is None:
        return ""
    return _code_in(coding, code_system(name), f"{exts[name][1]}.valueCoding")


def _flag(value: bool | None, absent: str) -> str:
    return absent if value is None else "true" if value else "false"


def _date(value: str) -> str:
    """A date, or the date part of a dateTime; anything else is left for the checks."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T.*", value):
        return value[:10]
    return value


def _resolve(
    resource: Mapping[str, Any], key: str, contained: Mapping[str, dict[str, Any]], kind: str
) -> dict[str, Any] | None:
    """The contained resource `resource[key]` refers to (None when there is no reference)."""
    ref = _get(resource, key, _AE, dict)
    if ref is None:
        return None
    path = f"{_AE}.{key}.reference"
    target = _get(ref, "reference", f"{_AE}.{key}", str, required=True)
    found = contained.get(target.removeprefix("#")) if target.startswith("#") else None
    if found is None or found.get("resourceType") != kind:
        raise FhirError(
            path, target, f"a reference to a contained {kind}, such as '#{kind.lower()}'"
        )
    return found


def _contained(resource: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    by_id: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(_get(resource, "contained", _AE, list) or []):
        path = f"{_AE}.contained[{i}]"
        if not isinstance(item, dict):
            raise FhirError(path, item, "a resource object")
        _get(item, "resourceType", path, str, required=True)
        ident = _get(item, "id", path, str, required=True)
        if ident in by_id:
            raise FhirError(f"{path}.id", ident, "an id no other contained resource has")
        by_id[ident] = item
    return by_id


def adverse_event_to_row(resource: Any) -> dict[str, str]:
    """An LFPSE-shaped STU3 AdverseEvent (parsed JSON) as an events.csv row of strings.

    Structure is checked here (a FhirError, which is a ValueError, names the FHIR path at
    fault); values are checked by the events import, exactly as for a CSV file.
    """
    if not isinstance(resource, dict):
        raise FhirError(_AE, resource, "a FHIR resource (a JSON object)")
    kind = resource.get("resourceType")
    if kind != _AE:
        raise FhirError("resourceType", kind, "'AdverseEvent'")
    if resource.get("modifierExtension"):
        raise FhirError(f"{_AE}.modifierExtension", resource["modifierExtension"], "none")
    contained = _contained(resource)
    exts = _extensions(resource, _AE)

    location = _resolve(resource, "location", contained, "Location")
    location = _require(location, f"{_AE}.location", "a reference to the contained Location")
    org_code = service_code = ""
    for i, ident in enumerate(_get(location, "identifier", _LOCATION, list) or []):
        where = f"{_LOCATION}.identifier[{i}]"
        if not isinstance(ident, dict):
            raise FhirError(where, ident, "an Identifier object")
        system = ident.get("system")
        if system == ORGANISATION_SYSTEM:
            org_code = _get(ident, "value", where, str, required=True)
        elif system == SERVICE_SYSTEM:
            service_code = _get(ident, "value", where, str, required=True)
    if not org_code:
        raise FhirError(f"{_LOCATION}.identifier", None, f"an identifier in {ORGANISATION_SYSTEM}")
    location_type = _require(
        _get(location, "type", _LOCATION, dict),
        f"{_LOCATION}.type",
        f"the service area, a CodeableConcept with a coding from {code_system('service-area')}",
    )
    service_area = _concept_code(location_type, code_system("service-area"), f"{_LOCATION}.type")

    identifier = _get(resource, "identifier", _AE, dict, required=True)
    system = _get(identifier, "system", f"{_AE}.identifier", str, required=True)
    if system != SOURCE_ID_SYSTEM + org_code:
        raise FhirError(
            f"{_AE}.identifier.system",
            system,
            f"{SOURCE_ID_SYSTEM + org_code!r}, the source system of organisation {org_code}",
        )
    source_id = _get(identifier, "value", f"{_AE}.identifier", str, required=True)

    category = _get(resource, "category", _AE, str)
    record_type = _vocabulary_code(exts, "record-type")
    if not record_type:
        if category not in _RECORD_TYPE_OF:
            raise FhirError(
                f"{_AE}.extension:record-type",
                None,
                "the record type (or a category of AE or PAE)",
            )
        record_type = _RECORD_TYPE_OF[category]
    elif category != _CATEGORY_OF.get(record_type):
        expected = _CATEGORY_OF.get(record_type)
        raise FhirError(
            f"{_AE}.category",
            category,
            f"{expected!r} for record type {record_type}" if expected else "none for good care",
        )

    event_type = _require(
        _get(resource, "type", _AE, dict),
        f"{_AE}.type",
        f"the category, a CodeableConcept with a coding from {code_system('event-category')}",
    )
    occurred_on = _get(resource, "date", _AE, str, required=True)
    reported_on = _value(exts, "reported-on", "valueDate", str)
    reported_on = _require(reported_on, f"{_AE}.extension:reported-on", "a valueDate")
    reporter_type = _vocabulary_code(exts, "reporter-type")
    if not reporter_type:
        raise FhirError(f"{_AE}.extension:reporter-type", None, "who reported the event")
    anonymous = _value(exts, "anonymous", "valueBoolean", bool)
    anonymous = _require(anonymous, f"{_AE}.extension:anonymous", "a valueBoolean")
    _resolve(resource, "recorder", contained, "Practitioner")

    row = {
        "source_id": source_id,
        "record_type": record_type,
        "org_code": org_code,
        "service_code": service_code,
        "occurred_on": _date(occurred_on),
        "reported_on": _date(reported_on),
        "service_area": service_area,
        "category": _concept_code(event_type, code_system("event-category"), f"{_AE}.type"),
        "physical_harm": _vocabulary_code(exts, "physical-harm"),
        "psychological_harm": _vocabulary_code(exts, "psychological-harm"),
        "never_event_type": _vocabulary_code(exts, "never-event-type"),
        "strength_of_association": _vocabulary_code(exts, "strength-of-association"),
        "death_in_care_more_likely_than_not": _flag(
            _value(exts, "death-in-care-more-likely-than-not", "valueBoolean", bool), "false"
        ),
        "description": _get(resource, "description", _AE, str) or "",
        "reporter_type": reporter_type,
        "anonymous": _flag(anonymous, "false"),
    }
    row.update(_patient_columns(_resolve(resource, "subject", contained, "Patient")))
    return {column: row[column] for column in EVENT_CSV_COLUMNS}


def candour_cells(resource: Any) -> dict[str, str]:
    """The candour columns of an AdverseEvent that `adverse_event_to_row` accepted (blank
    where the extension is absent); values are checked by the events import."""
    exts = _extensions(resource, _AE)
    cells: dict[str, str] = {}
    for column, (name, key) in CANDOUR_EXTENSIONS.items():
        if key == "valueBoolean":
            cells[column] = _flag(_value(exts, name, key, bool), "")
        elif key == "valueDate":
            cells[column] = _date(_value(exts, name, key, str) or "")
        else:
            cells[column] = _value(exts, name, key, str) or ""
    return cells


def _patient_columns(patient: Mapping[str, Any] | None) -> dict[str, str]:
    columns = {
        "patient_died": "false",
        "patient_age_years": "",
        "patient_sex": "",
        "patient_ethnicity": "",
        "patient_lsoa": "",
        "patient_imd_decile": "",
        "learning_disability": "unknown",
        "autism": "unknown",
        "detained_mha": "unknown",
    }
    if patient is None:
        return columns
    exts = _extensions(patient, _PATIENT)
    died = _get(patient, "deceasedBoolean", _PATIENT, bool)
    if died is None and _get(patient, "deceasedDateTime", _PATIENT, str):
        died = True
    columns["patient_died"] = _flag(died, "false")
    columns["patient_sex"] = _get(patient, "gender", _PATIENT, str) or ""
    age = _value(exts, "age", "valueAge", dict)
    if age is not None:
        path = f"{_PATIENT}.extension:age.valueAge"
        if age.get("code") != "a" or age.get("system") != UCUM:
            raise FhirError(f"{path}.code", age.get("code"), f"'a' (years) in {UCUM}")
        years = age.get("value")
        if isinstance(years, float) and years.is_integer():
            years = int(years)
        if not isinstance(years, int | float) or isinstance(years, bool):
            raise FhirError(f"{path}.value", years, "a number of years")
        columns["patient_age_years"] = str(years)
    ethnicity = _value(exts, "ethnic-category", "valueCodeableConcept", dict)
    if ethnicity is not None:
        path = f"{_PATIENT}.extension:ethnic-category.valueCodeableConcept"
        columns["patient_ethnicity"] = _concept_code(ethnicity, ETHNIC_SYSTEM, path)
    columns["patient_lsoa"] = _value(exts, "lsoa", "valueCode", str) or ""
    decile = _value(exts, "imd-decile", "valueInteger", int)
    columns["patient_imd_decile"] = "" if decile is None else str(decile)
    for column, name in (
        ("learning_disability", "learning-disability"),
        ("autism", "autism"),
        ("detained_mha", "detained-mha"),
    ):
        columns[column] = _flag(_value(exts, name, "valueBoolean", bool), "unknown")
    return columns


# -- the import command ------------------------------------------------------------------


@dataclass(frozen=True)
class LineError(RowError):
    """An error in a JSON Lines file: `row` is the line number (the first line is line 1),
    `column` an events.csv column or a FHIR path."""

    missing: bool = False

    def message(self) -> str:
        paths = FHIR_PATHS | CANDOUR_FHIR_PATHS
        if self.column in paths:
            where = f"line {self.row}, column {self.column} ({paths[self.column]})"
        elif self.column:
            where = f"line {self.row}, {'column ' if '+' in self.column else ''}{self.column}"
        else:
            where = f"line {self.row}"
        shown = repr(self.value) if self.value else "nothing" if self.missing else "a blank value"
        return f"{where}: got {shown}, expected {self.expected}"


class FhirEventImporter(EventImporter):
    """The events import, fed rows converted from AdverseEvent JSON by `run_fhir_import`."""

    kind = "fhir"
    source_path = ""  # the JSON Lines file, named in the audit trail instead of the CSV

    def finish(self) -> None:
        if self.source_path:
            self.report.path = self.source_path
        super().finish()


class _Rollback(Exception):
    pass


_USED_IN_ROW = re.compile(r"\(it is used in row (\d+)\)")
_REASON = re.compile(r"row (\d+)(?:, column ([\w+]+))?: ")


def run_fhir_import(
    importer: Importer,
    path: Path,
    *,
    skip_invalid: Path | None = None,
    progress: bool | None = None,
) -> ImportReport:
    """Validate and load a JSON Lines file of AdverseEvents, with run_import's guarantees.

    Each line is converted to an events.csv row (a line that is not an AdverseEvent is an
    error of its own); the rows go through `run_import` exactly as a CSV file would, inside
    a transaction that is rolled back if any line failed to convert (unless `skip_invalid`).
    The rejects file has the columns line, reason and resource (the line as it was).
    """
    report = ImportReport(kind=importer.kind, path=str(path))
    if not path.exists():
        report.add_error(RowError(0, "", "", f"a file at {path} (none was found)"))
        raise ImportFailed(report)
    errors: list[RowError] = []
    reasons: dict[int, str] = {}  # line → first reason, for the rejects file
    extra_errors = 0

    def error(e: LineError) -> None:
        errors.append(e)
        reasons.setdefault(e.row, e.message())

    with tempfile.TemporaryDirectory(prefix="caresignals-fhir-") as tmp:
        rows_path = Path(tmp) / "events.csv"
        lines = array("q")  # the JSON line of each CSV data row: row R is lines[R - 2]
        _convert(path, rows_path, lines, report, error, progress)
        failed = len(errors)
        inner_rejects = Path(tmp) / "rejects.csv" if skip_invalid is not None else None
        if isinstance(importer, FhirEventImporter):
            importer.source_path = str(path)
        inner: ImportReport | None = None
        rolled_back = False
        try:
            with transaction.atomic():
                inner = run_import(
                    importer, rows_path, skip_invalid=inner_rejects, progress=progress
                )
                if failed and skip_invalid is None:
                    raise _Rollback  # every row was checked, so every error is reported
        except ImportFailed as exc:
            inner = exc.report
        except _Rollback:
            rolled_back = True
        assert inner is not None
        for e in inner.errors:
            line = lines[e.row - 2] if e.row >= 2 else e.row
            expected = _USED_IN_ROW.sub(
                lambda m: f"(it is used in line {_line(m, lines)})", e.expected
            )
            errors.append(LineError(line, e.column, e.value, expected))
        extra_errors = inner.error_count - len(inner.errors)
        if inner_rejects is not None and inner_rejects.exists():
            with inner_rejects.open(encoding="utf-8", newline="") as f:
                for rejected in csv.DictReader(f):
                    line = lines[int(rejected["row"]) - 2]
                    reasons.setdefault(line, _relabel(rejected["reason"], lines))

    errors.sort(key=lambda e: e.row)
    for e in errors:
        report.add_error(e)
    report.error_count += extra_errors
    report.stored = inner.stored and not rolled_back
    if not report.stored:
        raise ImportFailed(report)
    report.created, report.updated, report.unchanged = inner.created, inner.updated, inner.unchanged
    if skip_invalid is not None:
        report.rejected = _write_rejects(path, skip_invalid, reasons)
    return report


def _line(match: re.Match[str], lines: array[int]) -> int:
    return lines[int(match.group(1)) - 2]


def _relabel(reason: str, lines: array[int]) -> str:
    """An events-import reason ("row R, column C: …") as the JSON line's own."""
    reason = _USED_IN_ROW.sub(lambda m: f"(it is used in line {_line(m, lines)})", reason)
    m = _REASON.match(reason)
    if m is None:
        return reason
    line = lines[int(m.group(1)) - 2]
    column = m.group(2) or ""
    head = LineError(line, column, "x", "x").message().partition(": got")[0]
    return f"{head}: {reason[m.end() :]}"


def _convert(
    path: Path,
    rows_path: Path,
    lines: array[int],
    report: ImportReport,
    error: Callable[[LineError], None],
    progress: bool | None,
) -> None:
    """Convert each line to an events.csv row; report lines that cannot be converted."""
    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(unit="lines", desc="read fhir")
    with path.open("rb") as source, rows_path.open("w", newline="", encoding="utf-8") as out:
        # Neutralised like every CSV written, so that the column rules read it back exactly.
        writer = spreadsheets.dict_writer(
            out, fieldnames=(*EVENT_CSV_COLUMNS, *CANDOUR_CSV_COLUMNS)
        )
        writer.writeheader()
        for number, raw in enumerate(source, start=1):
            if bar is not None:
                bar.update(1)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                report.rows_read += 1
                error(LineError(number, "", "", "UTF-8 text (the line has other bytes)"))
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")
            if not text.strip():
                continue  # a blank line is not a resource
            report.rows_read += 1
            try:
                resource = json.loads(text)
            except (ValueError, RecursionError) as exc:
                detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "too deeply nested"
                shown = text.strip()
                shown = shown if len(shown) <= 60 else shown[:57] + "…"
                error(LineError(number, "", shown, f"one AdverseEvent as JSON ({detail})"))
                continue
            try:
                row = adverse_event_to_row(resource) | candour_cells(resource)
            except FhirError as exc:
                error(LineError(number, exc.path, exc.value, exc.expected, missing=exc.missing))
                continue
            writer.writerow(row)
            lines.append(number)
    if bar is not None:
        bar.close()


def _write_rejects(path: Path, rejects: Path, reasons: Mapping[int, str]) -> int:
    """The rejected lines as they were, with their line number and reason."""
    with rejects.open("w", newline="", encoding="utf-8") as f:
        writer = spreadsheets.writer(f, limit=spreadsheets.CELL_LIMIT)
        writer.writerow(["line", "reason", "resource"])
        if reasons:
            with path.open("rb") as source:
                for number, raw in enumerate(source, start=1):
                    if number in reasons:
                        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                        writer.writerow([number, reasons[number], text])
    return len(reasons)
