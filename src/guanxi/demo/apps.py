from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for trying Guanxi (`guanxi seed`). Sits on top of every other app and may use all of them."""

    name = "guanxi.demo"
    label = "demo"
    verbose_name = _("Demo data")
