"""Factories for the synthetic records tests need. Every name here is invented."""

from __future__ import annotations

import datetime
from typing import Any

import factory

from caresignals.organisations.models import Area, Membership, Organisation, User
from caresignals.safety.models import PatientSafetyEvent


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Synthetic organisation {o.code}")
    kind = "provider"
    type = ""
    parent = None
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else '/'}{o.code}/")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    lsoa_code = factory.Sequence(lambda n: f"E0198{n:04d}")
    imd_decile = 5
    population = 1500


def _hash() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password("a-long-test-password")


_PASSWORD_HASH: list[str] = []


def _password_hash() -> str:
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(_hash())
    return _PASSWORD_HASH[0]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    # Hashed once up front: hashing per user would dominate test time.
    password = factory.LazyFunction(lambda: _password_hash())


def member(organisation: Organisation, role: str, **kwargs: Any) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientSafetyEvent

    source_id = factory.Sequence(lambda n: f"SRC{n}")
    record_type = "incident"
    occurred_on = datetime.date(2026, 3, 1)
    reported_on = datetime.date(2026, 3, 2)
    service_area = "acute"
    category = "falls"
    physical_harm = "low"
    max_harm = factory.LazyAttribute(lambda e: e.physical_harm)
    reporter_type = "staff"
    description = "Synthetic event."
