"""`guanxi search_reindex`: recompute every customer's search keys (after an upgrade that changes how they are made,
or after a bulk load that wrote customers without them)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guanxi.customers.models import Customer
from guanxi.customers.search.services import search_reindex


class Command(BaseCommand):
    help = "Recompute the search keys (pinyin, initials, phone fragments, search text) of all or some customers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=5000, help="customers per batch (one transaction each)")
        parser.add_argument("--ids", default="", help="comma-separated customer ids (default: all customers)")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = [int(i) for i in options["ids"].split(",") if i.strip()] if options["ids"] else None
        total = len(ids) if ids is not None else Customer.objects.count()
        started = time.monotonic()
        done = 0

        def progress(step: int) -> None:
            nonlocal done
            done += step
            if options["verbosity"] >= 1:
                self.stdout.write(f"\r{done:,} / {total:,}", ending="")
                self.stdout.flush()

        count = search_reindex(customer_ids=ids, batch=options["batch"], progress=progress)
        if options["verbosity"] >= 1:
            self.stdout.write("")
            self.stdout.write(
                self.style.SUCCESS(f"{count:,} customers reindexed in {time.monotonic() - started:.1f} s")
            )
