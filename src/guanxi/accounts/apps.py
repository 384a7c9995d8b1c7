from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "guanxi.accounts"
    label = "accounts"
    verbose_name = _("Organisation and access")

    def ready(self) -> None:
        from guanxi.accounts import permissions, signals  # noqa: F401
        from guanxi.core.registry import MenuItem, registry

        for key, label, url_name, icon, order in (
            ("users", _("Users"), "accounts:user_list", "users", 10),
            ("departments", _("Departments"), "accounts:department_list", "sitemap", 20),
            ("teams", _("Teams"), "accounts:team_list", "users-group", 30),
            ("roles", _("Roles"), "accounts:role_list", "shield-lock", 40),
        ):
            registry.add_menu(MenuItem(key, label, url_name, icon, "accounts.manage", order, "admin"))
