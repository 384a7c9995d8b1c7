"""The API's shapes for interactions and follow-ups; the rules live in `services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from guanxi.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, MIN_LIMIT
from guanxi.interactions import selectors
from guanxi.interactions.models import (
    FollowUpKind,
    FollowUpStatus,
    InteractionChannel,
    InteractionDirection,
    InteractionKind,
)

_UNSET: Any = None


class UserRef(Schema):
    id: int
    username: str
    name: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str


class InteractionOut(Schema):
    id: int
    customer: int
    contact: int | None
    kind: InteractionKind
    channel: str
    direction: InteractionDirection
    occurred_at: dt.datetime
    duration_minutes: int | None
    summary: str
    outcome: str
    next_step: str
    participants: list[int]
    attachments: list[AttachmentOut]
    created_by: UserRef | None
    created_at: dt.datetime
    updated_at: dt.datetime


class InteractionPage(Schema):
    items: list[InteractionOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class InteractionQuery(Schema):
    kind: InteractionKind | None = None
    customer: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    mine: bool = Field(False, description="Only interactions you logged or took part in.")
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=MIN_LIMIT, le=MAX_LIMIT)

    def to_filter(self) -> selectors.InteractionFilter:
        return selectors.InteractionFilter(
            kind=self.kind or "",
            customer=self.customer,
            date_from=self.date_from,
            date_to=self.date_to,
            mine=self.mine,
        )


class InteractionIn(Schema):
    customer: int
    kind: InteractionKind = InteractionKind.CALL
    channel: InteractionChannel | None = None
    direction: InteractionDirection = InteractionDirection.NONE
    occurred_at: dt.datetime | None = Field(None, description="Now when left out.")
    duration_minutes: int | None = None
    summary: str
    outcome: str = ""
    next_step: str = ""
    contact: int | None = None
    participants: list[int] = []
    next_follow_up_at: dt.datetime | None = Field(None, description="Also plan your next follow-up with the customer.")
    next_follow_up_title: str = ""


class InteractionPatch(Schema):
    """Only the fields sent are changed."""

    kind: InteractionKind = _UNSET
    channel: str = _UNSET
    direction: InteractionDirection = _UNSET
    occurred_at: dt.datetime = _UNSET
    duration_minutes: int | None = _UNSET
    summary: str = _UNSET
    outcome: str = _UNSET
    next_step: str = _UNSET
    contact: int | None = _UNSET
    participants: list[int] = _UNSET

    def sent(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class FollowUpOut(Schema):
    id: int
    customer: int
    assignee: UserRef
    kind: FollowUpKind
    status: FollowUpStatus
    title: str
    notes: str
    due_at: dt.datetime
    completed_at: dt.datetime | None
    outcome: str
    satisfaction: int | None
    satisfaction_note: str
    plan: int | None
    interaction: int | None
    created_at: dt.datetime


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    next_cursor: str | None


class FollowUpQuery(Schema):
    status: FollowUpStatus | None = Field(FollowUpStatus.OPEN, description="Leave empty for every status.")
    kind: FollowUpKind | None = None
    assignee: str = Field("", pattern=r"^(|me|\d+)$", description='A user id or "me".')
    customer: int | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=MIN_LIMIT, le=MAX_LIMIT)

    def to_filter(self) -> selectors.FollowUpFilter:
        return selectors.FollowUpFilter(
            status=self.status or "",
            kind=self.kind or "",
            assignee=self.assignee,
            customer=self.customer,
            due_from=self.due_from,
            due_to=self.due_to,
        )


class FollowUpIn(Schema):
    customer: int
    title: str
    due_at: dt.datetime
    kind: FollowUpKind = FollowUpKind.FOLLOW_UP
    notes: str = ""
    assignee: int | None = Field(None, description="User id; the customer's owner when left out.")


class CompleteIn(Schema):
    outcome: str = ""
    satisfaction: int | None = Field(None, description="1–5, revisits only.")
    satisfaction_note: str = ""
    occurred_at: dt.datetime | None = None
