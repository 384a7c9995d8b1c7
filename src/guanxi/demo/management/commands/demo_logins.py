"""`guanxi demo_logins`: the demo users, their password and what each of them can see."""

from __future__ import annotations

import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from guanxi.demo.selectors import demo_logins, other_demo_usernames


def _width(text: str) -> int:
    """Terminal columns taken by `text` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(cell) for cell in column) for column in zip(headers, *rows, strict=False)]
    rule = "  ".join("-" * w for w in widths)
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(headers, widths, strict=True)).rstrip(), rule]
    lines += ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the demo logins (username, password, role and what each can see)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--all", action="store_true", help="list every demo user, not only one per role")

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_logins(showcase_only=not options["all"])
        if not logins:
            self.stdout.write(_("No demo users yet: run `guanxi seed` first."))
            return
        headers = [_("Username"), _("Password"), _("Role"), _("Customers"), _("Can see")]
        rows = [
            [login.username, login.password, login.role, f"{login.visible_customers:,}", login.sees] for login in logins
        ]
        self.stdout.write(format_table(headers, rows))
        others = [] if options["all"] else other_demo_usernames()
        if others:
            self.stdout.write(
                _("More demo users with the same password: %(users)s (guanxi demo_logins --all).")
                % {"users": ", ".join(others)}
            )
