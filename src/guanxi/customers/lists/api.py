"""The customer list in the API: saved views and bulk actions (the list itself is GET /api/v1/customers/)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema

from guanxi.accounts.models import ApiToken, User
from guanxi.customers import selectors
from guanxi.customers.lists import services
from guanxi.customers.models import Pool

router = Router()


def _doc(text: Promise) -> str:
    return cast(str, text)


def _actor(request: HttpRequest, perm: str, token_scope: str = ApiToken.Scope.READ) -> User:
    from guanxi.customers.api import _actor as customers_actor

    return customers_actor(request, perm, token_scope)


class SavedViewOut(Schema):
    id: int
    name: str
    shared: bool
    is_default: bool
    owner: str
    params: dict[str, list[str]]
    columns: list[str]
    query: str = Field(description="The view's filters as a query string for GET /api/v1/customers/.")


class BulkIn(Schema):
    action: str = Field(description="assign, tag, untag, release or delete.")
    ids: list[int] = Field(default_factory=list, description="The customers to change (ignored with `filters`).")
    filters: dict[str, str | list[str]] | None = Field(
        None, description="Instead of ids: every customer matching these list filters (same names as the list)."
    )
    owner: int | None = Field(None, description="assign: the new owner's user id.")
    tags: list[int] = Field(default_factory=list, description="tag / untag: tag ids.")
    pool: int | None = Field(None, description="release: the pool (the default pool when left out).")
    reason: str = ""


class SkippedOut(Schema):
    id: int
    reason: str


class BulkOut(Schema):
    changed: int
    skipped: list[SkippedOut]
    job_id: int | None = Field(None, description="Set when the action runs as a job (over 500 customers).")


@router.get(
    "/views",
    response=list[SavedViewOut],
    url_name="customer_saved_views",
    operation_id="customer_saved_views",
    summary=_doc(gettext_lazy("Your saved customer list views and the shared ones")),
)
def list_saved_views(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request, "customers.view")
    return [
        {
            "id": v.pk,
            "name": v.name,
            "shared": v.shared,
            "is_default": v.is_default and v.user_id == actor.pk,
            "owner": str(v.user),
            "params": v.params or {},
            "columns": v.columns or [],
            "query": urlencode([(k, x) for k, vals in (v.params or {}).items() for x in vals]),
        }
        for v in selectors.saved_views_for(actor=actor)
    ]


@router.post(
    "/bulk",
    response=BulkOut,
    url_name="customer_bulk",
    operation_id="customer_bulk",
    summary=_doc(gettext_lazy("Change many customers at once (only those in your scope; the rest are skipped)")),
)
def bulk(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    perm = "customers.delete" if payload.action == "delete" else "customers.change"
    actor = _actor(request, perm, ApiToken.Scope.WRITE)
    owner = None
    if payload.owner is not None:
        owner = User.objects.filter(pk=payload.owner, is_active=True).first()
        if owner is None:
            raise ValidationError({"owner": _("There is no user with id %(id)s.") % {"id": payload.owner}})
    pool = None
    if payload.pool is not None:
        pool = Pool.objects.filter(pk=payload.pool).first()
        if pool is None:
            raise ValidationError({"pool": _("There is no public pool with id %(id)s.") % {"id": payload.pool}})
    options = services.BulkOptions(owner=owner, tags=payload.tags, pool=pool, reason=payload.reason)
    services.check_bulk(actor=actor, action=payload.action, options=options)
    if payload.filters is not None:
        query = QueryDict(mutable=True)
        for key, value in payload.filters.items():
            query.setlist(key, value if isinstance(value, list) else [value])
        selectors.filter_from_query(query)  # 422 naming the bad filter before anything runs
        ids = services.bulk_target_ids(actor=actor, query=query.urlencode())
    else:
        ids = services.bulk_target_ids(actor=actor, ids=payload.ids)
    if len(ids) > services.JOB_THRESHOLD:
        job = services.bulk_job_start(actor=actor, action=payload.action, ids=ids, options=options)
        return {"changed": 0, "skipped": [], "job_id": job.pk}
    result = services.bulk_apply(actor=actor, action=payload.action, ids=ids, options=options)
    return {"changed": result.changed, "skipped": [{"id": i, "reason": r} for i, r in result.skipped], "job_id": None}
