from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "guanxi.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from guanxi.core.registry import MenuItem, registry

        registry.add_menu(MenuItem("audit", _("Audit log"), "audit:log", "history", "audit.view", 90, "admin"))
