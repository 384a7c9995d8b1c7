"""What the public pools add to shared registries; `CustomersConfig.ready` calls `register()` once.

Safe to call more than once (tests call it too): nothing is added twice.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from guanxi.accounts.permissions import register_permission
    from guanxi.core.registry import MenuItem, registry
    from guanxi.customers.pools import timeline

    register_permission("customers.manage_pools", _("Manage public pools and reclaim rules"))
    register_permission("customers.lock", _("Lock customers against reclaim"))
    registry.timeline_kinds[timeline.KIND] = timeline.LABEL
    if timeline.ownership_timeline not in registry.timeline_providers:
        registry.timeline_providers.append(timeline.ownership_timeline)
    if timeline.ownership_actions not in registry.customer_actions:
        registry.customer_actions.append(timeline.ownership_actions)
    registry.add_menu(
        MenuItem("customer_pool", _("Public pool"), "customers:pool_list", "lifebuoy", "customers.view", 11)
    )
    registry.add_menu(
        MenuItem(
            "customer_pools_admin",
            _("Public pools"),
            "customers:pool_admin_list",
            "settings",
            "customers.manage_pools",
            40,
            section="admin",
        )
    )
