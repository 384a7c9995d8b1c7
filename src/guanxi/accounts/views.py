"""Sign-in, sign-out, language switching and the user's own profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate, check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts import services
from guanxi.accounts.forms import LoginForm, PreferencesForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return fallback
    return target


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user keeps the choice for later sessions too."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request))
    if not check_for_language(language) or language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        services.user_set_preferences(
            actor=request.user, language=language, timezone_name=request.user.timezone  # type: ignore[arg-type]
        )
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax",
        secure=request.is_secure(), httponly=True,
    )
    return response


def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(request.POST or None, initial={"language": user.language, "timezone": user.timezone})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        services.user_set_preferences(
            actor=user, language=form.cleaned_data["language"], timezone_name=form.cleaned_data["timezone"]  # type: ignore[arg-type]
        )
        activate(form.cleaned_data["language"])
        messages.success(request, _("Your preferences are saved."))
        response = HttpResponseRedirect(request.path)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"], max_age=365 * 24 * 3600,
                            samesite="Lax", secure=request.is_secure(), httponly=True)
        return response
    return render(request, "accounts/profile.html", {"form": form})
