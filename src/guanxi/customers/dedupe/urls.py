from __future__ import annotations

from django.urls import URLPattern, path

from guanxi.customers.dedupe import views

urlpatterns: list[URLPattern] = [
    path("duplicate-check/", views.duplicate_check, name="duplicate_check"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("merges/<int:pk>/", views.merge_record, name="merge_record"),
]
