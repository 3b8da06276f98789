"""The integrated care system: organisations in a tree, small areas, people and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.auth.password_validation import validate_password
from django.db import models

from caresignals.organisations.roles import Role


class OrganisationKind(models.TextChoices):
    ICS = "ics", "Integrated care system"
    PLACE = "place", "Place"
    PROVIDER = "provider", "Provider"
    SERVICE = "service", "Service"


class ProviderType(models.TextChoices):
    ACUTE_TRUST = "acute_trust", "Acute trust"
    MENTAL_HEALTH_TRUST = "mental_health_trust", "Mental health trust"
    COMMUNITY_TRUST = "community_trust", "Community trust"
    AMBULANCE_TRUST = "ambulance_trust", "Ambulance trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    CARE_HOME = "care_home", "Care home"
    LD_AUTISM_INPATIENT = "ld_autism_inpatient", "Learning disability and autism inpatient service"
    HOSPICE = "hospice", "Hospice"
    INDEPENDENT = "independent", "Independent provider"


class ServiceType(models.TextChoices):
    MATERNITY = "maternity", "Maternity"
    EMERGENCY_DEPARTMENT = "emergency_department", "Emergency department"
    ADULT_INPATIENT = "adult_inpatient", "Adult inpatient"
    MENTAL_HEALTH_INPATIENT = "mental_health_inpatient", "Mental health inpatient"
    LD_AUTISM_INPATIENT = "ld_autism_inpatient", "Learning disability and autism inpatient"
    COMMUNITY_NURSING = "community_nursing", "Community nursing"
    PRIMARY_CARE = "primary_care", "Primary care"
    CARE_HOME = "care_home", "Care home"
    AMBULANCE = "ambulance", "Ambulance"
    OTHER = "other", "Other"


# Which kind a parent must be, for each kind (docs/import-formats.md, organisations.csv).
PARENT_KIND = {
    OrganisationKind.ICS: None,
    OrganisationKind.PLACE: OrganisationKind.ICS,
    OrganisationKind.PROVIDER: OrganisationKind.PLACE,
    OrganisationKind.SERVICE: OrganisationKind.PROVIDER,
}

TYPES_FOR_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.ICS: frozenset({""}),
    OrganisationKind.PLACE: frozenset({""}),
    OrganisationKind.PROVIDER: frozenset(ProviderType.values),
    OrganisationKind.SERVICE: frozenset(ServiceType.values),
}


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: object, capability: object = None) -> OrganisationQuerySet:
        from caresignals.organisations.scoping import scope_for

        return self.filter(scope_for(user, capability).q("path"))


class Organisation(models.Model):
    """An ICS, a place, a provider or a service inside a provider.

    `path` holds the codes from the ICS down ("/ICS/PLACE/PROVIDER/"), so "everything
    under this organisation" is one indexed prefix match; services.py keeps it current.
    """

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=OrganisationKind.choices)
    type = models.CharField(max_length=30, blank=True, default="")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=200, db_index=True)
    # For a provider: the first reporting day from which its Duty of Candour steps are held
    # here. Events reported before it have a candour status "not known", never overdue
    # (ADR 11). Blank: every event's steps are held here.
    candour_tracked_from = models.DateField(null=True, blank=True)
    # For a provider: how the public reach its Patient Advice and Liaison Service (PALS), shown
    # to someone who has just reported a concern (hazard H72). Each may be blank.
    pals_phone = models.CharField(max_length=30, blank=True, default="")
    pals_email = models.EmailField(max_length=254, blank=True, default="")
    pals_web = models.URLField(max_length=200, blank=True, default="")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def type_label(self) -> str:
        choices = dict(ProviderType.choices) | dict(ServiceType.choices)
        return choices.get(self.type, "")

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label

    @property
    def has_pals_contact(self) -> bool:
        return bool(self.pals_phone or self.pals_email or self.pals_web)

    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.strip("/").split("/") if c][:-1]


class ImdEdition(models.TextChoices):
    IMD2019 = "imd2019", "English Indices of Deprivation 2019 (2011 LSOAs)"
    IOD2025 = "iod2025", "English Indices of Deprivation 2025 (2021 LSOAs)"


class Area(models.Model):
    """A small area (LSOA) with its deprivation decile and population, inside a place."""

    lsoa_code = models.CharField(max_length=12, unique=True)
    place = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="areas")
    imd_decile = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField()
    imd_edition = models.CharField(
        max_length=10, choices=ImdEdition.choices, default=ImdEdition.IMD2019
    )

    class Meta:
        ordering = ["lsoa_code"]

    def __str__(self) -> str:
        return self.lsoa_code

    @property
    def imd_quintile(self) -> int:
        return (self.imd_decile + 1) // 2


class UserManager(DjangoUserManager["User"]):
    """Django's manager, with the password policy (AUTH_PASSWORD_VALIDATORS) applied wherever
    a password is set through it: Django itself checks only its interactive commands."""

    def _create_user_object(
        self, username: str, email: str | None, password: str | None, **extra_fields: Any
    ) -> User:
        user: User = super()._create_user_object(  # type: ignore[misc]
            username, email, password, **extra_fields
        )
        if password is not None:
            validate_password(password, user=user)
        return user


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships."""

    # The person's subject (`sub`) at the organisation's identity provider: recorded the first
    # time they sign in there, after which only that subject signs in as them
    # (organisations/identity.py). Blank until then.
    identity_provider_subject = models.CharField(max_length=255, blank=True, default="")

    objects = UserManager()  # type: ignore[misc]

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["identity_provider_subject"],
                condition=~models.Q(identity_provider_subject=""),
                name="unique_identity_provider_subject",
            )
        ]

    def role_codes(self) -> set[str]:
        cached: set[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            cached = set(self.memberships.values_list("role", flat=True))
            self._role_codes = cached
        return cached

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A person's role in one organisation (and, through the tree, everything under it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation.code}"
