from __future__ import annotations

from django.urls import URLPattern, path

from guanxi.customers.lists import views

# The list itself is "customers:list" (customers/urls.py points it at views.customer_list).
urlpatterns: list[URLPattern] = [
    path("views/save/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("views/<int:pk>/default/", views.saved_view_default, name="saved_view_default"),
    path("bulk/", views.bulk_action, name="bulk"),
]
