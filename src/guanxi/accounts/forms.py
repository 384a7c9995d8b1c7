"""Input shapes for the sign-in, profile and organisation pages; the rules live in services, not here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts import selectors
from guanxi.accounts.models import TIMEZONE_CHOICES, ApiToken, DataScope, Department, Role, Team, User
from guanxi.accounts.permissions import DOMAINS, PERMISSIONS
from guanxi.accounts.services import RoleInput, TeamInput, UserInput


class StyledFormMixin:
    def style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: beside its field when the form has one, else above the form."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is not correct. Both are case-sensitive."),
        "inactive": _("This account is deactivated. Ask an administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.style()


class PreferencesForm(StyledFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


# --- two-factor and API tokens ----------------------------------------------------------------------------------------
class OtpTokenForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False, help_text=_("E.g. “ERP sync”."))
    scopes = forms.MultipleChoiceField(
        label=_("Access"), choices=ApiToken.Scope.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.DateField(
        label=_("Expires"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. The token stops working at the end of this day."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "token")
        super().__init__(*args, **kwargs)
        self.style()

    def expiry(self) -> dt.datetime | None:
        """The end of the chosen day in the user's time zone."""
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)) - dt.timedelta(
            microseconds=1
        )


# --- users ------------------------------------------------------------------------------------------------------------
class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    role = forms.TypedChoiceField(label=_("Role"), required=False, coerce=int, empty_value=None)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("yes", _("Active")), ("no", _("Deactivated"))],
    )

    def __init__(self, *args: Any, departments: list[tuple[int, str]], roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments")), *departments]  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", _("All roles")), *((r.pk, r.name) for r in roles)]  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def to_filter(self) -> selectors.UserFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.UserFilter(
            q=data.get("q") or "",
            department=data.get("department"),
            role=data.get("role"),
            active=data.get("active") or "",
        )


class UserForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, required=False)
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"), queryset=Role.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES, initial="Asia/Shanghai")
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("A deactivated user cannot sign in.")
    )
    is_superuser = forms.BooleanField(
        label=_("Superuser"), required=False, help_text=_("May do everything and see all records.")
    )
    password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password. At least 8 characters, not only digits, not common."),
    )

    def __init__(self, *args: Any, actor: Any, user: User | None = None, **kwargs: Any) -> None:
        if user is not None:
            kwargs.setdefault(
                "initial",
                {
                    "username": user.username,
                    "display_name": user.display_name,
                    "email": user.email,
                    "phone": user.phone,
                    "department": user.department_id,
                    "roles": [r.pk for r in user.roles.all()],
                    "language": user.language,
                    "timezone": user.timezone,
                    "is_active": user.is_active,
                    "is_superuser": user.is_superuser,
                },
            )
        else:
            kwargs.setdefault("initial", {"language": settings.LANGUAGE_CODE, "is_active": True})
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _("No department")),
            *selectors.department_choices(actor=actor),
        ]
        if user is None:
            self.fields["password"].label = _("Password")
            self.fields["password"].help_text = _(
                "Optional: without one the user cannot sign in until a password is set. "
                "At least 8 characters, not only digits, not common."
            )
        if not getattr(actor, "is_superuser", False):
            self.fields["is_superuser"].disabled = True
            self.fields["is_superuser"].help_text = _("Only a superuser can change this.")
        self.style()

    def to_input(self) -> UserInput:
        data = self.cleaned_data
        department = Department.objects.filter(pk=data["department"]).first() if data["department"] else None
        return UserInput(
            username=data["username"],
            display_name=data["display_name"],
            email=data["email"],
            phone=data["phone"],
            department=department,
            roles=list(data["roles"]),
            language=data["language"],
            timezone=data["timezone"],
            is_active=data["is_active"],
            is_superuser=data["is_superuser"],
            password=data["password"] or None,
        )


