"""Sign-in, sign-out, the second sign-in step (OTP), language switching, the user's own profile (preferences,
two-factor authentication, personal API tokens) and the organisation admin screens (users, departments, teams, roles).

Thin: requests become selector and service calls; every rule lives in services.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, cast

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate, check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts import selectors, services
from guanxi.accounts.forms import (
    ApiTokenForm,
    DepartmentForm,
    LoginForm,
    OtpTokenForm,
    PreferencesForm,
    RoleForm,
    TeamForm,
    UserFilterForm,
    UserForm,
    apply_errors,
)
from guanxi.accounts.models import User
from guanxi.core.htmx import render_page

PAGE_SIZES = (25, 50, 100)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

manage_required: Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]] = permission_required(
    "accounts.manage", raise_exception=True
)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("size", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return fallback
    return target


def _set_language_cookie(request: HttpRequest, response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )


# --- sign-in ----------------------------------------------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step for users with an authenticator app; `OtpRequiredMiddleware` sends them here."""
    user = _actor(request)
    next_url = _safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
    verified = getattr(user, "is_verified", lambda: False)()
    if verified or not selectors.totp_confirmed(actor=user):
        return redirect(next_url)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(actor=user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            django_otp.login(request, device)
            return redirect(next_url)
    status = 422 if form.errors else 200
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url}, status=status)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user keeps the choice for later sessions too."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request))
    if not check_for_language(language) or language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user = _actor(request)
        services.user_set_preferences(actor=user, language=language, timezone_name=user.timezone)
    _set_language_cookie(request, response, language)
    return response


