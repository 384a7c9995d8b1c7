"""Background jobs of the accounts app: thin wrappers around services."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from guanxi.accounts.services import sessions_purge_expired
from guanxi.core.jobs import local_crontab


@db_periodic_task(local_crontab(minute="30", hour="3"))
def purge_expired_sessions() -> int:
    """Every day at 03:30 (site time): remove expired sessions so the session table does not grow without end."""
    return sessions_purge_expired()
