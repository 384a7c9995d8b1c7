"""The REST API at /api/v1/: django-ninja, token or session authentication, one error shape for every failure.

Authentication
- ``Authorization: Bearer gx_…`` with a personal API token (only its SHA-256 digest is stored). A revoked or expired
  token, or one whose user is deactivated, answers 401. A request that sends an Authorization header is judged by that
  header alone: it never falls back to the session cookie. A token with only the ``read`` scope gets 403 on writes.
- Or the Django session of a signed-in (active) user, as the browser has it. Unsafe methods (POST, PATCH, PUT, DELETE)
  then need the CSRF token in the ``X-CSRFToken`` header, exactly as Django's own views do; a failed check is a 403.

Errors: every failure answers ``{"error": {"code": …, "message": …, "fields": {field: [messages]}}}`` with the status
401, 403, 404, 405, 422 (service rules and schema validation alike, keyed by field name) or 500 (never a traceback,
whatever DEBUG says; the exception goes to the log and to ``got_request_exception`` for error trackers).

Documentation: ``/api/v1/openapi.json`` and the Swagger page ``/api/v1/docs`` need a signed-in user or a valid API
token, like the rest of the API; a browser that is not signed in is sent to the login page, other clients get a 401. The
document holds no data, but an installation on the internet need not tell anonymous visitors what it runs. The page
loads only files from our own /static/ (django-ninja ships Swagger UI), so it works without internet access.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.openapi.views import openapi_view
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from guanxi.accounts.services import api_token_authenticate
from guanxi.customers.api import router as customers_router
from guanxi.interactions.api import router as interactions_router

logger = logging.getLogger("guanxi.api")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Where ninja says a bad value came from; the field name follows (after the parameter's own name, for a body schema).
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


# --- authentication ---------------------------------------------------------------------------------------------------
class TokenAuth(HttpBearer):
    """`Authorization: Bearer gx_…` with a personal API token."""

    def __call__(self, request: HttpRequest) -> Any:
        # ninja's version logs an unexpected header in full when DEBUG is on; it may hold someone's password.
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_authenticate(token.strip())
        if found is None:
            return None
        user = found.user
        request.user = user
        request.api_token = found  # type: ignore[attr-defined]
        # The session middleware did this for browser users; a token caller gets its user's time zone (for dates in
        # filters) and language (for messages), unless it asked for a language itself.
        try:
            timezone.activate(zoneinfo.ZoneInfo(user.timezone or settings.TIME_ZONE))
        except zoneinfo.ZoneInfoNotFoundError:
            timezone.deactivate()
        if "Accept-Language" not in request.headers and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return user


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "CSRF check failed")


class SessionAuth(NinjaSessionAuth):
    """The browser's Django session, for an active user; unsafe methods must pass Django's CSRF check.

    ninja's own SessionAuth checks CSRF before it knows whether anyone is signed in, so a bad token on a POST answered
    "403 CSRF" instead of 401; here an anonymous caller is always 401 and only a real session is held to CSRF.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if (
            self.csrf
            and request.method not in SAFE_METHODS
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise CsrfFailed
        return user


@contextmanager
def _request_locale() -> Iterator[None]:
    """Whatever time zone and language TokenAuth activates for its user ends with the request."""
    with timezone.override(timezone.get_current_timezone()), translation.override(translation.get_language()):
        yield


def _caller(request: HttpRequest) -> Any:
    """The user a token or session authenticates (the same rules as the API's operations), or None."""
    for auth in (TokenAuth(), SessionAuth(csrf=False)):
        user = auth(request)
        if user:
            return user
    return None


def _docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """openapi.json and the docs page: for signed-in users and token holders only (see the module docstring)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with _request_locale():
            if _caller(request) is None:
                if isinstance(view, partial) and view.func is openapi_view:
                    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL_PATH)
                return _unauthorized_response(request)
            return view(request, *args, **kwargs)

    return wrapped


# --- the error shape --------------------------------------------------------------------------------------------------
class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class GuanxiAPI(NinjaAPI):
    """NinjaAPI plus JSON 405 answers, per-request locale for token users, and error responses in the OpenAPI."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern) and getattr(pattern.callback, "csrf_exempt", False):
                pattern.callback = self._wrap_operation(pattern.callback)
        return urls

    def _wrap_operation(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """405 in our error shape; a token user's time zone and language end with the request."""

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            with _request_locale():
                response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                response = self.create_response(
                    request, error_body("method_not_allowed", _("This method is not allowed here.")), status=405
                )
                response["Allow"] = allowed
            return response

        return wrapped

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        described = {
            "401": _("No valid API token or session"),
            "403": _("The token's scope or your role does not allow this action"),
            "404": _("No such record in your data scope"),
            "422": _("Invalid input; `fields` names each field with its messages"),
        }
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in described.items():
                    if status == "404" and "{" not in path:
                        continue
                    responses.setdefault(status, {"description": description, **ref})
        return schema


api = GuanxiAPI(
    title="Guanxi API",
    version="1",
    description=(
        "Customers and everything that happened with them. Authenticate with `Authorization: Bearer <token>` "
        "(create a personal token in your profile), or use the browser session (send `X-CSRFToken` on writes). "
        "Lists are paginated with `cursor` and `limit`; every error answers "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-1",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_decorator=_docs_access,
)


# --- exception handlers -----------------------------------------------------------------------------------------------
def _unauthorized_response(request: HttpRequest) -> HttpResponse:
    message = _("Authentication required: send an API token (Authorization: Bearer …) or sign in.")
    response = api.create_response(request, error_body("unauthorized", message), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, error_body("validation_error", " ".join(exc.messages), fields), status=422)


@api.exception_handler(SchemaValidationError)
def _schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ())]
        if loc and loc[0] in _SOURCES:
            # A body is read as {<parameter name>: {...}}; that name is ours, not a field the caller sent.
            loc = loc[2:] if loc[0] == "body" else loc[1:]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "")))
    return api.create_response(
        request, error_body("validation_error", _("Some fields are not valid."), fields), status=422
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) if exc.args else _("Your role does not allow this action.")
    return api.create_response(request, error_body("forbidden", message), status=403)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _unauthorized_response(request)


@api.exception_handler(CsrfFailed)
def _csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    message = _("CSRF check failed: send the X-CSRFToken header with the token of your session.")
    return api.create_response(request, error_body("csrf_failed", message), status=403)


_HTTP_ERRORS: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = _HTTP_ERRORS.get(exc.status_code, "error")
    # ninja's own 400 ("Cannot parse request body (…)") may quote the parser; say it in our words instead.
    message = _("The request body is not valid JSON.") if exc.status_code == 400 else str(exc)
    return api.create_response(request, error_body(code, message), status=exc.status_code)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # ninja's default answers a traceback in DEBUG; never do that. Log it and tell error trackers, as Django would.
    logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    got_request_exception.send(sender=None, request=request)
    message = _("Something went wrong on our side; the error has been logged.")
    return api.create_response(request, error_body("server_error", message), status=500)


api.add_router("/customers", customers_router, tags=["customers"])
api.add_router("/interactions", interactions_router, tags=["interactions"])

__all__ = ["api", "error_body"]
