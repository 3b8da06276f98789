"""Any input, no crash: every form anyone can post without signing in, fed arbitrary text,
dates and choices, never gives a server error (Hypothesis through Django's test client).

The field names come from the forms themselves, so a new field is fuzzed without a change
here. Values mix each field's own choices with arbitrary text (NUL included), dates of any
length, and text past the longest any field takes.
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caresignals.safety.events.forms import ConcernForm as EventConcernForm
from caresignals.safety.events.forms import public_providers
from caresignals.safety.models import PatientSafetyEvent
from caresignals.speakup import queries as speakup_queries
from caresignals.speakup import services as speakup
from caresignals.speakup.forms import CaseAccessForm, MessageForm
from caresignals.speakup.forms import ConcernForm as SpeakUpConcernForm
from caresignals.speakup.vocabulary import Route
from caresignals.voice import queries as voice_queries
from caresignals.voice.forms import EasyReadForm, FeedbackForm, StartForm
from caresignals.voice.models import Kind

pytestmark = pytest.mark.django_db

EXAMPLES = 40

# Text as a browser can send it (no lone surrogates: they cannot be encoded in a form).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
LONG = st.sampled_from(["x" * 25_000, "é" * 21_000, "\n" * 30_000])
NUMBER = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["0", "00", "9" * 20, "2" * 5000, "1e3", " 7 ", "٢٠٢٦", "²", "1_000"]),
)
# A date box: often a plausible day or month, so that the year is what is tested.
DATE_BOX = st.one_of(st.integers(1, 12).map(str), st.integers(1, 12).map(str), NUMBER, TEXT)


def values_for(field: forms.Field) -> st.SearchStrategy[Any]:
    """What might be sent for one field: its own choices, numbers or arbitrary text."""
    choices = [str(v) for v, _ in getattr(field, "choices", []) if not isinstance(_, list | tuple)]
    one = st.one_of(st.sampled_from(choices), TEXT, NUMBER) if choices else st.one_of(TEXT, NUMBER)
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(one, max_size=4)
    return st.one_of(one, one, LONG, st.just(""))


def form_data(form: forms.BaseForm, **fixed: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Every date box (by its own name) and any subset of the other fields; fixed ones as
    given."""
    dates: dict[str, st.SearchStrategy[Any]] = {}
    strategies: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(field, forms.MultiValueField) and isinstance(widget, forms.MultiWidget):
            for suffix in widget.widgets_names:
                dates[name + suffix] = DATE_BOX
        else:
            strategies[name] = values_for(field)
    strategies.pop("website", None)  # the robots' trap: filled in, nothing is checked
    data = st.fixed_dictionaries(dates, optional=strategies)
    return data.map(lambda values: {**values, **fixed})


def never_a_server_error(client, url: str, data: st.SearchStrategy[dict[str, Any]]) -> None:
    @given(data=data)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def post(data: dict[str, Any]) -> None:
        cache.clear()  # the public rate limits would otherwise answer most examples
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    post()


def test_the_public_event_report(client, small_ics):
    form = EventConcernForm(None, providers=public_providers())
    never_a_server_error(client, "/report-a-concern/", form_data(form))


def test_the_feedback_start_page(client, small_ics):
    form = StartForm(providers=voice_queries.public_providers())

    @given(data=form_data(form))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
    def get(data: dict[str, Any]) -> None:
        assert client.get("/feedback/give/", data).status_code < 500

    get()


@pytest.mark.parametrize("kind", Kind.values)
def test_the_feedback_form_of_every_kind(client, small_ics, kind):
    services = voice_queries.services_of(small_ics.trust_a)
    form = FeedbackForm(kind=kind, org_code="TA", services=services)
    never_a_server_error(client, f"/feedback/give/?org_code=TA&kind={kind}", form_data(form))


def test_the_easy_read_feedback_form(client, small_ics):
    form = EasyReadForm(providers=voice_queries.public_providers())
    never_a_server_error(client, "/feedback/easy-read/", form_data(form))


def test_the_anonymous_speak_up_form(client, small_ics):
    form = SpeakUpConcernForm(
        None, organisations=speakup_queries.public_providers(), with_route=False
    )
    never_a_server_error(client, "/speak-up/anonymous/", form_data(form))


def test_the_reporters_reply_form(client, small_ics):
    raised = speakup.raise_concern(
        organisation=small_ics.trust_a, route=Route.ANONYMOUS, concern="Synthetic: a concern."
    )
    real = {"reference": raised.case.reference, "access_code": raised.access_code}
    access = form_data(CaseAccessForm())
    reply = form_data(MessageForm(), action="reply")
    data = st.one_of(
        access,
        st.tuples(access, reply).map(lambda pair: {**pair[0], **pair[1]}),
        reply.map(lambda fields: {**fields, **real}),
    )
    never_a_server_error(client, "/speak-up/case/", data)


def test_nul_in_an_address_a_query_or_a_form_is_400_before_any_view(client, small_ics):
    """PostgreSQL cannot store or compare text with NUL; every view is spared it."""
    for response in (
        client.get("/report-a-concern/?org=%00"),
        client.get("/feedback/give/?org_code=TA&kind=compliment%00"),
        client.get("/report-a-concern/%00/"),
        client.post("/report-a-concern/", {"description": "Synthetic\x00", "org_code": "TA"}),
        client.post("/speak-up/case/", {"reference": "FTSU\x00", "access_code": "x"}),
        client.post("/feedback/easy-read/", {"a\x00": "x"}),
    ):
        assert response.status_code == 400
        assert response.content.decode().startswith("NUL characters are not allowed")
    assert not PatientSafetyEvent.objects.exists()
    assert client.get("/report-a-concern/?org=TA").status_code == 200
