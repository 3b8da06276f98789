"""Freedom to Speak Up vocabularies: the National Guardian's Office (NGO) data lists.

These are data, not logic: if the NGO changes its lists, change them here (and the national
return's columns follow). The professional groups follow the NGO's quarterly data-collection
list as published for guardians (check against the current guidance before a real return).
"""

from __future__ import annotations

from django.db import models


class Route(models.TextChoices):
    """How the person chose to raise the concern."""

    OPEN = "open", "Openly: my name can be shared"
    CONFIDENTIAL = "confidential", "Confidentially: only the guardian knows my name"
    ANONYMOUS = "anonymous", "Anonymously: nobody knows who I am"


# How the route reads to the guardian (the choices above speak as the reporter).
ROUTE_FOR_GUARDIAN = {
    Route.OPEN: "Openly: their name may be shared",
    Route.CONFIDENTIAL: "Confidentially: only you know their name",
    Route.ANONYMOUS: "Anonymously",
}


class Category(models.TextChoices):
    """The elements the NGO asks about; a case may have several."""

    PATIENT_SAFETY = "patient_safety", "Patient safety or quality"
    WORKER_SAFETY = "worker_safety", "Worker safety or wellbeing"
    BULLYING_HARASSMENT = "bullying_harassment", "Bullying or harassment"
    INAPPROPRIATE_BEHAVIOUR = "inappropriate_behaviour", "Inappropriate attitudes or behaviours"
    DETRIMENT = "detriment", "Detriment for speaking up (disadvantageous or demeaning treatment)"


# The NGO's professional groups, in the order of its data-collection form.
PROFESSIONAL_GROUPS: tuple[tuple[str, str], ...] = (
    ("registered_nurses_midwives", "Registered nurses and midwives"),
    ("medical_dental", "Medical and dental"),
    ("allied_health_professionals", "Allied health professionals"),
    ("healthcare_assistants", "Healthcare assistants"),
    ("additional_clinical_services", "Additional clinical services"),
    ("scientific_technical", "Additional professional scientific and technical"),
    ("administrative_clerical", "Administrative and clerical"),
    ("corporate_services", "Corporate services"),
    ("estates_ancillary", "Estates and ancillary"),
    ("students", "Students"),
    ("other", "Other"),
    ("not_known", "Not known"),
)
PROFESSIONAL_GROUP_LABELS = dict(PROFESSIONAL_GROUPS)


class Status(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Detriment(models.TextChoices):
    """Whether the person suffered detriment for speaking up, as the guardian found."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class SpeakUpAgain(models.TextChoices):
    """The NGO's feedback question: "Given your experience, would you speak up again?"."""

    YES = "yes", "Yes"
    NO = "no", "No"
    MAYBE = "maybe", "Maybe"
    DONT_KNOW = "dont_know", "I don't know"


class Author(models.TextChoices):
    REPORTER = "reporter", "The person who raised the concern"
    GUARDIAN = "guardian", "Guardian"
