"""Writes of the customer list: saved views, and the bulk actions of the action bar.

Every bulk action takes the ids the user chose (or the ids matching their filter), keeps only those inside the actor's
scope, changes them and says how many changed and which were skipped and why. Over `JOB_THRESHOLD` rows it runs as a
job with progress (`bulk_job_start` → the huey task in lists/tasks.py → `bulk_job_run`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record
from guanxi.core.jobs import job_advance, job_create, job_fail, job_finish, job_start
from guanxi.core.models import Job
from guanxi.customers.models import Customer, Pool, SavedView, Tag

JOB_THRESHOLD = 500
CHUNK = 200
BULK_ACTIONS = ("assign", "tag", "untag", "release", "delete")
# Query parameters a saved view keeps (everything that shapes the list except the page position).
_NOT_SAVED = frozenset({"after", "before", "page", "view", "csrfmiddlewaretoken"})


# --- saved views ---------------------------------------------------------------------------------------------------
@dataclass
class SavedViewInput:
    name: str
    params: dict[str, list[str]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    shared: bool = False
    is_default: bool = False


def view_params(query: QueryDict | dict[str, Any]) -> dict[str, list[str]]:
    """The part of a list's query string that a saved view keeps."""
    getlist = getattr(query, "getlist", None)
    out: dict[str, list[str]] = {}
    for key in query:
        if key in _NOT_SAVED or key == "cols":
            continue
        values = getlist(key) if getlist is not None else query[key]
        values = values if isinstance(values, list | tuple) else [values]
        kept = [str(v) for v in values if str(v) != ""]
        if kept:
            out[str(key)] = kept
    return out


def _clean_view(actor: User, data: SavedViewInput, instance: SavedView | None = None) -> str:
    from guanxi.customers.lists.filters import filter_from_query

    name = " ".join((data.name or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the view a name.")]
    elif len(name) > 100:
        errors["name"] = [_("The name is too long (at most 100 characters).")]
    elif SavedView.objects.filter(user=actor, name=name).exclude(pk=instance.pk if instance else 0).exists():
        errors["name"] = [_("You already have a view called “%(name)s”.") % {"name": name}]
    try:
        filter_from_query(data.params)
    except ValidationError as exc:
        errors["params"] = [m for messages in exc.message_dict.values() for m in messages]
    if errors:
        raise ValidationError(errors)
    return name


def _unset_other_defaults(actor: User, keep: SavedView) -> None:
    SavedView.objects.filter(user=actor, is_default=True).exclude(pk=keep.pk).update(
        is_default=False, updated_at=timezone.now()
    )


@transaction.atomic
def saved_view_create(*, actor: User, data: SavedViewInput) -> SavedView:
    if not actor.has_perm("customers.view"):
        raise PermissionDenied
    name = _clean_view(actor, data)
    view = SavedView(
        user=actor,
        name=name,
        params=data.params,
        columns=list(data.columns),
        shared=data.shared,
        is_default=data.is_default,
    )
    view.full_clean()
    view.save()
    if view.is_default:
        _unset_other_defaults(actor, view)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=view, changes={"name": [None, name]})
    return view


def _own_view(actor: User, pk: int) -> SavedView:
    """One of the actor's own views, locked; anyone else's (even shared) does not exist for a write."""
    view = SavedView.objects.select_for_update().filter(pk=pk, user=actor).first()
    if view is None:
        raise Http404
    return view


@transaction.atomic
def saved_view_update(*, actor: User, view: SavedView, data: SavedViewInput) -> SavedView:
    view = _own_view(actor, view.pk)
    name = _clean_view(actor, data, view)
    before = {"name": view.name, "shared": view.shared, "params": view.params, "columns": view.columns}
    view.name, view.params, view.columns, view.shared, view.is_default = (
        name,
        data.params,
        list(data.columns),
        data.shared,
        data.is_default,
    )
    view.full_clean()
    view.save()
    if view.is_default:
        _unset_other_defaults(actor, view)
    after = {"name": view.name, "shared": view.shared, "params": view.params, "columns": view.columns}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=view, changes=changes)
    return view