# --- profile: preferences, two-factor, API tokens ---------------------------------------------------------------------
def _qr_svg(text: str) -> str:
    """An inline SVG QR code (our own markup, made by `qrcode` from a URL we built)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg: Any = image.to_string(encoding="unicode")
    return str(svg)


def _can_use_api(user: User) -> bool:
    return user.is_superuser or user.has_perm("api.use")


def _profile_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = _actor(request)
    context: dict[str, Any] = {
        "form": PreferencesForm(initial={"language": user.language, "timezone": user.timezone}),
        "otp_enabled": selectors.totp_confirmed(actor=user),
        "otp_form": OtpTokenForm(),
        "can_use_api": _can_use_api(user),
    }
    if not context["otp_enabled"]:
        pending = selectors.totp_pending(actor=user)
        if pending is not None:
            context["otp_pending"] = True
            context["otp_qr"] = _qr_svg(pending.config_url)
            context["otp_secret"] = base64.b32encode(pending.bin_key).decode()
    if context["can_use_api"]:
        context["token_form"] = ApiTokenForm()
        context["tokens"] = list(selectors.api_tokens_of(actor=user))
    context.update(extra)
    return context


def profile(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    form = PreferencesForm(request.POST or None, initial={"language": user.language, "timezone": user.timezone})
    if request.method == "POST" and form.is_valid():
        services.user_set_preferences(
            actor=user, language=form.cleaned_data["language"], timezone_name=form.cleaned_data["timezone"]
        )
        activate(form.cleaned_data["language"])
        messages.success(request, _("Your preferences are saved."))
        response = HttpResponseRedirect(request.path)
        _set_language_cookie(request, response, form.cleaned_data["language"])
        return response
    status = 422 if form.errors else 200
    return render(request, "accounts/profile.html", _profile_context(request, form=form), status=status)


def _otp_card(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    return render_page(
        request,
        "accounts/profile.html",
        _profile_context(request, **extra),
        fragment="accounts/_otp.html",
        status=status,
    )


@require_POST
def otp_setup(request: HttpRequest) -> HttpResponse:
    try:
        services.totp_start(actor=_actor(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if not _is_htmx(request):
        return redirect("accounts:profile")
    return _otp_card(request)


@require_POST
def otp_confirm(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    form = OtpTokenForm(request.POST)
    if form.is_valid():
        try:
            device = services.totp_confirm(actor=user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            django_otp.login(request, device)  # this session has just proved it holds the app
            messages.success(request, _("Two-factor authentication is on. Sign-in will ask for a code from now on."))
            return _redirect(request, reverse("accounts:profile"))
    return _otp_card(request, status=422, otp_form=form)


@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    form = OtpTokenForm(request.POST)
    if form.is_valid():
        try:
            services.totp_disable(actor=_actor(request), token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return _redirect(request, reverse("accounts:profile"))
    return _otp_card(request, status=422, otp_form=form)


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    if not _can_use_api(user):
        raise PermissionDenied
    form = ApiTokenForm(request.POST)
    context: dict[str, Any] = {"token_form": form}
    status = 200
    if form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=user,
                name=form.cleaned_data["name"],
                scopes=list(form.cleaned_data["scopes"]),
                expires_at=form.expiry(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            context = {"new_token": token, "new_token_raw": raw}
    if form.errors:
        status = 422
    return render_page(
        request,
        "accounts/profile.html",
        _profile_context(request, **context),
        fragment="accounts/_tokens.html",
        status=status,
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    token = selectors.api_token_get(actor=user, pk=pk)
    services.api_token_revoke(actor=user, token=token)
    if _is_htmx(request):
        return render(request, "accounts/_tokens.html", _profile_context(request))
    messages.success(request, format_html(_("Token “{}” revoked."), token.name))
    return redirect("accounts:profile")


# --- admin: users -----------------------------------------------------------------------------------------------------
@manage_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    departments = selectors.department_choices(actor=actor)
    roles = list(selectors.role_list(actor=actor))
    form = UserFilterForm(request.GET, departments=departments, roles=roles)
    filters = form.to_filter()
    page = Paginator(selectors.user_list(actor=actor, filters=filters), _page_size(request)).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "filters": filters,
        "page_obj": page,
        "users": page.object_list,
        "page_sizes": PAGE_SIZES,
        "filtered": bool(filters.q or filters.department or filters.role or filters.active),
    }
    return render_page(request, "accounts/user_list.html", context, fragment="accounts/_user_table.html")


def _form_page(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return render_page(request, "accounts/form_page.html", context, fragment=context["form_template"], status=status)


def _user_form_page(request: HttpRequest, form: UserForm, user: User | None) -> HttpResponse:
    context = {
        "form": form,
        "object": user,
        "form_template": "accounts/_form.html",
        "form_id": "user-form",
        "action": reverse("accounts:user_edit", args=[user.pk]) if user else reverse("accounts:user_create"),
        "cancel_url": reverse("accounts:user_list"),
        "title": format_html(_("Edit {}"), user) if user else _("New user"),
    }
    return _form_page(request, context, status=422 if form.errors else 200)


@manage_required
def user_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = UserForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_save(actor=actor, data=form.to_input())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("User “{}” created."), user))
            return _redirect(request, reverse("accounts:user_list"))
    return _user_form_page(request, form, None)


@manage_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    user = selectors.user_get(actor=actor, pk=pk)
    form = UserForm(request.POST or None, actor=actor, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_save(actor=actor, data=form.to_input(), user=user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("User “{}” saved."), user))
            return _redirect(request, reverse("accounts:user_list"))
    return _user_form_page(request, form, user)


@require_POST
@manage_required
def user_toggle_active(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    user = selectors.user_get(actor=actor, pk=pk)
    try:
        user = services.user_set_active(actor=actor, user=user, is_active=not user.is_active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if user.is_active:
            messages.success(request, format_html(_("User “{}” reactivated."), user))
        else:
            messages.success(request, format_html(_("User “{}” deactivated: they can no longer sign in."), user))
    return _redirect(request, _safe_next(request, reverse("accounts:user_list")))


# --- admin: departments -----------------------------------------------------------------------------------------------
@manage_required
def department_list(request: HttpRequest) -> HttpResponse:
    departments = selectors.department_tree(actor=_actor(request))
    return render_page(request, "accounts/department_list.html", {"departments": departments})


def _department_form_page(request: HttpRequest, form: DepartmentForm, department: Any) -> HttpResponse:
    context = {
        "form": form,
        "object": department,
        "form_template": "accounts/_form.html",
        "form_id": "department-form",
        "action": reverse("accounts:department_edit", args=[department.pk])
        if department
        else reverse("accounts:department_create"),
        "cancel_url": reverse("accounts:department_list"),
        "title": format_html(_("Edit {}"), department) if department else _("New department"),
    }
    return _form_page(request, context, status=422 if form.errors else 200)


@manage_required
def department_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent", "").isdigit() else None
    form = DepartmentForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_create(
                actor=actor, name=form.cleaned_data["name"], parent=form.parent_department()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("Department “{}” created."), department))
            return _redirect(request, reverse("accounts:department_list"))
    return _department_form_page(request, form, None)


@manage_required
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    department = selectors.department_get(actor=actor, pk=pk)
    form = DepartmentForm(request.POST or None, actor=actor, department=department)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_update(
                actor=actor, department=department, name=form.cleaned_data["name"], parent=form.parent_department()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("Department “{}” saved."), department))
            return _redirect(request, reverse("accounts:department_list"))
    return _department_form_page(request, form, department)


@require_POST
@manage_required
def department_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    department = selectors.department_get(actor=actor, pk=pk)
    try:
        services.department_delete(actor=actor, department=department)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _redirect(request, reverse("accounts:department_edit", args=[department.pk]))
    messages.success(request, format_html(_("Department “{}” deleted."), department.name))
    return _redirect(request, reverse("accounts:department_list"))


# --- admin: teams -----------------------------------------------------------------------------------------------------
@manage_required
def team_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.team_list(actor=_actor(request), q=q), _page_size(request)).get_page(
        request.GET.get("page")
    )
    context = {"q": q, "page_obj": page, "teams": page.object_list}
    return render_page(request, "accounts/team_list.html", context, fragment="accounts/_team_table.html")


def _team_form_page(request: HttpRequest, form: TeamForm, team: Any) -> HttpResponse:
    context = {
        "form": form,
        "object": team,
        "form_template": "accounts/_form.html",
        "form_id": "team-form",
        "action": reverse("accounts:team_edit", args=[team.pk]) if team else reverse("accounts:team_create"),
        "cancel_url": reverse("accounts:team_list"),
        "title": format_html(_("Edit {}"), team) if team else _("New team"),
    }
    return _form_page(request, context, status=422 if form.errors else 200)


@manage_required
def team_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = TeamForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_save(actor=actor, data=form.to_input())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("Team “{}” created."), team))
            return _redirect(request, reverse("accounts:team_list"))
    return _team_form_page(request, form, None)


@manage_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    team = selectors.team_get(actor=actor, pk=pk)
    form = TeamForm(request.POST or None, actor=actor, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_save(actor=actor, data=form.to_input(), team=team)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("Team “{}” saved."), team))
            return _redirect(request, reverse("accounts:team_list"))
    return _team_form_page(request, form, team)


# --- admin: roles -----------------------------------------------------------------------------------------------------
@manage_required
def role_list(request: HttpRequest) -> HttpResponse:
    roles = list(selectors.role_list(actor=_actor(request)))
    return render_page(request, "accounts/role_list.html", {"roles": roles})


def _role_form_page(request: HttpRequest, form: RoleForm, role: Any) -> HttpResponse:
    context = {
        "form": form,
        "object": role,
        "form_template": "accounts/_role_form.html",
        "form_id": "role-form",
        "action": reverse("accounts:role_edit", args=[role.pk]) if role else reverse("accounts:role_create"),
        "cancel_url": reverse("accounts:role_list"),
        "title": format_html(_("Edit {}"), role) if role else _("New role"),
    }
    return _form_page(request, context, status=422 if form.errors else 200)


@manage_required
def role_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_save(actor=actor, data=form.to_input())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("Role “{}” created."), role))
            return _redirect(request, reverse("accounts:role_list"))
    return _role_form_page(request, form, None)


@manage_required
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    role = selectors.role_get(actor=actor, pk=pk)
    form = RoleForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_save(actor=actor, data=form.to_input(), role=role)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("Role “{}” saved."), role))
            return _redirect(request, reverse("accounts:role_list"))
    return _role_form_page(request, form, role)


def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; opening the page marks them read."""
    page = Paginator(selectors.notifications_of(actor=request.user), 30).get_page(request.GET.get("page"))
    response = render(request, "accounts/notifications.html", {"page_obj": page, "notifications": page.object_list})
    services.notifications_mark_read(actor=request.user, ids=[n.pk for n in page.object_list])  # type: ignore[arg-type]
    return response
