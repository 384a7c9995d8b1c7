from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "guanxi.accounts"
    label = "accounts"
    verbose_name = _("Organisation and access")

    def ready(self) -> None:
        from guanxi.accounts import permissions, signals  # noqa: F401
