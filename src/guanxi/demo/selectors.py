"""Reads for `guanxi demo_logins`: which demo users exist and what each of them can see."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.accounts.models import DataScope, User
from guanxi.customers.models import Customer
from guanxi.demo import organisation as spec


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    sees: str
    visible_customers: int


def _describe(user: User) -> str:
    scope_value = scoping.user_scope(user, "customers")
    if user.is_superuser:
        return _("everything, including users, roles and the audit log")
    if not user.has_perm("customers.view"):
        return _("no customers")
    if scope_value == DataScope.ALL:
        text = _("all customers")
    elif scope_value == DataScope.DEPARTMENT:
        text = _("customers of %(department)s and its sub-departments") % {"department": user.department}
    elif scope_value == DataScope.TEAM:
        teams = ", ".join(team.name for team in user.teams.all()) or "-"
        text = _("customers of their team (%(teams)s)") % {"teams": teams}
    else:
        text = _("only their own customers")
    if not user.has_perm("customers.change"):
        text = _("%(what)s, read only") % {"what": text}
    return text


def demo_logins(*, showcase_only: bool = True) -> list[DemoLogin]:
    """The demo users present in the database, in the order of the demo organisation (showcase personas first)."""
    wanted = [u for u in spec.USERS if u.showcase or not showcase_only]
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[w.username for w in wanted], is_active=True)
        .select_related("department")
        .prefetch_related("roles")
    }
    out = []
    for user_spec in wanted:
        user = users.get(user_spec.username)
        if user is None:
            continue
        out.append(
            DemoLogin(
                username=user.username,
                # The password is only listed while it is still the demo one.
                password=spec.DEMO_PASSWORD if user.check_password(spec.DEMO_PASSWORD) else _("(changed)"),
                role=", ".join(role.name for role in user.roles.all()) or "-",
                sees=_describe(user),
                visible_customers=scoping.scope(user, Customer.objects.all()).count(),
            )
        )
    return out


def other_demo_usernames() -> list[str]:
    """Demo users that exist but are not showcase personas (they share the demo password)."""
    names = [u.username for u in spec.USERS if not u.showcase]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    return [name for name in names if name in existing]
