from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    """Interactions (calls, emails, meetings, visits, chats, notes), follow-ups, revisit plans and reminders."""

    name = "guanxi.interactions"
    label = "interactions"
    verbose_name = _("Interactions")
