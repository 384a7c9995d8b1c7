"""How other apps take part in a merge without `customers` importing them.

An app whose rows point at customers registers a handler in its `AppConfig.ready`:

    from guanxi.customers.dedupe.handlers import merge_handlers
    merge_handlers.append(interactions_move_to_survivor)

A handler is called inside the merge transaction, after both customers are locked, as
`handler(survivor, merged, actor)`; it moves (or merges) its rows from `merged` to `survivor` and returns
`{"<what>": <count>}` for the merge record (e.g. `{"interactions": 12, "follow_ups": 3}`). It must not delete
`merged` and must not commit. Rows that no handler moved are moved afterwards by a generic sweep over every foreign
key to Customer, so nothing is lost when an app has no special rules; a handler is needed only where moving rows needs
care (unique constraints, recomputed summaries).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MergeHandler = Callable[[Any, Any, Any], dict[str, int]]

merge_handlers: list[MergeHandler] = []
