"""Staff record a patient-safety event: a short first page, a second page only when its
questions apply, check your answers, then a confirmation with the event's reference.

Drafts are saved for their author (safety/events/drafts.py). Events are stored only by
`services.record_event`, through the importer's rules; nothing is stored when a page has errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caresignals.audit.services import Actor
from caresignals.safety.events import drafts, reporter
from caresignals.safety.events.forms import (
    ETHNIC_CATEGORY,
    PHYSICAL_HARM_HINTS,
    PSYCHOLOGICAL_HARM_HINTS,
    EventStepOne,
    EventStepTwo,
    event_fields,
    needs_step_two,
    recording_places,
)
from caresignals.safety.events.services import EventInvalid, record_event
from caresignals.safety.vocabulary import (
    Category,
    NeverEventType,
    PatientSex,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    ServiceArea,
    StrengthOfAssociation,
    TriState,
)

SAVE = "save"
ANONYMOUS_ACTOR = "anonymous reporter"


def _draft_id(draft_id: str) -> str:
    if not drafts.DRAFT_ID.match(draft_id):
        raise Http404("No such draft")
    return draft_id


def _step_one(request: HttpRequest, data: dict[str, str] | None) -> EventStepOne:
    return EventStepOne(data, places=recording_places(request.user))


def _valid_one(request: HttpRequest, draft: dict[str, Any]) -> EventStepOne | None:
    form = _step_one(request, draft.get("one"))
    return form if draft.get("one") and form.is_valid() else None


def _saved(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Your draft has been saved. You can come back to it from this page.")
    return redirect("safety:record_start")


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "safety/record/start.jinja",
        {"page_title": "Record a patient-safety event", "drafts": drafts.lines(request)},
    )


@require_POST
def delete_draft(request: HttpRequest, draft_id: str) -> HttpResponse:
    if drafts.discard(request, _draft_id(draft_id)):
        messages.info(request, "Your draft has been deleted.")
    return redirect("safety:record_start")


@require_GET
def new(request: HttpRequest) -> HttpResponse:
    return redirect("safety:record_event", draft_id=drafts.new_draft_id())


@require_http_methods(["GET", "POST"])
def step_one(request: HttpRequest, draft_id: str) -> HttpResponse:
    draft_id = _draft_id(draft_id)
    draft = drafts.get(request, draft_id)
    values: dict[str, str] = draft.get("one", {})
    form = _step_one(request, None)
    if request.method == "POST":
        values = drafts.posted_values(request)
        if request.POST.get("action") == SAVE:
            drafts.save(request, draft_id, "one", values)
            return _saved(request)
        form = _step_one(request, values)
        if form.is_valid():
            drafts.save(request, draft_id, "one", values)
            if needs_step_two(form.cleaned_data):
                return redirect("safety:record_details", draft_id=draft_id)
            return redirect("safety:record_check", draft_id=draft_id)
    return render(
        request,
        "safety/record/step_one.jinja",
        {
            "page_title": "What happened",
            "form": form,
            "values": values,
            "area_groups": form.area_groups(values),
            "physical_harm_hints": PHYSICAL_HARM_HINTS,
            "psychological_harm_hints": PSYCHOLOGICAL_HARM_HINTS,
            "errors": form.errors if request.method == "POST" else {},
            "draft_id": draft_id,
            "back": reverse("safety:record_start"),
        },
    )


@require_http_methods(["GET", "POST"])
def step_two(request: HttpRequest, draft_id: str) -> HttpResponse:
    draft_id = _draft_id(draft_id)
    draft = drafts.get(request, draft_id)
    one = _valid_one(request, draft)
    if one is None:
        return redirect("safety:record_event", draft_id=draft_id)
    if not needs_step_two(one.cleaned_data):
        return redirect("safety:record_check", draft_id=draft_id)
    values: dict[str, str] = draft.get("two", {})
    form = EventStepTwo(None, step_one=one.cleaned_data)
    if request.method == "POST":
        values = drafts.posted_values(request)
        if request.POST.get("action") == SAVE:
            drafts.save(request, draft_id, "two", values)
            return _saved(request)
        form = EventStepTwo(values, step_one=one.cleaned_data)
        if form.is_valid():
            drafts.save(request, draft_id, "two", values)
            return redirect("safety:record_check", draft_id=draft_id)
    return render(
        request,
        "safety/record/step_two.jinja",
        {
            "page_title": "More about the event",
            "form": form,
            "values": values,
            "errors": form.errors if request.method == "POST" else {},
            "draft_id": draft_id,
            "back": reverse("safety:record_event", kwargs={"draft_id": draft_id}),
        },
    )


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    change_url: str


def _label(choices: Any, value: object, default: str = "Not given") -> str:
    return str(dict(choices).get(value, default)) if value not in (None, "") else default


def _answers(one: EventStepOne, two: EventStepTwo | None, draft_id: str) -> list[Answer]:
    d = one.cleaned_data
    first = reverse("safety:record_event", kwargs={"draft_id": draft_id})
    second = reverse("safety:record_details", kwargs={"draft_id": draft_id})
    place = one.places[d["place"]]
    rows = [
        Answer("What you are recording", _label(RecordType.choices, d["record_type"]), first),
        Answer("Organisation or service", place.label, first),
        Answer("What happened", d["description"], first),
        Answer("When it happened", d["occurred_on"].strftime("%-d %B %Y"), first),
        Answer("Service area", _label(ServiceArea.choices, d["service_area"]), first),
        Answer("What it was about", _label(Category.choices, d["category"]), first),
    ]
    if d.get("physical_harm"):
        rows += [
            Answer("Physical harm", _label(PhysicalHarm.choices, d["physical_harm"]), first),
            Answer(
                "Psychological harm",
                _label(PsychologicalHarm.choices, d["psychological_harm"]),
                first,
            ),
        ]
    rows.append(Answer("Record anonymously", "Yes" if d["anonymous"] == "yes" else "No", first))
    if two is None:
        return rows
    t = two.cleaned_data
    yes_no = {"yes": "Yes", "no": "No"}
    if two.asks_never_event:
        never = yes_no.get(t.get("never_event", ""), "Not given")
        if t.get("never_event_type"):
            never += f": {_label(NeverEventType.choices, t['never_event_type'])}"
        rows.append(Answer("Never Event", never, second))
    if two.asks_patient:
        age = t.get("patient_age_years")
        rows += [
            Answer("Patient's age", "Not given" if age is None else f"{age} years", second),
            Answer("Patient's sex", _label(PatientSex.choices, t.get("patient_sex")), second),
            Answer(
                "Patient's ethnic group",
                _label(ETHNIC_CATEGORY.items(), t.get("patient_ethnicity")),
                second,
            ),
            Answer(
                "Learning disability",
                _label(TriState.choices, t.get("learning_disability"), "Not known"),
                second,
            ),
            Answer("Autism", _label(TriState.choices, t.get("autism"), "Not known"), second),
            Answer(
                "Detained under the Mental Health Act",
                _label(TriState.choices, t.get("detained_mha"), "Not known"),
                second,
            ),
        ]
        if two.asks_died:
            died = yes_no.get(t.get("patient_died", ""), "Not given")
            rows.append(Answer("Patient died", died, second))
        elif two.fatal:
            rows.append(Answer("Patient died", "Yes (the harm was fatal)", first))
        if two.asks_death_in_care and t.get("patient_died") == "yes":
            rows.append(
                Answer(
                    "Death more likely than not due to problems in care",
                    yes_no.get(t.get("death_in_care_more_likely_than_not", ""), "Not given"),
                    second,
                )
            )
    if two.asks_association:
        rows.append(
            Answer(
                "Strength of association",
                _label(StrengthOfAssociation.choices, t.get("strength_of_association")),
                second,
            )
        )
    return rows


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, draft_id: str) -> HttpResponse:
    draft_id = _draft_id(draft_id)
    draft = drafts.get(request, draft_id)
    one = _valid_one(request, draft)
    if one is None:
        return redirect("safety:record_event", draft_id=draft_id)
    two = None
    if needs_step_two(one.cleaned_data):
        two = EventStepTwo(draft.get("two") or {}, step_one=one.cleaned_data)
        if not draft.get("two") or not two.is_valid():
            return redirect("safety:record_details", draft_id=draft_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        fields = event_fields(
            one.cleaned_data, two.cleaned_data if two else {}, one.places[one.cleaned_data["place"]]
        )
        # Anonymous: the reporter is not linked to the event or its audit entry.
        anonymous = bool(fields["anonymous"])
        actor = Actor(label=ANONYMOUS_ACTOR) if anonymous else Actor(user=request.user)
        try:
            event = record_event(
                fields, actor=actor, recorded_by=None if anonymous else request.user
            )
        except EventInvalid as invalid:  # nothing was stored; say why, without field links
            errors = {
                "non_field_errors": [
                    f"{name}: {message}" for name, ms in invalid.errors.items() for message in ms
                ]
            }
        else:
            drafts.discard(request, draft_id)
            request.session[drafts.RECORDED_KEY] = {
                "reference": event.reference,
                "anonymous": bool(fields["anonymous"]),
                "record_type": fields["record_type"],
            }
            return redirect("safety:record_done")
    return render(
        request,
        "safety/record/check.jinja",
        {
            "page_title": "Check your answers",
            "answers": _answers(one, two, draft_id),
            "errors": errors,
            "draft_id": draft_id,
            "back": reverse(
                "safety:record_details" if two else "safety:record_event",
                kwargs={"draft_id": draft_id},
            ),
        },
    )


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    recorded = request.session.get(drafts.RECORDED_KEY)
    if not recorded:
        return redirect("safety:record_start")
    return render(
        request,
        "safety/record/done.jinja",
        {"page_title": "Event recorded", "recorded": recorded},
    )


# --- My events: the reporter follows what they recorded ---------------------------------------


@require_GET
def my_events(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "safety/record/my_events.jinja",
        {"page_title": "My events", "events": reporter.my_events(request.user)},
    )


@require_GET
def my_event(request: HttpRequest, reference: str) -> HttpResponse:
    event = reporter.my_event(request.user, reference)
    return render(
        request,
        "safety/record/my_event.jinja",
        {"page_title": f"Event {event.reference}", "event": event},
    )