@transaction.atomic
def saved_view_set_default(*, actor: User, view: SavedView | None) -> None:
    """Make `view` (one of the actor's own) their default; None goes back to the built-in "My customers"."""
    if view is None:
        SavedView.objects.filter(user=actor, is_default=True).update(is_default=False, updated_at=timezone.now())
        return
    view = _own_view(actor, view.pk)
    SavedView.objects.filter(pk=view.pk).update(is_default=True, updated_at=timezone.now())
    _unset_other_defaults(actor, view)


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView) -> None:
    view = _own_view(actor, view.pk)
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=view, changes={"name": [view.name, None]})
    view.delete()


# --- bulk actions --------------------------------------------------------------------------------------------------
@dataclass
class BulkResult:
    changed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def merge(self, other: BulkResult) -> None:
        self.changed += other.changed
        self.skipped.extend(other.skipped)

    def as_dict(self) -> dict[str, Any]:
        return {"changed": self.changed, "skipped": [[i, reason] for i, reason in self.skipped]}

    def summary(self) -> str:
        if self.skipped:
            return _("%(changed)d changed, %(skipped)d skipped.") % {
                "changed": self.changed,
                "skipped": len(self.skipped),
            }
        return _("%(changed)d changed.") % {"changed": self.changed}


def _out_of_scope() -> str:
    return _("Not found or outside your data scope.")


def _in_scope(actor: User, ids: Iterable[int], *, lock: bool = False) -> tuple[list[int], list[tuple[int, str]]]:
    wanted = list(dict.fromkeys(int(i) for i in ids))
    qs = scoping.scope(actor, Customer.objects.filter(pk__in=wanted))
    if lock:
        qs = qs.select_for_update()
    found = set(qs.values_list("pk", flat=True))
    return [i for i in wanted if i in found], [(i, _out_of_scope()) for i in wanted if i not in found]


def _tags(tags: Iterable[Tag | int]) -> list[Tag]:
    ids = [t.pk if isinstance(t, Tag) else int(t) for t in tags]
    found = list(Tag.objects.filter(pk__in=ids).order_by("name"))
    if not found:
        raise ValidationError({"tags": _("Choose at least one tag.")})
    return found


@transaction.atomic
def customers_bulk_tag(*, actor: User, ids: Iterable[int], tags: Iterable[Tag | int]) -> BulkResult:
    """Add `tags` to the customers `ids` within the actor's scope; one audit entry per changed customer."""
    return _bulk_tags(actor=actor, ids=ids, tags=tags, add=True)


@transaction.atomic
def customers_bulk_untag(*, actor: User, ids: Iterable[int], tags: Iterable[Tag | int]) -> BulkResult:
    """Remove `tags` from the customers `ids` within the actor's scope."""
    return _bulk_tags(actor=actor, ids=ids, tags=tags, add=False)


