"""Periodic jobs of interactions (huey discovers this module): thin wrappers around services."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from guanxi.core.jobs import local_crontab
from guanxi.interactions.services import follow_ups_send_reminders, revisit_plans_run


@db_periodic_task(local_crontab(minute="10", hour="5"))
def create_due_revisits() -> int:
    """Every day at 05:10 (site time): the revisit plans create the revisit tasks that fall due today."""
    return revisit_plans_run()


@db_periodic_task(local_crontab(minute="*/15"))
def send_follow_up_reminders() -> dict[str, int]:
    """Every 15 minutes: remind assignees of tasks due within the hour and of tasks that just became overdue."""
    return follow_ups_send_reminders()
