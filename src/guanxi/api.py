"""The REST API at /api/v1/: django-ninja, token or session authentication, one error shape for every failure."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer, SessionAuth

from guanxi.accounts.services import api_token_authenticate
from guanxi.customers.api import router as customers_router


class TokenAuth(HttpBearer):
    """`Authorization: Bearer gx_…` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


api = NinjaAPI(
    title="Guanxi API",
    version="1",
    description="Customers and everything that happened with them. Authenticate with `Authorization: Bearer <token>`.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-1",
)


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return body


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, error_body("validation_error", "; ".join(exc.messages), fields), status=422)


@api.exception_handler(SchemaValidationError)
def _schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "data", "payload")]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "invalid")))
    return api.create_response(request, error_body("validation_error", "invalid input", fields), status=422)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", "not found"), status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, error_body("forbidden", "your role does not allow this action"), status=403)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("unauthorized", "authentication required"), status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body("error", str(exc)), status=exc.status_code)


api.add_router("/customers", customers_router, tags=["customers"])

__all__ = ["api"]
