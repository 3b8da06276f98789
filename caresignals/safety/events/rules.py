"""Rules that turn what was recorded about an event into what must happen next.

docs/domain.md and docs/command-line.md (export): Duty of Candour, the PSIRF national
requirements, the referrals beyond the provider, and the learning response. Pure functions: no
database, no Django models, so they can be tested exhaustively and run over a whole import at
once.

Each rule has a scalar form (one event, plain Python values, used by the web form and the API)
and a ``*_many`` form over Arrow arrays (lists are accepted too) that gives exactly the same
answers, used by imports and exports. Codes are the ones docs/command-line.md publishes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from caresignals.core.workingdays import (
    add_working_days,
    calendar_for,
    offset_working_days,
)
from caresignals.core.workingdays import (
    working_days_between as working_days_between,
)
from caresignals.safety.events.derived import harm_rank
from caresignals.safety.vocabulary import (
    HARM_ORDER,
    NeverEventType,
    PhysicalHarm,
    PsychologicalHarm,
)

# --- codes ------------------------------------------------------------------------------------

#: Provider types (organisations.csv) that are health service bodies under Regulation 20.
NHS_TRUST_TYPES: Final = frozenset(
    {"acute_trust", "mental_health_trust", "community_trust", "ambulance_trust"}
)
#: Registered providers that are not health service bodies: a different, higher harm threshold.
OTHER_REGISTERED_TYPES: Final = frozenset(
    {"gp_practice", "care_home", "hospice", "independent", "ld_autism_inpatient"}
)
PROVIDER_TYPES: Final = NHS_TRUST_TYPES | OTHER_REGISTERED_TYPES

NEVER_EVENT_PSII: Final = "never_event_psii"
MHA_MCA_DEATH_PSII: Final = "mha_mca_death_psii"
DEATH_DUE_TO_CARE_PSII: Final = "death_due_to_care_psii"
#: In order of precedence: the first that applies is the one reported.
NATIONAL_REQUIREMENTS: Final = (NEVER_EVENT_PSII, MHA_MCA_DEATH_PSII, DEATH_DUE_TO_CARE_PSII)

LEDER_REFERRAL: Final = "leder_referral"
CHILD_DEATH_REVIEW: Final = "child_death_review"
MATERNITY_REFERRAL: Final = "maternity_referral"
SAFEGUARDING_REFERRAL: Final = "safeguarding_referral"
MH_HOMICIDE_REVIEW: Final = "mh_homicide_review"
#: The stable order referrals are listed in (the order docs/command-line.md gives them).
REFERRALS: Final = (
    LEDER_REFERRAL,
    CHILD_DEATH_REVIEW,
    MATERNITY_REFERRAL,
    SAFEGUARDING_REFERRAL,
    MH_HOMICIDE_REVIEW,
)

#: Learning responses a provider's PSIRF plan can name for a kind of event.
PLAN_RESPONSES: Final = ("psii", "aar", "swarm", "mdt", "thematic", "none")
UNDECIDED: Final = "undecided"
PSIRF_RESPONSES: Final = (*PLAN_RESPONSES, UNDECIDED)

#: Working days the NHS Standard Contract allows for the first candour notification.
CANDOUR_WORKING_DAYS: Final = 10

_PHYSICAL = frozenset(PhysicalHarm.values)
_PSYCHOLOGICAL = frozenset(PsychologicalHarm.values)
_NEVER_EVENT_TYPES = frozenset(NeverEventType.values)
_MODERATE, _SEVERE = HARM_ORDER["moderate"], HARM_ORDER["severe"]
_NULL_BOOL = pa.scalar(None, pa.bool_())
_NULL_STRING = pa.scalar(None, pa.string())


# --- helpers ----------------------------------------------------------------------------------


def _array(values: Any, type_: pa.DataType) -> pa.Array:
    """An Arrow array of ``type_`` from an array, chunked array or any iterable."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    elif isinstance(values, np.ndarray):
        values = pa.array(values)
    if not isinstance(values, pa.Array):
        seq = values if isinstance(values, Sequence) else list(values)
        return pa.array(seq, type=type_)
    if isinstance(values.type, pa.DictionaryType):
        values = values.dictionary_decode()
    return values if values.type == type_ else pc.cast(values, type_)


def _strings(values: Any) -> pa.Array:
    return _array(values, pa.string())


