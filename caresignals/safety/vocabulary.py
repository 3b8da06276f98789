"""LFPSE-aligned vocabularies, with the codes docs/import-formats.md uses in files and the API.

Labels are the words people read on pages; codes never change once published.
"""

from __future__ import annotations

from django.db import models

# What kind of event and how much physical harm: patients' complaints (voice) use them too,
# so they live in core (ADR 16) and are named here as well.
from caresignals.core.vocabulary import Category as Category
from caresignals.core.vocabulary import PhysicalHarm as PhysicalHarm


class RecordType(models.TextChoices):
    INCIDENT = "incident", "Patient-safety incident"
    OUTCOME = "outcome", "Poor patient outcome"
    RISK = "risk", "Patient-safety risk"
    GOOD_CARE = "good_care", "Good care"


class ServiceArea(models.TextChoices):
    ACUTE = "acute", "Acute"
    MATERNITY = "maternity", "Maternity"
    GP = "gp", "GP (including out of hours and minor injury units)"
    NHS111 = "nhs111", "NHS 111"
    AMBULANCE = "ambulance", "Ambulance and 999"
    MENTAL_HEALTH = "mental_health", "Mental health"
    COMMUNITY_THERAPY = "community_therapy", "Community therapy"
    COMMUNITY_NURSING = "community_nursing", "District and community nursing"
    PRISON = "prison", "Prison healthcare"
    PHARMACY = "pharmacy", "Community pharmacy"
    OPTOMETRY = "optometry", "Optometry"
    DENTISTRY = "dentistry", "Dentistry"
    CARE_HOME = "care_home", "Care home"
    INTERMEDIATE_CARE = "intermediate_care", "Intermediate care"
    SOCIAL_CARE = "social_care", "Social care"
    LD_AUTISM = "ld_autism", "Learning disability and autism services"
    UNKNOWN = "unknown", "Don't know"


class PsychologicalHarm(models.TextChoices):
    NONE = "none", "No psychological harm"
    LOW = "low", "Low psychological harm"
    MODERATE = "moderate", "Moderate psychological harm"
    SEVERE = "severe", "Severe psychological harm"


class MaxHarm(models.TextChoices):
    """The worse of physical and psychological harm (NHS England's own analysis)."""

    NONE = "none", "No harm"
    LOW = "low", "Low harm"
    MODERATE = "moderate", "Moderate harm"
    SEVERE = "severe", "Severe harm"
    FATAL = "fatal", "Fatal"


HARM_ORDER = {"none": 0, "low": 1, "moderate": 2, "severe": 3, "fatal": 4}
MODERATE_OR_WORSE = ("moderate", "severe", "fatal")


class StrengthOfAssociation(models.TextChoices):
    """How strongly the reporter links the incident to severe or fatal harm (LFPSE asks it
    when harm is severe or fatal)."""

    CAUSED = "caused", "The incident caused the harm"
    PROBABLY = "probably", "The incident probably contributed to the harm"
    POSSIBLY = "possibly", "The incident possibly contributed to the harm"
    NOT_RELATED = "not_related", "The harm was not related to the incident"
    UNKNOWN = "unknown", "Don't know"


class NeverEventType(models.TextChoices):
    WRONG_SITE_SURGERY = "wrong_site_surgery", "Wrong-site surgery"
    WRONG_IMPLANT = "wrong_implant", "Wrong implant or prosthesis"
    RETAINED_FOREIGN_OBJECT = "retained_foreign_object", "Retained foreign object"
    STRONG_POTASSIUM = "strong_potassium", "Mis-selected strong potassium"
    WRONG_ROUTE_MEDICATION = "wrong_route_medication", "Wrong-route medication"
    INSULIN_OVERDOSE = "insulin_overdose", "Insulin overdose (abbreviations or device)"
    METHOTREXATE_OVERDOSE = "methotrexate_overdose", "Methotrexate overdose (non-cancer)"
    HIGH_STRENGTH_MIDAZOLAM = "high_strength_midazolam", "High-strength midazolam"
    NON_COLLAPSIBLE_RAILS = "non_collapsible_rails", "Failure to install collapsible rails"
    UNRESTRICTED_WINDOW_FALL = "unrestricted_window_fall", "Fall from poorly restricted window"
    BED_RAIL_ENTRAPMENT = "bed_rail_entrapment", "Chest or neck entrapment in bed rails"
    ABO_INCOMPATIBLE = "abo_incompatible", "ABO-incompatible transfusion or transplant"
    MISPLACED_TUBE = "misplaced_tube", "Misplaced naso- or oro-gastric tube"
    SCALDING = "scalding", "Scalding"
    OXYGEN_AIR_FLOWMETER = "oxygen_air_flowmeter", "Oxygen connected to an air flowmeter"


class PatientSex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Not known"


# NHS Data Dictionary ethnic category codes and the broad groups they roll up to.
ETHNIC_CATEGORY = {
    "A": "White – British",
    "B": "White – Irish",
    "C": "White – any other White background",
    "D": "Mixed – White and Black Caribbean",
    "E": "Mixed – White and Black African",
    "F": "Mixed – White and Asian",
    "G": "Mixed – any other mixed background",
    "H": "Asian or Asian British – Indian",
    "J": "Asian or Asian British – Pakistani",
    "K": "Asian or Asian British – Bangladeshi",
    "L": "Asian or Asian British – any other Asian background",
    "M": "Black or Black British – Caribbean",
    "N": "Black or Black British – African",
    "P": "Black or Black British – any other Black background",
    "R": "Other ethnic groups – Chinese",
    "S": "Other ethnic groups – any other ethnic group",
    "Z": "Not stated",
}
ETHNIC_GROUP_OF = {
    **dict.fromkeys("ABC", "white"),
    **dict.fromkeys("DEFG", "mixed"),
    **dict.fromkeys("HJKL", "asian"),
    **dict.fromkeys("MNP", "black"),
    **dict.fromkeys("RS", "other"),
    "Z": "not_known",
    "": "not_known",
}


class EthnicGroup(models.TextChoices):
    WHITE = "white", "White"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black or Black British"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = "not_known", "Not known"


class TriState(models.TextChoices):
    TRUE = "true", "Yes"
    FALSE = "false", "No"
    UNKNOWN = "unknown", "Not known"


class ReporterType(models.TextChoices):
    STAFF = "staff", "Staff"
    PATIENT = "patient", "Patient"
    FAMILY_CARER = "family_carer", "Family member or carer"
    OTHER = "other", "Other"
