"""Helpers for the REST API tests: personal tokens and a client that sends JSON with a bearer token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from guanxi.accounts.models import User
from guanxi.accounts.services import api_token_create

API = "/api/v1"


class ApiClient:
    """A Django test client that authenticates every call with one bearer token (or none)."""

    def __init__(
        self, token: str | None = None, client: Client | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.client = client or Client()
        self.token = token
        self.headers = headers or {}

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(self.headers)
        headers.update(extra or {})
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(API + path, params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body if body is not None else {})
        return getattr(self.client, method.lower())(
            API + path, data=data, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.send("post", path, body, headers)

    def patch(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.send("patch", path, body, headers)


def make_token(user: User, scopes: tuple[str, ...] = ("read", "write"), **kwargs: Any) -> str:
    _token, raw = api_token_create(actor=user, name="test", scopes=list(scopes), **kwargs)
    return raw


def api_as(user: User, scopes: tuple[str, ...] = ("read", "write")) -> ApiClient:
    return ApiClient(make_token(user, scopes))


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is `status` with our one error shape and `code`; returns the error object."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error
