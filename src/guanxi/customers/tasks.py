"""Periodic jobs of the customers app (huey discovers this module); each area keeps its tasks beside its code."""

from guanxi.customers.pools import tasks as pool_tasks  # noqa: F401
