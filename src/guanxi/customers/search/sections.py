"""What search adds to the global search (core:search and the header's dropdown): the Contacts section.

The Customers section is `customers.contributions.customer_search_section`; both call the selectors here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from guanxi.core.masking import mask
from guanxi.customers.search.selectors import contact_search

SECTION_LIMIT = 8


def contact_search_section(request: Any, q: str) -> dict[str, Any] | None:
    if not request.user.has_perm("customers.view"):
        return None
    found = contact_search(actor=request.user, q=q, limit=SECTION_LIMIT)
    if not found:
        return None
    return {
        "title": _("Contacts"),
        "items": [
            {
                "label": contact.name,
                "detail": " · ".join(
                    part
                    for part in (contact.customer.name, mask("phone", contact.phone) or mask("email", contact.email))
                    if part
                ),
                "url": contact.customer.get_absolute_url(),
            }
            for contact in found
        ],
        "more_url": "",
    }
