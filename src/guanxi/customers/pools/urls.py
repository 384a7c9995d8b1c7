"""Routes of the public pools and ownership (names in the "customers" namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from guanxi.customers.pools import views

urlpatterns: list[URLPattern] = [
    path("pool/", views.pool_list, name="pool_list"),
    path("<int:pk>/claim/", views.customer_claim, name="claim"),
    path("<int:pk>/release/", views.customer_release, name="release"),
    path("<int:pk>/assign/", views.customer_assign, name="assign"),
    path("<int:pk>/lock/", views.customer_lock, name="lock"),
    path("pools/", views.pool_admin_list, name="pool_admin_list"),
    path("pools/new/", views.pool_create, name="pool_create"),
    path("pools/<int:pk>/", views.pool_edit, name="pool_edit"),
    path("pools/<int:pk>/delete/", views.pool_delete, name="pool_delete"),
    path("pools/<int:pool_pk>/rules/new/", views.pool_rule_create, name="pool_rule_create"),
    path("pools/rules/<int:pk>/", views.pool_rule_edit, name="pool_rule_edit"),
    path("pools/rules/<int:pk>/delete/", views.pool_rule_delete, name="pool_rule_delete"),
]
