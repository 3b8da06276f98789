"""Forms for escalation decisions, rapid quality reviews and quality risks.

They check what a person typed and say what to fix, field by field, in the NHS style; they
never store anything (services.py does, and checks the rules that matter again).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from caresignals.core.forms import DateParts
from caresignals.core.forms import radios as _radios
from caresignals.core.forms import text as _text
from caresignals.organisations.models import Organisation
from caresignals.signals.governance.services import ActionRow, AttendeeRow, CriterionRow
from caresignals.signals.models import EscalationLevel, Forum, ReviewAction, RiskStatus
from caresignals.signals.watchlist import scoring
from caresignals.signals.watchlist.types import WatchlistEntry

ATTENDEE_ROWS = 6
ACTION_ROWS = 5
CRITERION_ROWS = 4


class Day(DateParts):
    """The NHS three-box date, optionally allowing dates after today (due and review dates)."""

    years = (2000, 2100)
    out_of_years = "must be a real date"

    def __init__(self, what: str, *, future: bool = False, **kwargs: Any) -> None:
        super().__init__(what, future=future, **kwargs)


#: The blank choice of an owner: whoever saves the form owns the item (ADR 21).
YOU = "You (the person saving this)"


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class LevelChangeForm(VersionForm):
    to_level = _radios(EscalationLevel.choices, "Select the new level")
    decided_on = Day("the date of the decision")
    forum = _radios(
        [
            (Forum.SYSTEM_QUALITY_GROUP, Forum.SYSTEM_QUALITY_GROUP.label),
            (Forum.REGIONAL_QUALITY_GROUP, Forum.REGIONAL_QUALITY_GROUP.label),
        ],
        "Select where the decision was made",
    )
    rationale = _text("Enter why the level is changing")

    def __init__(self, *args: Any, current_level: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_level = current_level

    def clean_to_level(self) -> str:
        value = str(self.cleaned_data["to_level"])
        if value == self.current_level:
            raise forms.ValidationError("Select a level different from the current one")
        return value


class ReviewForm(VersionForm):
    """A rapid quality review on one page: fixed rows for attendees, actions and exit
    criteria (no script needed); blank rows are ignored, half-filled rows are errors."""

    held_on = Day("the date of the review")
    concern = _text("Enter the concern the review met about")
    decision = _radios(EscalationLevel.choices, "Select the level the review agreed")
    decision_note = _text("Enter the reasons for the decision")

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {pk: person for pk, person in people}
        for i in range(1, ATTENDEE_ROWS + 1):
            for part in ("name", "role", "org"):
                self.fields[f"attendee_{i}_{part}"] = forms.CharField(
                    max_length=150, required=False, strip=True
                )
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{i}_text"] = forms.CharField(
                max_length=2000, required=False, strip=True
            )
            self.fields[f"action_{i}_owner"] = forms.CharField(
                max_length=150, required=False, strip=True
            )
            self.fields[f"action_{i}_due"] = Day(
                f"the due date of action {i}", future=True, required=False
            )
            self.fields[f"action_{i}_person"] = forms.ChoiceField(
                choices=[("", YOU), *((pk, p.display_name) for pk, p in self.people.items())],
                required=False,
                error_messages={"invalid_choice": f"Select the person who owns action {i}"},
            )
        for i in range(1, CRITERION_ROWS + 1):
            self.fields[f"criterion_{i}_text"] = forms.CharField(
                max_length=2000, required=False, strip=True
            )
            self.fields[f"criterion_{i}_met"] = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        attendees: list[AttendeeRow] = []
        for i in range(1, ATTENDEE_ROWS + 1):
            name, role, org = (data.get(f"attendee_{i}_{p}", "") for p in ("name", "role", "org"))
            if not (name or role or org):
                continue
            for part, value, what in (
                ("name", name, "name"),
                ("role", role, "role"),
                ("org", org, "organisation"),
            ):
                if not value:
                    self.add_error(f"attendee_{i}_{part}", f"Enter attendee {i}'s {what}")
            attendees.append(AttendeeRow(name, role, org))
        if not attendees and not self.has_error("attendee_1_name"):
            self.add_error("attendee_1_name", "Enter at least one person who attended")
        actions: list[ActionRow] = []
        for i in range(1, ACTION_ROWS + 1):
            text, owner = data.get(f"action_{i}_text", ""), data.get(f"action_{i}_owner", "")
            due = data.get(f"action_{i}_due")
            if not (text or owner or due) and not self.has_error(f"action_{i}_due"):
                continue
            if not text:
                self.add_error(f"action_{i}_text", f"Enter what action {i} is")
            if not owner:
                self.add_error(f"action_{i}_owner", f"Enter who owns action {i}")
            if due is None and not self.has_error(f"action_{i}_due"):
                self.add_error(f"action_{i}_due", f"Enter the due date of action {i}")
            if text and owner and due:
                person = self.people.get(data.get(f"action_{i}_person", ""))
                actions.append(ActionRow(text, owner, due, owner_person=person))
        criteria = [
            CriterionRow(data[f"criterion_{i}_text"], bool(data.get(f"criterion_{i}_met")))
            for i in range(1, CRITERION_ROWS + 1)
            if data.get(f"criterion_{i}_text")
        ]
        decision = data.get("decision")
        if decision and decision != EscalationLevel.ROUTINE and not criteria:
            self.add_error(
                "criterion_1_text",
                "Enter at least one exit criterion: what must be true to step down again",
            )
        data["attendees"], data["actions"], data["criteria"] = attendees, actions, criteria
        return data


RATING_CHOICES_C = [(str(k), f"{k} – {v}") for k, v in scoring.CONSEQUENCE.items()]
RATING_CHOICES_L = [(str(k), f"{k} – {v}") for k, v in scoring.LIKELIHOOD.items()]


def signal_value(entry: WatchlistEntry, kind: str, period: str) -> str:
    return "|".join((kind, period, entry.org_code, entry.service_code or ""))


def signal_choices(entries: list[WatchlistEntry], period: str) -> list[tuple[str, str]]:
    """Every signal fired in the watchlist, as a checkbox: where, which rule, since when."""
    choices = []
    for entry in entries:
        where = entry.service_name or entry.org_name
        for s in entry.signals:
            choices.append(
                (signal_value(entry, s.kind, period), f"{where}: {s.detail} (since {s.since})")
            )
    return choices


class RiskForm(VersionForm):
    title = _text("Enter a short title for the risk", max_length=200)
    description = _text("Enter a description of the risk")
    organisation = forms.ChoiceField(
        error_messages={
            "required": "Select where the risk sits",
            "invalid_choice": "Select where the risk sits",
        }
    )
    consequence = _radios(RATING_CHOICES_C, "Select the consequence, from 1 to 5")
    likelihood = _radios(RATING_CHOICES_L, "Select the likelihood, from 1 to 5")
    target_consequence = _radios(RATING_CHOICES_C, "Select the target consequence, from 1 to 5")
    target_likelihood = _radios(RATING_CHOICES_L, "Select the target likelihood, from 1 to 5")
    owner = _text("Enter who owns the risk", max_length=150)
    owner_person = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Select a person with a role where the risk sits"},
    )
    controls = forms.CharField(max_length=5000, required=False, strip=True)
    review_on = Day("the next review date", future=True)
    status = _radios(RiskStatus.choices, "Select whether the risk is open or closed")
    linked_signals = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select signals from the list"},
    )
    linked_actions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select actions from the list"},
    )

    def __init__(
        self,
        *args: Any,
        places: list[Organisation],
        signals: list[tuple[str, str]],
        actions: list[ReviewAction],
        signal_details: dict[str, str],
        editing: bool,
        people: Any = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {pk: person for pk, person in people}
        _choice_field(self, "owner_person").choices = [
            ("", YOU),
            *((pk, p.display_name) for pk, p in self.people.items()),
        ]
        self.places = {o.code: o for o in places}
        self.actions = {str(a.pk): a for a in actions}
        self.signal_details = signal_details
        self.signals = list(signals)
        _choice_field(self, "organisation").choices = [("", "Select an option")] + [
            (o.code, place_label(o, self.places)) for o in places
        ]
        _choice_field(self, "linked_signals").choices = self.signals
        _choice_field(self, "linked_actions").choices = [
            (str(a.pk), f"{a.review.provider.name}: {a.description} (owner {a.owner})")
            for a in actions
        ]
        if not editing:
            self.fields["status"].required = False
            self.fields["version"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("consequence", "likelihood", "target_consequence", "target_likelihood"):
            if data.get(name):
                data[name] = int(data[name])
        if all(
            isinstance(data.get(n), int)
            for n in ("consequence", "likelihood", "target_consequence", "target_likelihood")
        ) and data["target_consequence"] * data["target_likelihood"] > (
            data["consequence"] * data["likelihood"]
        ):
            self.add_error(
                "target_likelihood", "The target score must not be higher than the current score"
            )
        org = self.places.get(data.get("organisation", ""))
        person = self.people.get(data.get("owner_person", ""))
        data["owner_person"] = person
        if org is not None:
            data["organisation"] = org
            if person is not None and not _has_role_about(person, org):
                self.add_error("owner_person", "Select a person with a role where the risk sits")
            wrong = [
                v
                for v in data.get("linked_signals", [])
                if not _signal_belongs(v, org, self.places)
            ]
            if wrong:
                self.add_error(
                    "linked_signals",
                    "Select only signals about the organisation the risk sits in, "
                    "or the services within it",
                )
            bad_actions = [
                a
                for a in data.get("linked_actions", [])
                if not self.actions[a].review.provider.path.startswith(org.path)
                and not org.path.startswith(self.actions[a].review.provider.path)
            ]
            if bad_actions:
                self.add_error(
                    "linked_actions",
                    "Select only actions from reviews of the organisation the risk sits in",
                )
        return data

    def keep_signal(self, value: str, label: str, detail: str) -> None:
        """Offer a signal linked earlier that the watchlist no longer shows."""
        if value not in {v for v, _ in self.signals}:
            self.signals.append((value, label))
            _choice_field(self, "linked_signals").choices = self.signals
            self.signal_details[value] = detail

    def linked_signal_records(self) -> list[dict[str, str]]:
        records = []
        for value in self.cleaned_data.get("linked_signals", []):
            kind, period, org_code, service_code = value.split("|")
            records.append(
                {
                    "kind": kind,
                    "period": period,
                    "org_code": org_code,
                    "service_code": service_code,
                    "detail": self.signal_details.get(value, ""),
                }
            )
        return records


def _has_role_about(person: Any, org: Organisation) -> bool:
    """A role in the organisation, above it, or in one of its services (ADR 21)."""
    return any(
        org.path.startswith(path) or path.startswith(org.path)
        for path in person.memberships.values_list("organisation__path", flat=True)
    )


def place_label(org: Organisation, places: dict[str, Organisation]) -> str:
    if org.kind == "ics":
        return f"System-wide ({org.name})"
    if org.kind == "service":
        parent = next((p for p in places.values() if p.pk == org.parent_id), None)
        return f"{org.name} ({parent.name})" if parent else org.name
    return org.name


def _signal_belongs(value: str, org: Organisation, places: dict[str, Organisation]) -> bool:
    """A signal about a provider or its services fits a risk there, or a system-wide one."""
    _, _, org_code, service_code = value.split("|")
    if org.kind == "ics":
        return True
    if org.kind == "provider":
        return org_code == org.code
    return service_code == org.code


class RiskReviewForm(VersionForm):
    reviewed_on = Day("the date of the review")
    note = _text("Enter what the review found")
    consequence = _radios(RATING_CHOICES_C, "Select the consequence now, from 1 to 5")
    likelihood = _radios(RATING_CHOICES_L, "Select the likelihood now, from 1 to 5")
    next_review_on = Day("the next review date", future=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("consequence", "likelihood"):
            if data.get(name):
                data[name] = int(data[name])
        first, then = data.get("reviewed_on"), data.get("next_review_on")
        if first and then and then <= first:
            self.add_error(
                "next_review_on", "The next review must be after the date of this review"
            )
        return data


class ProgressForm(VersionForm):
    done = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    met = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, action_ids: list[int], criterion_ids: list[int], **kw: Any):
        super().__init__(*args, **kw)
        _choice_field(self, "done").choices = [(str(i), str(i)) for i in action_ids]
        _choice_field(self, "met").choices = [(str(i), str(i)) for i in criterion_ids]
