"""People and their roles: list, search, add, give and remove roles, deactivate and reactivate.

Every page needs MANAGE_PEOPLE (administrators); who appears is people.visible_people (the
organisations the reader administers), and a person outside it is not found (404). Which
roles may be given is the role ceiling (roles.py), checked again by the services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caresignals.audit.services import Actor
from caresignals.organisations import people
from caresignals.organisations.models import User
from caresignals.organisations.permissions import requires
from caresignals.organisations.roles import Capability, Role, refusal_to_give

PAGE_SIZE = 50


def _organisation_choices(user: Any) -> list[tuple[str, str]]:
    return [("", "Choose an organisation")] + [
        (o.code, f"{'  ' * (o.path.count('/') - 2)}{o.name} ({o.code})")
        for o in people.administered_organisations(user)
    ]


def _role_choices() -> list[tuple[str, str]]:
    return [("", "Choose a role"), *Role.choices]


class RoleForm(forms.Form):
    organisation = forms.ChoiceField(error_messages={"required": "Choose an organisation"})
    role = forms.ChoiceField(error_messages={"required": "Choose a role"})

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        organisation, role = self.fields["organisation"], self.fields["role"]
        assert isinstance(organisation, forms.ChoiceField)
        assert isinstance(role, forms.ChoiceField)
        organisation.choices = _organisation_choices(user)
        role.choices = _role_choices()
        for name in ("organisation", "role"):
            self.fields[name].error_messages["invalid_choice"] = self.fields[name].error_messages[
                "required"
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, role = data.get("organisation"), data.get("role")
        if code and role:
            # One of the choices, so in the organisations the user administers.
            organisation = people.administered_organisations(self.user).get(code=code)
            refusal = refusal_to_give(people.held_by(self.user), role, organisation.path)
            if refusal:
                self.add_error("role", refusal)
            data["organisation_object"] = organisation
        return data


class PersonForm(RoleForm):
    given_name = forms.CharField(
        max_length=150, error_messages={"required": "Enter their given name"}
    )
    family_name = forms.CharField(
        max_length=150, error_messages={"required": "Enter their family name"}
    )
    email = forms.EmailField(
        required=False,
        max_length=254,
        error_messages={"invalid": people.EMAIL_MESSAGE},
    )
    username = forms.CharField(max_length=150, error_messages={"required": "Enter a username"})

    field_order = ["given_name", "family_name", "email", "username", "organisation", "role"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.has_error("username") and data.get("username"):
            new = people.NewPerson(
                data["username"],
                data.get("given_name", ""),
                data.get("family_name", ""),
                data.get("email", ""),
            )
            refusal = people.check_new_person(new).get("username")
            if refusal:
                self.add_error("username", refusal)
        return data


def _errors(form: forms.Form) -> dict[str, list[str]]:
    """Errors in the form's field order, as the error summary lists them."""
    ordered = {
        name: [str(e) for e in form.errors[name]] for name in form.fields if name in form.errors
    }
    for name, errs in form.errors.items():
        ordered.setdefault(name, [str(e) for e in errs])
    return ordered


