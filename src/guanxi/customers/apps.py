from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from guanxi.accounts import scoping
        from guanxi.accounts.permissions import register_domain, register_permission
        from guanxi.core.registry import MenuItem, registry
        from guanxi.customers.models import Customer

        register_domain("customers", _("Customers"))
        register_permission("customers.view", _("See customers"))
        register_permission("customers.create", _("Create customers"))
        register_permission("customers.change", _("Edit customers"))
        register_permission("customers.delete", _("Delete customers"))
        register_permission("customers.export", _("Export customers"))
        register_permission("customers.reveal", _("Reveal customers' personal data"))
        register_permission("customers.manage_fields", _("Define customers' custom fields"))
        from guanxi.customers.visibility import pool_customers_visible_to

        scoping.register(Customer, domain="customers", owner_field="owner", also_visible=pool_customers_visible_to)
        from django.urls import reverse

        from guanxi.audit.registry import register_object_url
        from guanxi.customers import contributions

        register_object_url("customers.customer", lambda object_id: reverse("customers:detail", args=[object_id]))

        registry.dashboard_cards.append(contributions.my_customers_card)
        registry.search_providers.append(contributions.customer_search_section)
        registry.add_menu(MenuItem("customers", _("Customers"), "customers:list", "address-book", "customers.view", 10))
        registry.add_menu(
            MenuItem(
                "customer_fields",
                _("Custom fields"),
                "customers:field_list",
                "forms",
                "customers.manage_fields",
                80,
                "admin",
            )
        )
        # The 360 timeline's own entries: consent granted or withdrawn.
        from guanxi.customers.profile.selectors import consent_timeline

        if consent_timeline not in registry.timeline_providers:
            registry.timeline_providers.append(consent_timeline)
        registry.timeline_kinds.setdefault("consent", _("Consent"))

        # Ownership and the public pools: permissions, timeline, 360 actions, menu entries.
        from guanxi.customers.pools import setup as pools_setup

        pools_setup.register()

        # Duplicate check and merge.
        from guanxi.customers.dedupe import contributions as dedupe_contributions

        register_permission("customers.merge", _("Merge customers"))
        if dedupe_contributions.merge_action not in registry.customer_actions:
            registry.customer_actions.append(dedupe_contributions.merge_action)
            registry.customer_panels.append(dedupe_contributions.merges_panel)

        # Search: the contacts section of the global search, and the SQLite full-text triggers after migrations.
        from django.db.models.signals import post_migrate

        from guanxi.customers.search import indexes as search_indexes
        from guanxi.customers.search import sections as search_sections

        if search_sections.contact_search_section not in registry.search_providers:
            registry.search_providers.append(search_sections.contact_search_section)
        post_migrate.connect(search_indexes.ensure_after_migrate, sender=self, dispatch_uid="customers_search_fts")
