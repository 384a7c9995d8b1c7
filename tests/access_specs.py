"""The shapes of access-matrix entries (see tests/test_access_matrix.py). Areas declare their routes in
tests/access_routes/<area>.py as module-level dicts SCOPED, UNSCOPED and (optionally) a set PUBLIC."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Builds, for one customer, a record of the route's kind (a contact, an interaction…) and returns its id.
Maker = Callable[[Any], int]


@dataclass(frozen=True)
class ListRoute:
    """A page or API call listing records; the ids shown must be exactly those of the customers in scope.

    Without `make` the listed records are the customers themselves (UI rows carry data-customer-id). With `make`,
    one record is made per customer and the UI rows carry `attr`.
    """

    query: dict[str, Any] = field(default_factory=dict)
    api: bool = False
    make: Maker | None = None
    attr: str = "data-customer-id"
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ObjectRoute:
    """A route about one record: inside the scope it answers one of `ok`, outside it 404 and changes nothing.

    `kwarg` names the URL argument that takes the record's id; `make` builds the record from a customer (default:
    the customer itself). `extra` adds fixed URL arguments; `body` is sent as JSON; `form` as form data.
    """

    method: str
    kwarg: str
    ok: tuple[int, ...]
    extra: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    form: dict[str, Any] | None = None
    api: bool = False
    make: Maker | None = None


@dataclass(frozen=True)
class SearchRoute:
    """A search over customers: a persona finds another owner's customers only if they are in scope."""

    param: str = "q"
