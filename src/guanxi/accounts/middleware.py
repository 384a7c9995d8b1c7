from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation

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
