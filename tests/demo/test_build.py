"""`caresignals demo` builds the generated region through the real importers."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max

from caresignals.core import clock
from caresignals.core.periods import Month
from caresignals.demo import generator, starter
from caresignals.demo.build import demo_today
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.models import Area, Organisation, User
from caresignals.organisations.roles import Role
from caresignals.pages.work import my_work
from caresignals.publishing.models import Release
from caresignals.safety.events.reporter import my_events
from caresignals.safety.models import LearningResponse, PatientSafetyEvent, SafetyAction
from caresignals.speakup.models import SpeakUpCase
from caresignals.voice.models import Feedback
from tests.demo.descriptions import description_problems
from tests.demo.fit import family, reply_problems, text_problems

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_builds_the_whole_region_and_lists_sign_ins(settings):
    settings.DEMO = True
    out = StringIO()
    call_command("demo", "--no-serve", "--seed", "7", stdout=out)
    text = out.getvalue()
    data = generator.generate_region(seed=7)
    assert Organisation.objects.count() == len(data.organisations)
    assert Area.objects.count() == len(data.areas)
    assert PatientSafetyEvent.objects.count() == data.events.num_rows
    derived = MeasureValue.objects.filter(indicator__source="derived from events")
    assert MeasureValue.objects.exclude(pk__in=derived).count() == data.measures.num_rows
    # The event-derived indicators were computed on import, for services and providers.
    assert derived.filter(
        indicator__code="moderate_harm_rate", organisation__kind="service"
    ).exists()
    assert derived.filter(
        indicator__code="moderate_harm_rate", organisation__kind="provider"
    ).exists()
    assert Indicator.objects.filter(source="derived from events").exists()
    assert Organisation.objects.filter(kind="place").count() == 13
    assert User.objects.count() == len(starter.DEMO_USERS) + len(starter.TRUST_GUARDIANS) == 19
    assert "5 planted problem(s)" in text and "safety.lead" in text and "synthetic-demo" in text
    # The derived fields were filled in on the way through the importer.
    assert PatientSafetyEvent.objects.filter(imd_quintile=1).exists()
    assert PatientSafetyEvent.objects.filter(max_harm="severe").exists()
    # People with work to show (ADR 21): My work and My events are not empty in the demo.
    today = clock.today()
    for username in ("safety.lead", "staff", "complaints.lead", "guardian", "icb.quality"):
        assert my_work(User.objects.get(username=username), today).count, username
    assert my_events(User.objects.get(username="staff"))

    _the_demo_s_today_is_the_month_after_its_data(data, text)
    _the_last_month_is_published_as_open_data(data)
    _a_guardian_with_cases_at_every_trust(text)
    _descriptions_agree_with_what_the_events_record()
    _feedback_fits_the_service_and_replies_the_kind()
    _titles_and_actions_vary()


def _the_demo_s_today_is_the_month_after_its_data(data: generator.RegionData, text: str) -> None:
    last = Month.parse(data.last_period)
    day = demo_today()
    assert day == dt.date(2026, 11, 16) and clock.last_complete_month(day) == last
    latest = PatientSafetyEvent.objects.aggregate(m=Max("reported_on"))["m"]
    assert (
        Month.of(latest) == last == Month.of(MeasureValue.objects.aggregate(m=Max("period"))["m"])
    )
    # Every monthly view opens on the data's last month on the demo's today.
    assert clock.default_month(Month.of(latest), day) == last
    assert "The demo's today is 16 November 2026: its data end in October 2026" in text
    # What the demo made "today" (the newest feedback, the notifications) is not after it.
    assert Feedback.objects.aggregate(m=Max("received_on"))["m"] <= day


def _the_last_month_is_published_as_open_data(data: generator.RegionData) -> None:
    release = Release.objects.public().get()
    assert release.month_text == data.last_period
    names = set(release.tables.values_list("name", flat=True))
    assert names == {
        "never_events-by-provider",
        "never_events-by-place",
        "complaints-by-provider",
        "complaints-by-place",
    }
    assert sum(release.tables.values_list("suppressed", flat=True)) > 0


def _a_guardian_with_cases_at_every_trust(text: str) -> None:
    trusts = Organisation.objects.filter(kind="provider", type__in=starter.TRUST_TYPES)
    assert trusts.count() == 12
    for trust in trusts:
        guardians = User.objects.filter(
            memberships__organisation=trust, memberships__role=Role.SPEAKUP_GUARDIAN
        )
        assert guardians.count() == 1, trust.code
        guardian = guardians.get()
        cases = SpeakUpCase.objects.for_guardian(guardian)
        assert cases.count() >= 10, trust.code
        assert cases.filter(owner_person=guardian).exists(), trust.code
    assert "guardian.rx1" in text


def _descriptions_agree_with_what_the_events_record() -> None:
    events = PatientSafetyEvent.objects.values(
        "description", "category", "physical_harm", "psychological_harm", "patient_died"
    )
    problems = description_problems(events.iterator())
    assert not problems, f"{len(problems)} contradictions, e.g. {problems[:5]}"
    # The finding: the most harmful events (the top of a queue) say so in words.
    severe = PatientSafetyEvent.objects.filter(psychological_harm="severe")
    assert severe.exists()
    assert all(
        "Severe psychological harm" in d for d in severe.values_list("description", flat=True)
    )


def _feedback_fits_the_service_and_replies_the_kind() -> None:
    rows = Feedback.objects.exclude(text="").values(
        "text", "kind", "reply", "change_description", "service__code", "service__type"
    )
    texts = [(family(r["service__code"], r["service__type"]), r["text"]) for r in rows]
    assert len({f for f, _ in texts}) >= 9  # every kind of service has its own feedback
    problems = text_problems(texts)
    assert not problems, problems[:5]
    assert not reply_problems(rows)
    assert Feedback.objects.filter(kind="compliment").exclude(reply="").exists()
    assert Feedback.objects.filter(kind="complaint").exclude(reply="").exists()
    assert not Feedback.objects.filter(kind="compliment").exclude(change_description="").exists()


def _titles_and_actions_vary() -> None:
    titles = list(LearningResponse.objects.order_by("-id").values_list("title", flat=True))
    assert len(titles) >= 20
    for trust in Organisation.objects.filter(learning_responses__isnull=False).distinct():
        own = list(trust.learning_responses.values_list("title", flat=True))
        assert len(set(own)) == len(own), own
    thematic = LearningResponse.objects.filter(kind="thematic")
    assert thematic.count() == 8  # one for each acute trust, over several events
    themes = list(thematic.order_by("organisation__code").values_list("title", flat=True))
    assert len({t.split(":")[0] for t in themes}) >= 4 and all(
        a.split(":")[0] != b.split(":")[0] for a, b in pairwise(themes)
    )
    assert all(r.events.count() >= 2 for r in thematic)
    # Without the place and date, what happened still reads differently from one to the next.
    what = [t.split(":")[0] for t in titles]
    assert len(set(what)) >= 8
    assert not [w for w, x, y in zip(what, what[1:], what[2:], strict=False) if w == x == y]
    recent = list(SafetyAction.objects.order_by("-id").values_list("description", flat=True)[:20])
    assert len(recent) == 20 and len(set(recent)) >= 10, recent
    assert all(a != b for a, b in pairwise(recent))  # no run of one action


def test_demo_refuses_to_replace_a_real_database(small_ics, settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="CARESIGNALS_DEMO is not set"):
        call_command("demo", "--no-serve", stdout=StringIO())
    assert Organisation.objects.filter(code="ICS1").exists()
