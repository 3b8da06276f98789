"""Staff endpoints: token auth, scoping, recording through the importer's rules, reading."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.api.models import ApiToken
from caresignals.api.tokens import token_hash
from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.safety.events.exports import records
from caresignals.safety.models import PatientSafetyEvent, PlanRule
from tests.factories import AreaFactory, EventFactory, OrganisationFactory
from tests.safety.test_import_events import event

pytestmark = pytest.mark.django_db

URL = "/api/v1/events"


def post(client, body, headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


# -- tokens ----------------------------------------------------------------------------------


def test_missing_wrong_and_revoked_tokens_are_refused(client, staff_a):
    assert client.get(URL).status_code == 401
    wrong = client.get(URL, headers={"Authorization": "Bearer cs_not-a-token"})
    assert wrong.status_code == 401
    assert wrong.json() == {
        "errors": {"authorization": ["Send a valid API token: Authorization: Bearer <token>"]}
    }
    assert wrong["WWW-Authenticate"] == "Bearer"
    basic = client.get(URL, headers={"Authorization": f"Basic {staff_a.token}"})
    assert basic.status_code == 401
    assert client.get(URL, headers=staff_a.headers).status_code == 200
    ApiToken.objects.filter(user=staff_a.user).update(revoked=True)
    assert client.get(URL, headers=staff_a.headers).status_code == 401
    assert post(client, event(), staff_a.headers).status_code == 401
    assert PatientSafetyEvent.objects.count() == 0


def test_a_session_does_not_stand_in_for_a_token(client, staff_a):
    client.force_login(staff_a.user)
    assert client.get(URL).status_code == 401


def test_only_a_hash_is_stored_and_the_day_of_use_is_noted(client, staff_a, today):
    row = ApiToken.objects.get(user=staff_a.user)
    assert row.key_hash == token_hash(staff_a.token) and staff_a.token not in row.key_hash
    assert row.last_used_on is None
    client.get(URL, headers=staff_a.headers)
    row.refresh_from_db()
    assert row.last_used_on == today


def test_token_command_creates_once_and_revokes_with_audit(small_ics, client):
    from tests.factories import UserFactory

    UserFactory(username="alice")
    out, err = StringIO(), StringIO()
    call_command("token", "create", "alice", "--name", "ward dashboard", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("cs_") and len(token) > 40
    row = ApiToken.objects.get()
    assert (row.name, row.user.username, row.key_hash) == (
        "ward dashboard",
        "alice",
        token_hash(token),
    )
    assert token not in err.getvalue()
    created = AuditEntry.objects.get(action=AuditAction.TOKEN_CREATED)
    assert created.object_id == str(row.pk) and token not in json.dumps(created.details)

    call_command("token", "revoke", str(row.pk), stdout=StringIO())
    row.refresh_from_db()
    assert row.revoked
    assert AuditEntry.objects.filter(
        action=AuditAction.TOKEN_REVOKED, object_id=str(row.pk)
    ).exists()
    assert client.get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_command_fails_with_status_1_for_unknown_user_or_token(db):
    with pytest.raises(CommandError) as raised:
        call_command("token", "create", "nobody", stdout=StringIO(), stderr=StringIO())
    assert raised.value.returncode == 1
    with pytest.raises(CommandError) as raised:
        call_command("token", "revoke", "999", stdout=StringIO())
    assert raised.value.returncode == 1
    assert not ApiToken.objects.exists()


# -- recording -------------------------------------------------------------------------------


def test_create_answers_201_with_the_same_record_the_exports_give(client, small_ics, staff_a):
    # The provider's plan decides the response: the answer must say so as the export does.
    PlanRule.objects.create(
        organisation=small_ics.trust_a, position=1, category="maternity", response="aar"
    )
    body = event(source_id="")
    body.update(patient_age_years=31, anonymous=True, patient_died=False, patient_imd_decile=3)
    response = post(client, body, staff_a.headers)
    assert response.status_code == 201, response.content
    data = response.json()
    stored = PatientSafetyEvent.objects.select_related("organisation", "service").get()
    (expected,) = records(PatientSafetyEvent.objects.select_related("organisation", "service"))
    assert data == json.loads(json.dumps(expected))
    assert data["reference"] == stored.reference
    assert response["Location"] == f"{URL}/{stored.reference}"
    assert (data["max_harm"], data["imd_quintile"], data["ethnic_group"]) == ("low", 2, "black")
    assert {"candour_notifiable", "candour_due", "psirf_response", "referrals"} <= set(data)
    assert data["psirf_response"] == "aar"
    entry = AuditEntry.objects.get(action=AuditAction.EVENT_CREATED)
    assert entry.actor == staff_a.user and entry.object_id == stored.reference


@pytest.mark.parametrize(
    "overrides",
    [
        {"physical_harm": "moderate"},  # notifiable at an NHS trust: candour clock
        {"physical_harm": "none", "psychological_harm": "moderate"},  # a person decides
        {"never_event_type": "wrong_site_surgery", "physical_harm": "severe"},
        {
            "patient_died": "true",
            "physical_harm": "fatal",
            "death_in_care_more_likely_than_not": "true",
            "detained_mha": "true",
            "learning_disability": "true",
        },
        {"patient_died": "true", "physical_harm": "fatal", "patient_age_years": "4"},
        {"category": "safeguarding", "service_code": "", "patient_age_years": ""},
        {"record_type": "risk", "physical_harm": "", "patient_lsoa": "E01000001"},
        {"category": "medication", "physical_harm": "severe"},  # the plan's harm rule
    ],
    ids=["moderate", "psych", "never", "death", "child", "no-service", "risk", "plan"],
)
def test_the_answer_is_the_export_record_for_every_rule(client, small_ics, staff_a, overrides):
    """The answer is built from what was written, with the scalar rules; the export reads
    the row back and runs the vectorised ones: they must agree field for field."""
    PlanRule.objects.create(
        organisation=small_ics.trust_a, position=1, min_harm="severe", response="swarm"
    )
    AreaFactory(lsoa_code="E01000001", imd_decile=9, place=small_ics.place_a)
    body = event(source_id="", **overrides)
    response = post(client, body, staff_a.headers)
    assert response.status_code == 201, response.content
    (expected,) = records(PatientSafetyEvent.objects.select_related("organisation", "service"))
    assert response.json() == json.loads(json.dumps(expected))


def test_invalid_fields_answer_422_with_every_error_and_store_nothing(client, staff_a):
    response = post(
        client, event(physical_harm="catastrophic", occurred_on="2026-02-30"), staff_a.headers
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"physical_harm", "occurred_on"}
    assert all(isinstance(m, str) for msgs in errors.values() for m in msgs)
    unknown = post(client, {**event(), "colour": "red"}, staff_a.headers)
    assert unknown.status_code == 422
    assert unknown.json() == {"errors": {"colour": ["Not a field of a patient-safety event"]}}
    nested = post(client, {**event(), "description": {"text": "x"}}, staff_a.headers)
    assert nested.status_code == 422 and "description" in nested.json()["errors"]
    assert PatientSafetyEvent.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.EVENT_CREATED).exists()


def test_a_service_area_that_does_not_fit_the_service_is_422(client, staff_a):
    response = post(client, event(source_id="", service_area="care_home"), staff_a.headers)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "service_area": ["Expected a service area that fits a service of type maternity: maternity"]
    }
    assert PatientSafetyEvent.objects.count() == 0


def test_the_same_source_id_twice_is_422(client, staff_a):
    assert post(client, event(), staff_a.headers).status_code == 201
    again = post(client, event(), staff_a.headers)
    assert again.status_code == 422 and "source_id" in again.json()["errors"]
    assert PatientSafetyEvent.objects.count() == 1


@pytest.mark.parametrize("body", ["{not json", "", "[1, 2]", '"text"'])
def test_malformed_json_is_400(client, staff_a, body):
    response = post(client, body, staff_a.headers)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]
    assert PatientSafetyEvent.objects.count() == 0


def test_recording_at_an_organisation_out_of_scope_is_404(client, staff_a):
    other = post(client, event(org_code="TB", service_code="TB-MAT"), staff_a.headers)
    unknown = post(client, event(org_code="NOPE", service_code=""), staff_a.headers)
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()  # an unknown and a hidden trust look the same
    assert PatientSafetyEvent.objects.count() == 0


def test_a_numeric_org_code_is_scoped_too(client, small_ics, staff_a):
    OrganisationFactory(code="12345", type="acute_trust", parent=small_ics.place_b)
    body = {**event(service_code=""), "org_code": 12345}
    assert post(client, body, staff_a.headers).status_code == 404
    assert PatientSafetyEvent.objects.count() == 0


def test_icb_may_record_anywhere_in_the_system(client, icb):
    response = post(client, event(org_code="TB", service_code="TB-MAT"), icb.headers)
    assert response.status_code == 201
    assert response.json()["org_code"] == "TB"


# -- reading ---------------------------------------------------------------------------------


def test_reading_one_event_is_scoped(client, small_ics, staff_a, icb):
    mine = EventFactory(organisation=small_ics.trust_a)
    theirs = EventFactory(organisation=small_ics.trust_b)
    response = client.get(f"{URL}/{mine.reference}", headers=staff_a.headers)
    assert response.status_code == 200
    (expected,) = records(PatientSafetyEvent.objects.filter(pk=mine.pk))
    assert response.json() == json.loads(json.dumps(expected))
    hidden = client.get(f"{URL}/{theirs.reference}", headers=staff_a.headers)
    unknown = client.get(f"{URL}/PSE-NOSUCHTHING", headers=staff_a.headers)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert client.get(f"{URL}/{theirs.reference}", headers=icb.headers).status_code == 200
    assert client.get(f"{URL}/{mine.pk}", headers=icb.headers).status_code == 404


def test_listing_is_scoped_by_org(client, small_ics, staff_a, icb):
    EventFactory(organisation=small_ics.trust_a)
    EventFactory(organisation=small_ics.trust_b)
    own = client.get(URL, {"org": "TA"}, headers=staff_a.headers).json()
    assert own["count"] == 1 and own["items"][0]["org_code"] == "TA"
    assert client.get(URL, {"org": "TB"}, headers=staff_a.headers).status_code == 404
    assert client.get(URL, {"org": "ICS1"}, headers=staff_a.headers).status_code == 404
    assert client.get(URL, {"org": "NOPE"}, headers=staff_a.headers).status_code == 404
    everything = client.get(URL, headers=staff_a.headers).json()
    assert [i["org_code"] for i in everything["items"]] == ["TA"]
    system = client.get(URL, {"org": "ICS1"}, headers=icb.headers).json()
    assert system["count"] == 2
    assert {i["org_code"] for i in system["items"]} == {"TA", "TB"}
    place = client.get(URL, {"org": "PB"}, headers=icb.headers).json()
    assert [i["org_code"] for i in place["items"]] == ["TB"]


def test_listing_a_service_gives_its_events(client, small_ics, staff_a):
    EventFactory(organisation=small_ics.trust_a, service=small_ics.maternity_a)
    EventFactory(organisation=small_ics.trust_a)
    page = client.get(URL, {"org": "TA-MAT"}, headers=staff_a.headers).json()
    assert page["count"] == 1 and page["items"][0]["service_code"] == "TA-MAT"


def test_pagination_orders_by_reported_on_then_reference(client, small_ics, icb):
    for day in (1, 2, 3, 2, 2):
        EventFactory(organisation=small_ics.trust_a, reported_on=dt.date(2026, 3, day))
    expected = [
        e.reference for e in PatientSafetyEvent.objects.order_by("-reported_on", "reference")
    ]
    first = client.get(URL, {"org": "TA", "limit": 2}, headers=icb.headers).json()
    rest = client.get(URL, {"org": "TA", "limit": 2, "offset": 2}, headers=icb.headers).json()
    last = client.get(URL, {"org": "TA", "limit": 2, "offset": 4}, headers=icb.headers).json()
    assert (first["count"], first["limit"], first["offset"]) == (5, 2, 0)
    got = [i["reference"] for page in (first, rest, last) for i in page["items"]]
    assert got == expected
    assert [i["reported_on"] for i in first["items"]] == ["2026-03-03", "2026-03-02"]
    default = client.get(URL, headers=icb.headers).json()
    assert default["limit"] == 100 and len(default["items"]) == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 1001}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "many"}, "limit"),
    ],
)
def test_bad_paging_is_422_in_the_errors_shape(client, icb, params, field):
    response = client.get(URL, params, headers=icb.headers)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
