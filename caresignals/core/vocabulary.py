"""LFPSE vocabulary more than one capture app uses, with the codes docs/import-formats.md uses
in files and the API: a safety event's category and physical harm, which a complaint records
when it reveals an incident (voice) as an event does (safety). The rest is in safety/vocabulary.py.
"""

from __future__ import annotations

from django.db import models


class Category(models.TextChoices):
    MEDICATION = "medication", "Medication"
    DEVICE = "device", "Medical device"
    IT_SYSTEM = "it_system", "IT system"
    FALLS = "falls", "Falls"
    PRESSURE_ULCER = "pressure_ulcer", "Pressure ulcer"
    SELF_HARM = "self_harm", "Self-harm"
    INFECTION = "infection", "Healthcare-associated infection"
    DETERIORATION = "deterioration", "Deterioration"
    SEPSIS = "sepsis", "Sepsis"
    DIAGNOSIS = "diagnosis", "Diagnosis"
    TREATMENT = "treatment", "Treatment"
    ACCESS_TRANSFER_DISCHARGE = "access_transfer_discharge", "Access, transfer or discharge"
    DOCUMENTATION = "documentation", "Documentation"
    COMMUNICATION_CONSENT = "communication_consent", "Communication or consent"
    STAFFING = "staffing", "Staffing"
    MATERNITY = "maternity", "Maternity"
    RESTRICTIVE_PRACTICE = "restrictive_practice", "Restrictive practice"
    VIOLENCE_AGGRESSION = "violence_aggression", "Violence and aggression"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    OTHER = "other", "Other"
    # A member of the public who was not sure, or did not say (safety/events/public.py): the
    # patient safety team sets the category when it triages the report.
    NOT_KNOWN = "not_known", "Not known"


class PhysicalHarm(models.TextChoices):
    NONE = "none", "No harm"
    LOW = "low", "Low harm"
    MODERATE = "moderate", "Moderate harm"
    SEVERE = "severe", "Severe harm"
    FATAL = "fatal", "Fatal"