# --- departments ------------------------------------------------------------------------------------------------------
class DepartmentForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    parent = forms.TypedChoiceField(label=_("Parent department"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, actor: Any, department: Department | None = None, **kwargs: Any) -> None:
        if department is not None:
            kwargs.setdefault("initial", {"name": department.name, "parent": department.parent_id})
        super().__init__(*args, **kwargs)
        # A department's own subtree is not offered as its new parent (the service refuses it too).
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", _("None (top level)")),
            *selectors.department_choices(actor=actor, exclude=department),
        ]
        self.style()

    def parent_department(self) -> Department | None:
        pk = self.cleaned_data.get("parent")
        return Department.objects.filter(pk=pk).first() if pk else None


# --- teams ------------------------------------------------------------------------------------------------------------
class TeamForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=User.objects.none(), required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("The leader is always a member. Hold Ctrl (⌘ on a Mac) to choose several."),
    )

    def __init__(self, *args: Any, actor: Any, team: Team | None = None, **kwargs: Any) -> None:
        if team is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": team.name,
                    "department": team.department_id,
                    "leader": team.leader_id,
                    "members": [m.pk for m in team.members.all()],
                },
            )
        super().__init__(*args, **kwargs)
        people = selectors.active_users(actor=actor)
        if team is not None:
            # Keep current members selectable even if they were deactivated since.
            people = (people | team.members.all()).distinct().order_by("username")
        self.fields["leader"].queryset = people  # type: ignore[attr-defined]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _("No department")),
            *selectors.department_choices(actor=actor),
        ]
        self.style()

    def to_input(self) -> TeamInput:
        data = self.cleaned_data
        department = Department.objects.filter(pk=data["department"]).first() if data["department"] else None
        return TeamInput(name=data["name"], department=department, leader=data["leader"], members=list(data["members"]))


# --- roles ------------------------------------------------------------------------------------------------------------
def _app_label(code: str) -> str:
    app = code.split(".", 1)[0]
    try:
        return str(apps.get_app_config(app).verbose_name)
    except LookupError:
        return {"api": str(_("API"))}.get(app, app)


class RoleForm(StyledFormMixin, forms.Form):
    """Name, description, permission checkboxes grouped by app, and one data-scope select per domain."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    permissions = forms.MultipleChoiceField(label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple)

    SCOPE_PREFIX = "scope_"

    def __init__(self, *args: Any, role: Role | None = None, **kwargs: Any) -> None:
        if role is not None:
            initial: dict[str, Any] = {
                "name": role.name,
                "description": role.description,
                "permissions": list(role.permissions),
            }
            initial.update({f"{self.SCOPE_PREFIX}{d}": role.scope_for(d) for d in DOMAINS})
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = list(PERMISSIONS.items())  # type: ignore[attr-defined]
        for domain, label in DOMAINS.items():
            self.fields[f"{self.SCOPE_PREFIX}{domain}"] = forms.ChoiceField(
                label=str(label), choices=DataScope.choices, initial=DataScope.OWN
            )
        self.style()

    def permission_groups(self) -> list[dict[str, Any]]:
        """[{"label": app name, "items": [{"code", "label", "checked", "id"}]}] for the checkbox grid."""
        if self.is_bound:
            chosen = set(self.data.getlist("permissions")) if hasattr(self.data, "getlist") else set()
        else:
            chosen = set(self.initial.get("permissions", []))
        groups: dict[str, dict[str, Any]] = {}
        for code, label in sorted(PERMISSIONS.items()):
            app = code.split(".", 1)[0]
            group = groups.setdefault(app, {"label": _app_label(code), "items": []})
            group["items"].append(
                {"code": code, "label": label, "checked": code in chosen, "id": "perm-" + code.replace(".", "-")}
            )
        return list(groups.values())

    def scope_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(self.SCOPE_PREFIX)]

    def to_input(self) -> RoleInput:
        data = self.cleaned_data
        scopes = {
            name.removeprefix(self.SCOPE_PREFIX): data[name]
            for name in self.fields
            if name.startswith(self.SCOPE_PREFIX)
        }
        return RoleInput(
            name=data["name"],
            description=data["description"],
            permissions=list(data["permissions"]),
            data_scopes=scopes,
        )
