"""Jobs of the public pools (reclaim and its warnings): thin wrappers around the services."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import db_periodic_task

from guanxi.core.jobs import local_crontab
from guanxi.customers.pools.services import pools_reclaim_run


@db_periodic_task(local_crontab(minute="15", hour="2"))
def pools_reclaim() -> dict[str, Any]:
    """Every day at 02:15 (site time): apply the reclaim rules and warn the owners of customers due soon."""
    return pools_reclaim_run()