def _bulk_tags(*, actor: User, ids: Iterable[int], tags: Iterable[Tag | int], add: bool) -> BulkResult:
    if not actor.has_perm("customers.change"):
        raise PermissionDenied
    chosen = _tags(tags)
    tag_ids = [t.pk for t in chosen]
    through = Customer.tags.through
    result = BulkResult()
    for chunk in _chunks(list(ids), CHUNK):
        keep, skipped = _in_scope(actor, chunk, lock=True)
        result.skipped.extend(skipped)
        having: dict[int, set[int]] = {}
        for customer_id, tag_id in through.objects.filter(customer_id__in=keep).values_list("customer_id", "tag_id"):
            having.setdefault(customer_id, set()).add(tag_id)
        changed: list[int] = []
        for customer_id in keep:
            current = having.get(customer_id, set())
            if (add and set(tag_ids) <= current) or (not add and not (set(tag_ids) & current)):
                reason = _("Already has these tags.") if add else _("Has none of these tags.")
                result.skipped.append((customer_id, reason))
            else:
                changed.append(customer_id)
        if not changed:
            continue
        if add:
            # ignore_conflicts: a concurrent bulk tag of the same pair is not an error (unique customer+tag).
            through.objects.bulk_create(
                [through(customer_id=c, tag_id=t) for c in changed for t in tag_ids], ignore_conflicts=True
            )
        else:
            through.objects.filter(customer_id__in=changed, tag_id__in=tag_ids).delete()
        Customer.objects.filter(pk__in=changed).update(updated_at=timezone.now())
        names = {t.pk: t.name for t in chosen}
        customers = Customer.objects.filter(pk__in=changed).only("pk", "name")
        for customer in customers:
            current = having.get(customer.pk, set())
            before = sorted(names.get(t, str(t)) for t in current if t in names)
            after = sorted(names[t] for t in tag_ids) if add else []
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=customer,
                changes={"tags": [before, after]},
                detail=_("Bulk tag") if add else _("Bulk untag"),
            )
        result.changed += len(changed)
    return result


def customers_bulk_delete(*, actor: User, ids: Iterable[int]) -> BulkResult:
    """Delete the customers `ids` within the actor's scope, each through `services.customer_delete` (audited)."""
    from guanxi.customers import services

    if not actor.has_perm("customers.delete"):
        raise PermissionDenied
    result = BulkResult()
    for chunk in _chunks(list(ids), CHUNK):
        keep, skipped = _in_scope(actor, chunk)
        result.skipped.extend(skipped)
        for customer in Customer.objects.filter(pk__in=keep).order_by("pk"):
            try:
                services.customer_delete(actor=actor, customer=customer)
            except Http404:
                result.skipped.append((customer.pk, _out_of_scope()))
            except ProtectedError:
                result.skipped.append((customer.pk, _("Other records still refer to this customer.")))
            except ValidationError as exc:
                result.skipped.append((customer.pk, " ".join(exc.messages)))
            else:
                result.changed += 1
    return result


def _as_result(value: Any) -> BulkResult:
    """The pools area's answer in our shape (it returns a BulkResult-like object or a dict)."""
    if isinstance(value, BulkResult):
        return value
    get = value.get if isinstance(value, dict) else lambda k, d=None: getattr(value, k, d)
    skipped_raw = get("skipped", []) or []
    skipped: list[tuple[int, str]] = []
    for item in skipped_raw:
        if isinstance(item, dict):
            skipped.append((int(item.get("id", 0)), str(item.get("reason", ""))))
        else:
            skipped.append((int(item[0]), str(item[1])))
    changed = get("changed", None)
    if changed is None:
        changed = len(get("changed_ids", []) or [])
    if isinstance(changed, list | tuple | set):
        changed = len(changed)
    return BulkResult(changed=int(changed), skipped=skipped)


def _pools_service(name: str) -> Callable[..., Any]:
    try:
        pool_services = importlib.import_module("guanxi.customers.pools.services")
    except ImportError:
        raise ValidationError({"action": _("This action is not available yet.")}) from None
    function = getattr(pool_services, name, None)
    if function is None:
        raise ValidationError({"action": _("This action is not available yet.")})
    return cast(Callable[..., Any], function)


