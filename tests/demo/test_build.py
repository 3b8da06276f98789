"""`caresignals demo` builds the generated region through the real importers."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.core import clock
from caresignals.demo import generator
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.models import Area, Organisation, User
from caresignals.pages.work import my_work
from caresignals.safety.events.reporter import my_events
from caresignals.safety.models import PatientSafetyEvent

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
    assert User.objects.count() == 8
    assert "5 planted problem(s)" in text and "safety.lead" in text and "synthetic-demo" in text
    # The derived fields were filled in on the way through the importer.
    assert PatientSafetyEvent.objects.filter(imd_quintile=1).exists()
    assert PatientSafetyEvent.objects.filter(max_harm="severe").exists()
    # People with work to show (ADR 21): My work and My events are not empty in the demo.
    today = clock.today()
    for username in ("safety.lead", "staff", "complaints.lead", "guardian", "icb.quality"):
        assert my_work(User.objects.get(username=username), today).count, username
    assert my_events(User.objects.get(username="staff"))


def test_demo_refuses_to_replace_a_real_database(small_ics, settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="CARESIGNALS_DEMO is not set"):
        call_command("demo", "--no-serve", stdout=StringIO())
    assert Organisation.objects.filter(code="ICS1").exists()
