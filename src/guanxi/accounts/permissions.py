"""The permission catalogue: what actions a role may grant. Apps add their own in `AppConfig.ready`.

Codes look like `<app>.<action>` and are checked with `user.has_perm(code)` through `RolePermissionBackend`.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str | Promise] = {}

# Domains whose records carry an owner and are filtered by a role's data scope.
DOMAINS: dict[str, str | Promise] = {}


def register_permission(code: str, label: str | Promise) -> None:
    PERMISSIONS[code] = label


def register_domain(code: str, label: str | Promise) -> None:
    DOMAINS[code] = label


register_permission("accounts.manage", _("Manage users, departments, teams and roles"))
register_permission("audit.view", _("Read the audit log"))
register_permission("api.use", _("Create personal API tokens"))
