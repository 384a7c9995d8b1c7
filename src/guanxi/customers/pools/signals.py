"""Reclaim signals that apps above customers provide (the sales app: opportunities and won deals).

`customers` may not import `sales`, so a reclaim rule's "no opportunity for M days" and "no deal won for D days" are
answered by functions that the sales app registers here in its `AppConfig.ready`:

    from guanxi.customers.pools.signals import NO_OPPORTUNITY, reclaim_signals
    reclaim_signals[NO_OPPORTUNITY] = customers_without_opportunity_since

Each function takes a queryset of owned customers and a number of days and returns the subset that meets the signal
(e.g. "no opportunity created in the last `days` days"). It must be monotonic in `days` (a customer returned for 30 days
is also returned for 29) and must not evaluate the queryset: the reclaim job combines it with its own filters. A rule
that sets a threshold whose signal nobody provides ignores that threshold (and says so in the job's result).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

if TYPE_CHECKING:
    from guanxi.customers.models import Customer

NO_OPPORTUNITY = "no_opportunity"
NOT_WON = "not_won"

ReclaimSignal = Callable[["QuerySet[Customer]", int], "QuerySet[Customer]"]

# signal name -> provider; filled by higher apps. The keys name PoolRule fields: "<key>_days".
reclaim_signals: dict[str, ReclaimSignal] = {}
