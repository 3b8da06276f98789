"""The words of learning from deaths: screening criteria, the Structured Judgement Review's
phases of care and scales, and the types of problem in care (docs/domain.md, "Learning from
deaths"). Written for this project from the national learning-from-deaths guidance and the
Structured Judgement Review method; the codes are stored, the labels shown.
"""

from __future__ import annotations

from django.db import models


class Criterion(models.TextChoices):
    """Why a death may need a case-record review. The national guidance asks providers to
    review the deaths below; the first five must be reviewed (MUST_REVIEW)."""

    CONCERN = "concern", "The family, a carer or staff raised a significant concern about care"
    LEARNING_DISABILITY = "learning_disability", "The person had a learning disability or autism"
    SERIOUS_MENTAL_ILLNESS = "smi", "The person had a severe mental illness"
    ELECTIVE = "elective", "The person was admitted for planned (elective) care"
    UNEXPECTED = (
        "unexpected",
        "Death was not expected, or happened where people are not expected to die",
    )
    SAFETY_EVENT = "safety_event", "A patient-safety event was recorded about their care"
    OTHER_SOURCES = (
        "other_sources",
        ("Other information points to it (an alert, an audit, a regulator or a coroner)"),
    )
    SAMPLE = "sample", "Chosen in the provider's sample of other deaths"


MUST_REVIEW = frozenset(
    {
        Criterion.CONCERN,
        Criterion.LEARNING_DISABILITY,
        Criterion.SERIOUS_MENTAL_ILLNESS,
        Criterion.ELECTIVE,
        Criterion.UNEXPECTED,
    }
)


class Source(models.TextChoices):
    EVENT = "event", "A patient-safety event recording a death"
    IMPORT = "import", "Imported with the criteria used"
    HAND = "hand", "Added by hand"


class Screening(models.TextChoices):
    NOT_SCREENED = "", "Not screened"
    IN_SCOPE = "in_scope", "In scope for a Structured Judgement Review"
    OUT_OF_SCOPE = "out_of_scope", "Not in scope for a Structured Judgement Review"


class Phase(models.TextChoices):
    ADMISSION = "admission", "Admission and initial care"
    ONGOING = "ongoing", "Ongoing care"
    PROCEDURES = "procedures", "Care during procedures"
    PERIOPERATIVE = "perioperative", "Perioperative care"
    END_OF_LIFE = "end_of_life", "End-of-life care"
    OVERALL = "overall", "Overall assessment of care"


# Phases that may not have happened (no procedure, no operation, no end-of-life phase).
# Admission, ongoing care and the overall assessment always apply.
MAY_NOT_APPLY = frozenset({Phase.PROCEDURES, Phase.PERIOPERATIVE, Phase.END_OF_LIFE})

SCORES: dict[int, str] = {
    1: "1 – very poor care",
    2: "2 – poor care",
    3: "3 – adequate care",
    4: "4 – good care",
    5: "5 – excellent care",
}
POOR_CARE = frozenset({1, 2})
NOT_APPLICABLE = "na"


class Avoidability(models.IntegerChoices):
    """How likely it is that the death could have been avoided, as the reviewer judges it."""

    DEFINITELY = 1, "1 – definitely avoidable"
    STRONG = 2, "2 – strong evidence it could have been avoided"
    PROBABLY = 3, "3 – probably avoidable (more likely than not)"
    POSSIBLY = 4, "4 – possibly avoidable, but less likely than not"
    SLIGHT = 5, "5 – slight evidence it could have been avoided"
    NOT_AVOIDABLE = 6, "6 – definitely not avoidable"


class ProblemType(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment, investigation or diagnosis"
    MEDICATION = "medication", "Medication or fluids"
    TREATMENT = "treatment", "Treatment and management plan"
    INFECTION = "infection", "Infection control"
    PROCEDURE = "procedure", "An operation or other procedure"
    RESUSCITATION = "resuscitation", "Clinical monitoring and resuscitation"
    OTHER = "other", "Another type of problem"


class ProblemHarm(models.TextChoices):
    NONE = "none", "No problem of this type"
    NO_HARM = "no_harm", "A problem that did not harm the person"
    POSSIBLE = "possible", "A problem that possibly harmed the person"
    PROBABLE = "probable", "A problem that probably harmed the person"


class ReviewStatus(models.TextChoices):
    DUE = "due", "Review due"
    OVERDUE = "overdue", "Review overdue"
    COMPLETED = "completed", "Review completed"
    TO_SCREEN = "to_screen", "To screen"
    SCREENED_OUT = "screened_out", "Screened out"