def _flag(values: Any) -> pa.Array:
    """Booleans, or "true"/"false"/"unknown"/blank codes: only a clear yes is True."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    elif isinstance(values, np.ndarray):
        values = pa.array(values)
    if not isinstance(values, pa.Array):
        return pa.array([_is_yes(v) for v in values], type=pa.bool_())
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return pc.fill_null(pc.equal(pc.utf8_lower(_strings(values)), "true"), False)
    return pc.fill_null(_array(values, pa.bool_()), False)


def _is_yes(value: str | bool | None) -> bool:
    """The scalar twin of :func:`_flag`."""
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _check_codes(values: pa.Array, allowed: Iterable[str], what: str) -> None:
    """Raise on a code outside ``allowed`` (blank and null are allowed): a caller's bug,
    never something to guess about when the answer is a legal duty."""
    allowed_array = pa.array(sorted({*allowed, ""}), pa.string())
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=allowed_array)))
    if pc.any(bad).as_py():
        found = sorted(set(pc.filter(values, bad).to_pylist()))
        raise ValueError(f"unknown {what}: {', '.join(map(repr, found[:5]))}")


def _check_code(value: str | None, allowed: Iterable[str], what: str) -> None:
    if value and value not in allowed:
        raise ValueError(f"unknown {what}: {value!r}")


def _same_length(*arrays: pa.Array) -> int:
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        raise ValueError(f"arrays differ in length: {sorted(lengths)}")
    return lengths.pop() if lengths else 0


# --- Duty of Candour (Regulation 20) ----------------------------------------------------------


def candour_notifiable(
    provider_type: str | None, physical_harm: str | None, psychological_harm: str | None
) -> bool | None:
    """Whether an event is a notifiable safety incident under Regulation 20 (Duty of Candour).

    True means the provider must tell the person, apologise and follow up in writing; None
    means the harm recorded may or may not meet the legal test and a person must decide
    (export :func:`candour_notifiable_export` of it, which is False until they do).

    Regulation 20 sets two thresholds. Health service bodies (NHS trusts) must notify
    moderate harm, severe harm and death, and prolonged psychological harm; a "moderate"
    psychological harm code does not say whether it lasted 28 days, so a person decides.
    Other registered providers (GP practices, care homes, hospices, independent and
    learning-disability or autism inpatient providers) have a narrower list (death, harm
    lasting 28 days or more, shortened life expectancy, treatment to prevent those), which
    severe and fatal harm always meet and moderate harm may, so a person decides on moderate.

    Blank harm counts as none (risks and good care record none). A blank provider type is
    judged on the narrower threshold, which both agree on: severe or fatal harm is never
    dropped and moderate harm goes to a person. An unknown code raises ValueError.
    """
    _check_code(provider_type, PROVIDER_TYPES, "provider type")
    _check_code(physical_harm, _PHYSICAL, "physical harm")
    _check_code(psychological_harm, _PSYCHOLOGICAL, "psychological harm")
    physical = HARM_ORDER[physical_harm or "none"]
    psychological = HARM_ORDER[psychological_harm or "none"]
    if provider_type in NHS_TRUST_TYPES:
        if physical >= _MODERATE or psychological >= _SEVERE:
            return True
        return None if psychological == _MODERATE else False
    if physical >= _SEVERE or psychological >= _SEVERE:
        return True
    return None if _MODERATE in (physical, psychological) else False


def candour_notifiable_many(provider_types: Any, physical: Any, psychological: Any) -> pa.Array:
    """:func:`candour_notifiable` over arrays: bool, null where a person must decide."""
    types, phys_codes, psych_codes = (
        _strings(provider_types),
        _strings(physical),
        _strings(psychological),
    )
    _same_length(types, phys_codes, psych_codes)
    _check_codes(types, PROVIDER_TYPES, "provider type")
    _check_codes(phys_codes, _PHYSICAL, "physical harm")
    _check_codes(psych_codes, _PSYCHOLOGICAL, "psychological harm")
    phys = pc.fill_null(harm_rank(phys_codes), 0)
    psych = pc.fill_null(harm_rank(psych_codes), 0)
    nhs = pc.fill_null(pc.is_in(types, value_set=pa.array(sorted(NHS_TRUST_TYPES))), False)
    psych_severe = pc.greater_equal(psych, _SEVERE)
    psych_moderate = pc.equal(psych, _MODERATE)
    definite = pc.if_else(
        nhs,
        pc.or_(pc.greater_equal(phys, _MODERATE), psych_severe),
        pc.or_(pc.greater_equal(phys, _SEVERE), psych_severe),
    )
    decide = pc.if_else(nhs, psych_moderate, pc.or_(pc.equal(phys, _MODERATE), psych_moderate))
    return pc.if_else(definite, True, pc.if_else(decide, _NULL_BOOL, False))


def candour_notifiable_export(notifiable: bool | None) -> bool:
    """The published bool: "for a person to decide" is not notifiable until they decide it is."""
    return bool(notifiable)


def candour_notifiable_export_many(notifiable: Any) -> pa.Array:
    """:func:`candour_notifiable_export` over an array."""
    return pc.fill_null(_array(notifiable, pa.bool_()), False)


# --- working days -----------------------------------------------------------------------------


def add_working_days_many(starts: Any, n: int) -> pa.Array:
    """:func:`add_working_days` over an array of dates (date32; null stays null)."""
    days = _array(starts, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    if len(days) == 0:
        return pa.array([], pa.date32())
    valid = days[~np.isnat(days)]
    if len(valid) == 0:
        return pa.nulls(len(days), pa.date32())
    calendar = calendar_for(valid.min(), valid.max(), n)
    result = days.copy()
    result[~np.isnat(days)] = offset_working_days(valid, n, calendar)
    return pa.array(result, type=pa.date32(), from_pandas=True)


def candour_due(reported_on: date, notifiable: bool | None) -> date | None:
    """When the first candour notification is due: the 10th working day after ``reported_on``.

    Regulation 20 says "as soon as reasonably practicable"; the NHS Standard Contract puts a
    number on it, 10 working days, which is the clock we show. ``reported_on`` is day 0.
    None when not notifiable, including while a person has yet to decide (``None``); once
    they decide it is notifiable the clock still runs from ``reported_on``, not the decision.
    """
    if notifiable is not True:
        return None
    return add_working_days(reported_on, CANDOUR_WORKING_DAYS)


def candour_due_many(reported_on: Any, notifiable: Any) -> pa.Array:
    """:func:`candour_due` over arrays: date32, null where not (yet) notifiable."""
    days = _array(reported_on, pa.date32())
    flags = _array(notifiable, pa.bool_())
    _same_length(days, flags)
    due = add_working_days_many(days, CANDOUR_WORKING_DAYS)
    return pc.if_else(pc.fill_null(flags, False), due, pa.scalar(None, pa.date32()))


# --- PSIRF national requirements --------------------------------------------------------------


def national_requirement(
    never_event_type: str | None,
    patient_died: bool | None,
    death_in_care_more_likely_than_not: bool | None,
    detained_mha: str | bool | None,
) -> str | None:
    """The PSIRF national requirement for a patient-safety incident investigation, or None.

    Under PSIRF a provider's own plan decides most responses, but a few events must have a
    PSII whatever the plan says. We report the first that applies: a Never Event; the death
    of a patient detained under the Mental Health Act thought more likely than not due to
    problems in care; any other death thought more likely than not due to problems in care.

    ``detained_mha`` is the tri-state "true"/"false"/"unknown" code: only a clear "true"
    counts, because "unknown" still gets a PSII (as a death due to care) and the detained
    route only changes who oversees it. We have no Mental Capacity Act field, so deaths
    where only the MCA applies are reported as ``death_due_to_care_psii``.
    """
    _check_code(never_event_type, _NEVER_EVENT_TYPES, "never event type")
    if never_event_type:
        return NEVER_EVENT_PSII
    if _is_yes(death_in_care_more_likely_than_not):
        if _is_yes(patient_died) and _is_yes(detained_mha):
            return MHA_MCA_DEATH_PSII
        return DEATH_DUE_TO_CARE_PSII
    return None


def national_requirement_many(
    never_event_types: Any,
    patient_died: Any,
    death_in_care_more_likely_than_not: Any,
    detained_mha: Any,
) -> pa.Array:
    """:func:`national_requirement` over arrays: string, null where none applies."""
    never = _strings(never_event_types)
    died, due_to_care, detained = (
        _flag(patient_died),
        _flag(death_in_care_more_likely_than_not),
        _flag(detained_mha),
    )
    _same_length(never, died, due_to_care, detained)
    _check_codes(never, _NEVER_EVENT_TYPES, "never event type")
    is_never = pc.fill_null(pc.not_equal(never, ""), False)
    mha = pc.and_(pc.and_(died, detained), due_to_care)
    return pc.case_when(
        pc.make_struct(is_never, mha, due_to_care),
        NEVER_EVENT_PSII,
        MHA_MCA_DEATH_PSII,
        DEATH_DUE_TO_CARE_PSII,
        _NULL_STRING,
    )


# --- referrals --------------------------------------------------------------------------------


def referrals(
    *,
    patient_died: bool | None,
    learning_disability: str | bool | None,
    autism: str | bool | None,
    patient_age_years: int | None,
    service_area: str | None,
    service_type: str | None,
    max_harm: str | None,
    category: str | None,
    mental_health_homicide: bool = False,
) -> list[str]:
    """Every referral beyond the provider that applies, in :data:`REFERRALS` order.

    PSIRF leaves these to other bodies, whatever the local plan says: LeDeR reviews the death
    of anyone with a learning disability or autistic person; the child death review process
    every death under 18 (unknown age: no referral); the national maternity investigators
    severe and fatal harm in maternity care (by service area or the service's type, and
    ``max_harm``, so severe psychological harm counts); the local authority safeguarding
    concerns; and the regional independent team mental-health-related homicides, which only
    the web form asks about. Tri-state fields refer only on a clear "true": "unknown" is
    for a person to check, not a referral we assert.
    """
    found = [
        _is_yes(patient_died) and (_is_yes(learning_disability) or _is_yes(autism)),
        _is_yes(patient_died) and patient_age_years is not None and patient_age_years < 18,
        (service_area == "maternity" or service_type == "maternity")
        and max_harm in ("severe", "fatal"),
        category == "safeguarding",
        _is_yes(mental_health_homicide),
    ]
    return [name for name, applies in zip(REFERRALS, found, strict=True) if applies]


def referrals_many(
    *,
    patient_died: Any,
    learning_disability: Any,
    autism: Any,
    patient_age_years: Any,
    service_area: Any,
    service_type: Any = None,
    max_harm: Any,
    category: Any,
    mental_health_homicide: Any = None,
) -> pa.Array:
    """:func:`referrals` over arrays: a list<string> array, an empty list where none apply.

    ``service_type`` and ``mental_health_homicide`` may be left out (no service recorded;
    not asked, as in imports).
    """
    died = _flag(patient_died)
    n = len(died)
    disabled, autistic = _flag(learning_disability), _flag(autism)
    ages = _array(patient_age_years, pa.int64())
    areas, harms, categories = _strings(service_area), _strings(max_harm), _strings(category)
    service_types = _strings([None] * n if service_type is None else service_type)
    homicide = _flag([False] * n if mental_health_homicide is None else mental_health_homicide)
    _same_length(died, disabled, autistic, ages, areas, service_types, harms, categories, homicide)

    def yes(mask: pa.Array) -> np.ndarray:
        return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)

    maternity = pc.or_kleene(pc.equal(areas, "maternity"), pc.equal(service_types, "maternity"))
    severe = pc.is_in(harms, value_set=pa.array(["severe", "fatal"]))
    masks = np.column_stack(
        [
            yes(pc.and_(died, pc.or_(disabled, autistic))),
            yes(pc.and_(died, pc.less(ages, 18))),
            yes(pc.and_kleene(maternity, severe)),
            yes(pc.equal(categories, "safeguarding")),
            yes(homicide),
        ]
    )
    offsets = np.concatenate([[0], np.cumsum(masks.sum(axis=1))]).astype(np.int32)
    names = np.array(REFERRALS, dtype=object)[np.nonzero(masks)[1]]
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(names, type=pa.string()))


# --- learning response ------------------------------------------------------------------------


def psirf_response(national_requirement: str | None, plan_response: str | None) -> str:
    """The learning response an event gets under PSIRF.

    A national requirement means a PSII whatever the provider's plan says; otherwise the plan
    decides, and where it leaves the kind of event open (blank) the answer is "undecided"
    until triage. ``plan_response`` may already be "undecided"; other codes raise ValueError.
    """
    _check_code(national_requirement, NATIONAL_REQUIREMENTS, "national requirement")
    _check_code(plan_response, PSIRF_RESPONSES, "PSIRF response")
    if national_requirement:
        return "psii"
    return plan_response or UNDECIDED


def psirf_response_many(national_requirements: Any, plan_responses: Any) -> pa.Array:
    """:func:`psirf_response` over arrays."""
    required, plan = _strings(national_requirements), _strings(plan_responses)
    _same_length(required, plan)
    _check_codes(required, NATIONAL_REQUIREMENTS, "national requirement")
    _check_codes(plan, PSIRF_RESPONSES, "PSIRF response")
    has_requirement = pc.fill_null(pc.not_equal(required, ""), False)
    has_plan = pc.fill_null(pc.not_equal(plan, ""), False)
    return pc.case_when(pc.make_struct(has_requirement, has_plan), "psii", plan, UNDECIDED)
