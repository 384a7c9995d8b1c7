from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _pool_visibility(prefix: str) -> Any:
    """The customers' extra visibility (pool customers for pool members), seen through `prefix` (e.g. "customer__")."""

    def also_visible(user: Any) -> Q | None:
        from guanxi.customers.visibility import pools_of

        return Q(**{f"{prefix}owner__isnull": True, f"{prefix}pool__in": pools_of(user).values("pk")})

    return also_visible


class InteractionsConfig(AppConfig):
    """Interactions (calls, emails, meetings, visits, chats, notes), follow-ups, revisit plans and reminders."""

    name = "guanxi.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from guanxi.accounts import scoping
        from guanxi.accounts.permissions import register_permission
        from guanxi.core.registry import MenuItem, registry
        from guanxi.interactions import contributions
        from guanxi.interactions.models import Attachment, FollowUp, Interaction

        # Scoped through the customer: its owner's data scope, plus the pools the user belongs to — so these records
        # are visible exactly when their customer is (tested in tests/interactions/test_scoping.py).
        for model, prefix in (
            (Interaction, "customer__"),
            (FollowUp, "customer__"),
            (Attachment, "interaction__customer__"),
        ):
            scoping.register(
                model, domain="customers", owner_field=f"{prefix}owner", also_visible=_pool_visibility(prefix)
            )
        register_permission("interactions.manage_plans", _("Manage revisit plans"))

        registry.timeline_kinds.update(contributions.TIMELINE_KINDS)
        registry.timeline_providers.append(contributions.customer_timeline)
        registry.customer_panels.append(contributions.open_follow_ups_panel)
        registry.customer_actions.append(contributions.customer_actions)
        registry.dashboard_cards.append(contributions.overdue_card)
        registry.add_menu(MenuItem("my_day", _("My day"), "interactions:my_day", "calendar-check", "customers.view", 5))
        registry.add_menu(
            MenuItem("interactions", _("Interactions"), "interactions:list", "messages", "customers.view", 20)
        )
        registry.add_menu(
            MenuItem("follow_ups", _("Follow-ups"), "interactions:follow_up_list", "checklist", "customers.view", 21)
        )
        registry.add_menu(
            MenuItem(
                "revisit_plans",
                _("Revisit plans"),
                "interactions:plan_list",
                "repeat",
                "interactions.manage_plans",
                30,
                section="admin",
            )
        )
