"""The permission layer: capabilities held per organisation (ADR 3)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views import View

from caresignals.audit.services import Actor, require_actor
from caresignals.organisations.models import Membership
from caresignals.organisations.permissions import (
    RequiresCapability,
    require_for,
    requires,
)
from caresignals.organisations.roles import Capability, Role
from caresignals.organisations.scoping import belongs_to, may, scope_for
from tests.factories import member


@pytest.fixture
def board_a_staff_b(small_ics):
    user = member(small_ics.trust_a, Role.BOARD_MEMBER, username="board-a-staff-b")
    Membership.objects.create(user=user, organisation=small_ics.trust_b, role=Role.STAFF)
    return user


def test_a_capability_is_scoped_to_where_the_role_is_held(small_ics, board_a_staff_b):
    user = board_a_staff_b
    assert scope_for(user).paths == ("/ICS1/PA/TA/", "/ICS1/PB/TB/")
    governance = scope_for(user, Capability.VIEW_QUALITY_GOVERNANCE)
    assert governance.paths == ("/ICS1/PA/TA/",)
    assert may(user, Capability.VIEW_QUALITY_GOVERNANCE, small_ics.maternity_a.path)
    assert not may(user, Capability.VIEW_QUALITY_GOVERNANCE, small_ics.trust_b.path)
    assert scope_for(user, Capability.VIEW_AUDIT).is_empty
    both = (Capability.VIEW_AUDIT, Capability.VIEW_WATCHLIST)
    assert scope_for(user, both).paths == ("/ICS1/PA/TA/",)
    assert belongs_to(user, small_ics.trust_b.path)
    assert not belongs_to(user, small_ics.trust_b.path, Capability.VIEW_SAFETY_SYSTEM)


def _view(request):
    return HttpResponse("opened")


class _ClassView(RequiresCapability, View):
    required_capabilities = (Capability.VIEW_AUDIT,)

    def get(self, request):
        return HttpResponse("opened")


def test_a_view_declares_what_it_needs(small_ics, board_a_staff_b):
    request = RequestFactory().get("/")
    request.user = board_a_staff_b
    assert requires(Capability.VIEW_SQG_PACK)(_view)(request).status_code == 200
    with pytest.raises(PermissionDenied):
        requires(Capability.VIEW_AUDIT)(_view)(request)
    with pytest.raises(Http404):
        requires(Capability.VIEW_AUDIT, hidden=True)(_view)(request)
    with pytest.raises(PermissionDenied):
        _ClassView.as_view()(request)
    admin = member(small_ics.trust_a, Role.ADMINISTRATOR, username="admin-a")
    request.user = admin
    assert _ClassView.as_view()(request).status_code == 200


def test_services_refuse_nobody_and_other_organisations(small_ics, board_a_staff_b):
    require_actor(Actor(label="caresignals import"))
    require_actor(Actor(user=board_a_staff_b))
    with pytest.raises(PermissionDenied):
        require_actor(Actor())
    with pytest.raises(PermissionDenied):
        require_actor(Actor(label="   "))
    require_for(board_a_staff_b, Capability.VIEW_SQG_PACK, small_ics.trust_a.path)
    with pytest.raises(PermissionDenied):
        require_for(board_a_staff_b, Capability.VIEW_SQG_PACK, small_ics.trust_b.path)