@require_GET
@requires(Capability.MANAGE_PEOPLE)
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    found = people.search_people(request.user, query).prefetch_related("memberships__organisation")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    scope_paths = people.administered_organisations(request.user).values_list("path", flat=True)
    visible = set(scope_paths)
    rows = [
        {
            "person": p,
            "roles": [
                m
                for m in sorted(p.memberships.all(), key=lambda m: (m.organisation.path, m.role))
                if m.organisation.path in visible
            ],
        }
        for p in page.object_list
    ]

    def link(n: int) -> str:
        params = request.GET.copy()
        params["page"] = str(n)
        return "?" + params.urlencode()

    return render(
        request,
        "people/index.jinja",
        {
            "page_title": "People",
            "rows": rows,
            "page": page,
            "query": query,
            "links": {
                "previous": link(page.previous_page_number()) if page.has_previous() else None,
                "next": link(page.next_page_number()) if page.has_next() else None,
            },
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Capability.MANAGE_PEOPLE)
def add(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = people.add_person(
                Actor(user=request.user),
                people.NewPerson(
                    data["username"], data["given_name"], data["family_name"], data["email"]
                ),
                [(data["organisation_object"], data["role"])],
            )
        except people.PeopleRefused as refused:
            for name, message in refused.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            invitation = people.invite(
                Actor(user=request.user), person, base_url=request.build_absolute_uri("/")[:-1]
            )
            return _invitation_page(request, person, invitation, added=True)
    return render(
        request,
        "people/add.jinja",
        {
            "page_title": "Add a person",
            "form": form,
            "values": form.data,
            "errors": _errors(form) if form.is_bound else {},
        },
    )


def _invitation_page(
    request: HttpRequest, person: User, invitation: people.Invitation, *, added: bool
) -> HttpResponse:
    return render(
        request,
        "people/invitation.jinja",
        {
            "page_title": f"{person.display_name} has been added" if added else "Set-password link",
            "person": person,
            "link": request.build_absolute_uri(invitation.path),
            "emailed": invitation.emailed,
            "added": added,
            "days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
        },
    )


def _person_page(
    request: HttpRequest,
    person: User,
    *,
    form: RoleForm | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "people/person.jinja",
        {
            "page_title": person.display_name,
            "person": person,
            "roles": people.roles_in_scope(user, person),
            "elsewhere": people.roles_elsewhere(user, person),
            "may_administer": people.may_administer(user, person),
            "is_self": person.pk == user.pk,
            "form": form or RoleForm(user),
            "values": form.data if form is not None else {},
            "errors": errors or {},
            "breadcrumbs": [{"text": "People", "href": reverse_lazy("people:index")}],
        },
        status=status,
    )


@require_GET
@requires(Capability.MANAGE_PEOPLE)
def person(request: HttpRequest, username: str) -> HttpResponse:
    return _person_page(request, people.person_for(request.user, username))


@require_POST
@requires(Capability.MANAGE_PEOPLE)
def give_role(request: HttpRequest, username: str) -> HttpResponse:
    found = people.person_for(request.user, username)
    form = RoleForm(request.user, request.POST)
    if form.is_valid():
        organisation, role = form.cleaned_data["organisation_object"], form.cleaned_data["role"]
        try:
            given = people.give_role(Actor(user=request.user), found, organisation, role)
        except people.PeopleRefused as refused:
            for name, message in refused.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            label = Role(role).label
            messages.info(
                request,
                f"{found.display_name} is now {label} at {organisation.name}."
                if given
                else f"{found.display_name} already was {label} at {organisation.name}.",
            )
            return redirect("people:person", username=found.username)
    return _person_page(request, found, form=form, errors=_errors(form), status=400)


@require_POST
@requires(Capability.MANAGE_PEOPLE)
def remove_role(request: HttpRequest, username: str, pk: int) -> HttpResponse:
    found = people.person_for(request.user, username)
    membership = next((m for m in people.roles_in_scope(request.user, found) if m.pk == pk), None)
    if membership is None:
        raise Http404("Not found")
    try:
        people.remove_role(Actor(user=request.user), membership)
    except people.PeopleRefused as refused:
        return _person_page(
            request, found, errors={"roles": list(refused.errors.values())}, status=400
        )
    messages.info(
        request,
        f"{found.display_name} is no longer {membership.get_role_display()} "
        f"at {membership.organisation.name}.",
    )
    return redirect("people:person", username=found.username)


@require_http_methods(["GET", "POST"])
@requires(Capability.MANAGE_PEOPLE)
def deactivate(request: HttpRequest, username: str) -> HttpResponse:
    found = people.person_for(request.user, username)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()[:200]
        try:
            result = people.deactivate(Actor(user=request.user), found, reason=reason)
        except people.PeopleRefused as refused:
            errors = {"reason": list(refused.errors.values())}
        else:
            tokens = result.details.get("tokens_revoked", 0)
            messages.info(
                request,
                f"{found.display_name} has been deactivated: they cannot sign in, "
                f"{result.sessions_ended} session(s) ended and {tokens} API token(s) revoked.",
            )
            return redirect("people:person", username=found.username)
    return render(
        request,
        "people/deactivate.jinja",
        {
            "page_title": f"Deactivate {found.display_name}",
            "person": found,
            "may_administer": people.may_administer(request.user, found),
            "errors": errors,
            "values": request.POST,
        },
        status=400 if errors else 200,
    )


@require_POST
@requires(Capability.MANAGE_PEOPLE)
def reactivate(request: HttpRequest, username: str) -> HttpResponse:
    found = people.person_for(request.user, username)
    try:
        people.reactivate(Actor(user=request.user), found)
    except people.PeopleRefused as refused:
        return _person_page(
            request, found, errors={"person": list(refused.errors.values())}, status=400
        )
    messages.info(request, f"{found.display_name} can sign in again.")
    return redirect("people:person", username=found.username)


@require_POST
@requires(Capability.MANAGE_PEOPLE)
def invite(request: HttpRequest, username: str) -> HttpResponse:
    found = people.person_for(request.user, username)
    try:
        invitation = people.invite(
            Actor(user=request.user), found, base_url=request.build_absolute_uri("/")[:-1]
        )
    except people.PeopleRefused as refused:
        return _person_page(
            request, found, errors={"person": list(refused.errors.values())}, status=400
        )
    return _invitation_page(request, found, invitation, added=False)


@method_decorator(login_not_required, name="dispatch")
class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The invitation's link: Django's password-reset confirmation, one use only."""

    template_name = "people/set_password.jinja"
    success_url = reverse_lazy("people:set_password_done")
    post_reset_login = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["page_title"] = "Set your password"
        context["errors"] = _errors(form) if form is not None and form.is_bound else {}
        return context


@login_not_required
@require_GET
def set_password_done(request: HttpRequest) -> HttpResponse:
    return render(request, "people/set_password_done.jinja", {"page_title": "Password set"})
