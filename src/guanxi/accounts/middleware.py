from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

# Paths reachable without logging in. The API authenticates each call itself (token or session) and answers 401.
PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/i18n/", "/favicon.ico", "/healthz")


class UserPreferencesMiddleware:
    """Activates the signed-in user's language and time zone (the language cookie, if set, wins for the session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone or settings.TIME_ZONE))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class LoginRequiredMiddleware:
    """Every page needs a signed-in user, except the few public paths above."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated) and not request.path.startswith(PUBLIC_PREFIXES):
            if getattr(request, "htmx", False):
                response = HttpResponse(status=401)
                response["HX-Redirect"] = settings.LOGIN_URL_PATH
                return response
            return redirect(f"{settings.LOGIN_URL_PATH}?next={request.get_full_path()}")
        return self.get_response(request)


# Paths an OTP-pending user may still reach: the OTP step itself, signing out, switching language, static files.
OTP_EXEMPT_PREFIXES = (
    "/accounts/otp/",
    "/accounts/logout/",
    "/accounts/login/",
    "/accounts/language/",
    "/static/",
    "/i18n/",
    "/favicon.ico",
    "/healthz",
)
OTP_CHECKED_SESSION_KEY = "guanxi_otp_not_needed"


class OtpRequiredMiddleware:
    """A signed-in user with a confirmed authenticator must pass the OTP step before any other page works.

    Goes after `django_otp.middleware.OTPMiddleware` (which sets `user.is_verified()`). Users without a device cost one
    query per session: the answer is remembered in the session (a device set up later verifies that session at once).
    API calls from an unverified session are treated as anonymous, so only a personal token gets through.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OTP_EXEMPT_PREFIXES):
            return self.get_response(request)
        if getattr(user, "is_verified", lambda: False)():
            return self.get_response(request)
        if request.session.get(OTP_CHECKED_SESSION_KEY) == user.pk:
            return self.get_response(request)
        from guanxi.accounts.selectors import totp_confirmed

        if not totp_confirmed(actor=user):
            request.session[OTP_CHECKED_SESSION_KEY] = user.pk
            return self.get_response(request)
        if request.path.startswith("/api/"):
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()
            return self.get_response(request)
        target = f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
