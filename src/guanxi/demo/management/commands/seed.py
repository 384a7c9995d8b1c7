"""`guanxi seed --customers N [--seed S] [--if-empty] [--batch 5000]`: a demo organisation and N customers."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from guanxi.customers.models import Customer
from guanxi.demo.services import demo_customers_create, demo_organisation_ensure


class Command(BaseCommand):
    help = "Create a demo organisation (departments, teams, roles, users) and generated customers."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--customers", type=int, default=2000, help="how many customers to create (2000)")
        parser.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same data (42)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when there are customers already")
        parser.add_argument("--batch", type=int, default=5000, help="rows per bulk insert (5000)")

    def handle(self, *args: Any, **options: Any) -> None:
        count, seed, batch = options["customers"], options["seed"], options["batch"]
        if count < 0 or batch < 1:
            raise CommandError(_("--customers must be 0 or more and --batch at least 1."))
        if options["if_empty"]:
            existing = Customer.objects.count()
            if existing:
                self.stdout.write(_("There are %(count)d customers already; nothing to do.") % {"count": existing})
                return
        started = time.perf_counter()
        org = demo_organisation_ensure()
        if org.created:
            self.stdout.write(
                _(
                    "Demo organisation: created %(departments)d departments, %(roles)d roles, %(users)d users and "
                    "%(teams)d teams."
                )
                % {key: org.created[key] for key in ("departments", "roles", "users", "teams")}
            )
        else:
            self.stdout.write(_("Demo organisation: already in place."))
        with tqdm(
            total=count,
            unit=" customers",
            unit_scale=True,
            disable=options["verbosity"] < 1 or None,
            desc=_("Customers"),
        ) as bar:
            created = demo_customers_create(count=count, seed=seed, batch_size=batch, progress=bar.update)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(count)d customers in %(seconds).1f s (%(rate)d per second).")
                % {"count": created, "seconds": elapsed, "rate": created / elapsed if elapsed else 0}
            )
        )
