"""Interactions and follow-ups in the REST API: the same selectors and services as the pages, nothing more.

A customer, interaction or task outside the caller's scope answers 404; rules about the data answer 422 by field.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from guanxi.accounts.models import ApiToken, User
from guanxi.core.pagination import cursor_paginate
from guanxi.customers.models import Contact, Customer
from guanxi.interactions import selectors, services
from guanxi.interactions.models import FollowUp, Interaction
from guanxi.interactions.schemas import (
    CompleteIn,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    FollowUpQuery,
    InteractionIn,
    InteractionOut,
    InteractionPage,
    InteractionPatch,
    InteractionQuery,
)

router = Router()


def _doc(text: Promise) -> str:
    return cast(str, text)


def _actor(request: HttpRequest, perm: str, token_scope: str = ApiToken.Scope.READ) -> User:
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is not None and not token.allows(token_scope):
        raise PermissionDenied(_("This API token may only read; create a token with the write scope."))
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return request.user  # type: ignore[return-value]


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "username": user.username, "name": str(user)} if user is not None else None


def _interaction_out(interaction: Interaction) -> dict[str, Any]:
    return {
        "id": interaction.pk,
        "customer": interaction.customer_id,
        "contact": interaction.contact_id,
        "kind": interaction.kind,
        "channel": interaction.channel,
        "direction": interaction.direction,
        "occurred_at": interaction.occurred_at,
        "duration_minutes": interaction.duration_minutes,
        "summary": interaction.summary,
        "outcome": interaction.outcome,
        "next_step": interaction.next_step,
        "participants": [u.pk for u in interaction.participants.all()],
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "size": a.size,
                "content_type": a.content_type,
                "url": a.get_absolute_url(),
            }
            for a in interaction.attachments.all()
        ],
        "created_by": _user_ref(interaction.created_by),
        "created_at": interaction.created_at,
        "updated_at": interaction.updated_at,
    }


def _follow_up_out(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "id": follow_up.pk,
        "customer": follow_up.customer_id,
        "assignee": _user_ref(follow_up.assignee),
        "kind": follow_up.kind,
        "status": follow_up.status,
        "title": follow_up.title,
        "notes": follow_up.notes,
        "due_at": follow_up.due_at,
        "completed_at": follow_up.completed_at,
        "outcome": follow_up.outcome,
        "satisfaction": follow_up.satisfaction,
        "satisfaction_note": follow_up.satisfaction_note,
        "plan": follow_up.plan_id,
        "interaction": follow_up.interaction_id,
        "created_at": follow_up.created_at,
    }


def _contact(customer: Customer, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    contact = Contact.objects.filter(pk=contact_id, customer=customer).first()
    if contact is None:
        raise ValidationError({"contact": _("This customer has no contact with id %(id)s.") % {"id": contact_id}})
    return contact


def _users(ids: list[int], field: str) -> list[User]:
    users = list(User.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {u.pk for u in users})
    if missing:
        raise ValidationError(
            {field: _("There is no user with id %(id)s.") % {"id": ", ".join(str(i) for i in missing)}}
        )
    return users


def _reload(actor: User, pk: int) -> Interaction:
    return selectors.interaction_list(actor=actor).prefetch_related("attachments", "participants").get(pk=pk)


@router.get(
    "/",
    response=InteractionPage,
    url_name="interaction_list",
    operation_id="interaction_list",
    summary=_doc(gettext_lazy("List interactions in your scope, newest first")),
)
def list_interactions(request: HttpRequest, query: Query[InteractionQuery]) -> dict[str, Any]:
    actor = _actor(request, "customers.view")
    qs = selectors.interaction_list(actor=actor, filters=query.to_filter()).prefetch_related(
        "attachments", "participants"
    )
    page = cursor_paginate(qs, cursor=query.cursor, limit=query.limit)
    return {"items": [_interaction_out(i) for i in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/",
    response={201: InteractionOut},
    url_name="interaction_create",
    operation_id="interaction_create",
    summary=_doc(gettext_lazy("Log an interaction (optionally planning the next follow-up)")),
)
def create_interaction(request: HttpRequest, payload: InteractionIn) -> Status[dict[str, Any]]:
    actor = _actor(request, services.WRITE_PERMISSION, ApiToken.Scope.WRITE)
    customer = selectors.customer_for_actor(actor=actor, pk=payload.customer)
    data = services.InteractionInput(
        customer=customer,
        kind=payload.kind,
        channel=payload.channel or "",
        direction=payload.direction,
        occurred_at=payload.occurred_at,
        duration_minutes=payload.duration_minutes,
        summary=payload.summary,
        outcome=payload.outcome,
        next_step=payload.next_step,
        contact=_contact(customer, payload.contact),
        participants=_users(payload.participants, "participants"),
        next_follow_up_at=payload.next_follow_up_at,
        next_follow_up_title=payload.next_follow_up_title,
    )
    interaction = services.interaction_create(actor=actor, data=data)
    return Status(201, _interaction_out(_reload(actor, interaction.pk)))


@router.get(
    "/{int:interaction_id}",
    response=InteractionOut,
    url_name="interaction_detail",
    operation_id="interaction_detail",
    summary=_doc(gettext_lazy("One interaction")),
)
def get_interaction(request: HttpRequest, interaction_id: int) -> dict[str, Any]:
    actor = _actor(request, "customers.view")
    interaction = selectors.interaction_get(actor=actor, pk=interaction_id)
    return _interaction_out(interaction)


@router.patch(
    "/{int:interaction_id}",
    response=InteractionOut,
    url_name="interaction_update",
    operation_id="interaction_update",
    summary=_doc(gettext_lazy("Change an interaction")),
)
def update_interaction(request: HttpRequest, interaction_id: int, payload: InteractionPatch) -> dict[str, Any]:
    actor = _actor(request, services.WRITE_PERMISSION, ApiToken.Scope.WRITE)
    interaction = selectors.interaction_get(actor=actor, pk=interaction_id)
    sent = payload.sent()
    data = services.InteractionInput(
        kind=sent.get("kind", interaction.kind),
        channel=sent.get("channel", interaction.channel),
        direction=sent.get("direction", interaction.direction),
        occurred_at=sent.get("occurred_at", interaction.occurred_at),
        duration_minutes=sent.get("duration_minutes", interaction.duration_minutes),
        summary=sent.get("summary", interaction.summary),
        outcome=sent.get("outcome", interaction.outcome),
        next_step=sent.get("next_step", interaction.next_step),
        contact=_contact(interaction.customer, sent["contact"]) if "contact" in sent else interaction.contact,
        participants=(
            _users(sent["participants"], "participants")
            if "participants" in sent
            else list(interaction.participants.all())
        ),
    )
    services.interaction_update(actor=actor, interaction=interaction, data=data)
    return _interaction_out(_reload(actor, interaction.pk))


@router.get(
    "/follow-ups",
    response=FollowUpPage,
    url_name="follow_up_list",
    operation_id="follow_up_list",
    summary=_doc(gettext_lazy("List follow-ups and revisits in your scope, earliest due first")),
)
def list_follow_ups(request: HttpRequest, query: Query[FollowUpQuery]) -> dict[str, Any]:
    actor = _actor(request, "customers.view")
    page = cursor_paginate(
        selectors.follow_up_list(actor=actor, filters=query.to_filter()), cursor=query.cursor, limit=query.limit
    )
    return {"items": [_follow_up_out(f) for f in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/follow-ups",
    response={201: FollowUpOut},
    url_name="follow_up_create",
    operation_id="follow_up_create",
    summary=_doc(gettext_lazy("Plan a follow-up or revisit")),
)
def create_follow_up(request: HttpRequest, payload: FollowUpIn) -> Status[dict[str, Any]]:
    actor = _actor(request, services.WRITE_PERMISSION, ApiToken.Scope.WRITE)
    customer = selectors.customer_for_actor(actor=actor, pk=payload.customer)
    assignee = _users([payload.assignee], "assignee")[0] if payload.assignee is not None else None
    data = services.FollowUpInput(
        customer=customer,
        title=payload.title,
        due_at=payload.due_at,
        kind=payload.kind,
        notes=payload.notes,
        assignee=assignee,
    )
    follow_up = services.follow_up_create(actor=actor, data=data)
    return Status(201, _follow_up_out(follow_up))


@router.post(
    "/follow-ups/{int:follow_up_id}/complete",
    response=FollowUpOut,
    url_name="follow_up_complete",
    operation_id="follow_up_complete",
    summary=_doc(gettext_lazy("Complete a follow-up (logged as a note on the customer's timeline)")),
)
def complete_follow_up(request: HttpRequest, follow_up_id: int, payload: CompleteIn) -> dict[str, Any]:
    actor = _actor(request, services.WRITE_PERMISSION, ApiToken.Scope.WRITE)
    follow_up = selectors.follow_up_get(actor=actor, pk=follow_up_id)
    done = services.follow_up_complete(
        actor=actor,
        follow_up=follow_up,
        data=services.CompletionInput(
            outcome=payload.outcome,
            satisfaction=payload.satisfaction,
            satisfaction_note=payload.satisfaction_note,
            occurred_at=payload.occurred_at,
        ),
    )
    return _follow_up_out(selectors.follow_up_get(actor=actor, pk=done.pk))
