"""The public indicator library shows exactly how each indicator is calculated."""

from __future__ import annotations

import pytest
from django.test import Client

from caresignals.audit.services import Actor
from caresignals.measures.services import read_definitions, sync_definitions

pytestmark = pytest.mark.django_db


def test_every_reviewed_definition_is_public_with_its_calculation():
    sync_definitions(Actor(label="test"))
    client = Client()  # nobody signed in
    index = client.get("/indicators/").content.decode()
    for d in read_definitions():
        assert d.name.replace("&", "&amp;") in index or d.name in index
        page = client.get(f"/indicators/{d.code}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "How it is calculated" in html and d.checked_by in html


def test_unknown_indicator_is_not_found():
    assert Client().get("/indicators/nope/").status_code == 404


def test_library_without_definitions_says_so():
    assert "No indicators have been defined yet" in Client().get("/indicators/").content.decode()


def test_a_derived_indicator_shows_the_rule_it_is_counted_by():
    sync_definitions(Actor(label="test"))
    html = Client().get("/indicators/moderate_harm_rate/").content.decode()
    assert "Counted by the system as" in html
    assert "worse of physical and psychological harm moderate, severe or fatal" in html
    imported = Client().get("/indicators/ed_four_hour/").content.decode()
    assert "Counted by the system as" not in imported


def test_an_experience_indicator_says_which_route_a_value_comes_from():
    sync_definitions(Actor(label="test"))
    html = Client().get("/indicators/fft_positive/").content.decode()
    assert "Counted by the system as" in html
    assert "Friends and Family Test rating very good or good" in html
    assert "Which route a value comes from" in html
    assert "that value is used and nothing is counted beside it" in html
    other = Client().get("/indicators/ed_four_hour/").content.decode()
    assert "Which route a value comes from" not in other
