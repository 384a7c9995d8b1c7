"""Access-matrix entries of the interactions app (see tests/test_access_matrix.py)."""

from __future__ import annotations

from tests.access_specs import ListRoute, ObjectRoute
from tests.factories_interactions import make_attachment, make_follow_up, make_interaction

SCOPED = {
    "interactions:list": ListRoute(query={"size": 100}, make=make_interaction, attr="data-interaction-id"),
    "interactions:detail": ObjectRoute("get", "pk", (200,), make=make_interaction),
    "interactions:edit": ObjectRoute("get", "pk", (200,), make=make_interaction),
    "interactions:attachment_download": ObjectRoute("get", "pk", (200,), make=make_attachment),
    "interactions:customer_log": ObjectRoute("get", "customer_id", (200,)),
    "interactions:customer_follow_ups": ObjectRoute("get", "customer_id", (200,)),
    "interactions:customer_follow_up_create": ObjectRoute("get", "customer_id", (200,)),
    "interactions:follow_up_list": ListRoute(query={"size": 100}, make=make_follow_up, attr="data-follow-up-id"),
    "interactions:follow_up_edit": ObjectRoute("get", "pk", (200,), make=make_follow_up),
    "interactions:follow_up_complete": ObjectRoute("post", "pk", (302,), form={}, make=make_follow_up),
    "interactions:follow_up_cancel": ObjectRoute("post", "pk", (302,), form={}, make=make_follow_up),
    "api-1:interaction_list": ListRoute(query={"limit": 200}, api=True, make=make_interaction),
    "api-1:interaction_detail": ObjectRoute("get", "interaction_id", (200,), api=True, make=make_interaction),
    "api-1:interaction_update": ObjectRoute(
        "patch", "interaction_id", (200,), body={"summary": "Changed"}, api=True, make=make_interaction
    ),
    "api-1:follow_up_list": ListRoute(query={"limit": 200}, api=True, make=make_follow_up),
    "api-1:follow_up_complete": ObjectRoute(
        "post", "follow_up_id", (200,), body={"outcome": "Done"}, api=True, make=make_follow_up
    ),
}

_IN_TESTS = "tests/interactions"
UNSCOPED = {
    "interactions:my_day": f"the caller's own tasks, also filtered by scope ({_IN_TESTS}/test_views.py)",
    "interactions:create": f"standalone form; the customer is looked up in scope, else 404 ({_IN_TESTS})",
    "interactions:follow_up_create": f"standalone form; the customer is looked up in scope, else 404 ({_IN_TESTS})",
    "interactions:customer_pick": f"customers' scoped search selector ({_IN_TESTS}/test_views.py)",
    "interactions:plan_list": f"needs interactions.manage_plans; one-customer plans only in scope ({_IN_TESTS})",
    "interactions:plan_create": f"needs interactions.manage_plans; its customer must be in scope ({_IN_TESTS})",
    "interactions:plan_edit": f"needs interactions.manage_plans; one-customer plans 404 outside scope ({_IN_TESTS})",
    "api-1:interaction_create": f"the customer is looked up in scope: 404 outside it ({_IN_TESTS}/test_api.py)",
    "api-1:follow_up_create": f"the customer is looked up in scope: 404 outside it ({_IN_TESTS}/test_api.py)",
}