@dataclass
class BulkOptions:
    owner: User | None = None
    tags: list[int] = field(default_factory=list)
    pool: Pool | None = None
    reason: str = ""

    def as_params(self) -> dict[str, Any]:
        return {
            "owner": self.owner.pk if self.owner else None,
            "tags": self.tags,
            "pool": self.pool.pk if self.pool else None,
            "reason": self.reason,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> BulkOptions:
        return cls(
            owner=User.objects.filter(pk=int(params["owner"])).first() if params.get("owner") else None,
            tags=[int(t) for t in params.get("tags") or []],
            pool=Pool.objects.filter(pk=int(params["pool"])).first() if params.get("pool") else None,
            reason=str(params.get("reason") or ""),
        )


def check_bulk(*, actor: User, action: str, options: BulkOptions) -> None:
    """What must hold before any row is touched: a known action, the permission, and the action's inputs."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose an action.")})
    perm = "customers.delete" if action == "delete" else "customers.change"
    if not actor.has_perm(perm):
        raise PermissionDenied
    if action == "assign" and options.owner is None:
        raise ValidationError({"owner": _("Choose the new owner.")})
    if action in ("tag", "untag") and not options.tags:
        raise ValidationError({"tags": _("Choose at least one tag.")})


def bulk_apply(
    *,
    actor: User,
    action: str,
    ids: list[int],
    options: BulkOptions,
    progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Run `action` over `ids` in chunks, reporting progress after each chunk."""
    check_bulk(actor=actor, action=action, options=options)
    result = BulkResult()
    for chunk in _chunks(ids, CHUNK):
        if action == "tag":
            part = customers_bulk_tag(actor=actor, ids=chunk, tags=options.tags)
        elif action == "untag":
            part = customers_bulk_untag(actor=actor, ids=chunk, tags=options.tags)
        elif action == "delete":
            part = customers_bulk_delete(actor=actor, ids=chunk)
        elif action == "assign":
            assign = _pools_service("customers_bulk_assign")
            part = _as_result(assign(actor=actor, ids=chunk, owner=options.owner, reason=options.reason))
        else:
            release = _pools_service("customers_bulk_release")
            part = _as_result(release(actor=actor, ids=chunk, pool=options.pool, reason=options.reason))
        result.merge(part)
        if progress is not None:
            progress(len(chunk))
    return result


def bulk_target_ids(*, actor: User, ids: Iterable[Any] = (), query: str | None = None) -> list[int]:
    """The ids a bulk action works on: those chosen, or with `query` every customer matching that list filter."""
    if query is not None:
        from guanxi.customers import selectors
        from guanxi.customers.lists.filters import filter_from_query

        filters = filter_from_query(QueryDict(query))
        return list(selectors.customer_list(actor=actor, filters=filters).values_list("pk", flat=True))
    out: list[int] = []
    for value in ids:
        for part in str(value).split(","):
            if part.strip().isdigit():
                out.append(int(part.strip()))
    return list(dict.fromkeys(out))


def bulk_job_start(*, actor: User, action: str, ids: list[int], options: BulkOptions) -> Job:
    """A job for a large bulk action; the worker starts it after this transaction commits."""
    check_bulk(actor=actor, action=action, options=options)
    job = job_create(
        kind=f"customers.bulk_{action}",
        user=actor,
        total=len(ids),
        params={"action": action, "ids": ids, **options.as_params()},
    )

    def enqueue() -> None:
        from guanxi.customers.lists.tasks import customers_bulk_job

        customers_bulk_job(job.pk)

    transaction.on_commit(enqueue)
    return job


def bulk_job_run(job_id: int) -> None:
    """Run a bulk job (called by the worker) as the user who started it, with progress."""
    job = Job.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.user is None:
        return
    params = job.params
    job_start(job, total=len(params.get("ids") or []))
    try:
        result = bulk_apply(
            actor=job.user,
            action=str(params.get("action")),
            ids=[int(i) for i in params.get("ids") or []],
            options=BulkOptions.from_params(params),
            progress=lambda n: job_advance(job, n),
        )
    except (ValidationError, PermissionDenied) as exc:
        job_fail(job, message=" ".join(getattr(exc, "messages", [])) or _("You are not allowed to do this."))
        return
    except Exception:
        job_fail(job, message=_("The action stopped with an error; nothing after the last finished batch changed."))
        raise
    job_finish(job, result={"summary": result.summary(), **result.as_dict()}, message=result.summary())


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
