"""Routes of import and export (names stay in the "customers" namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from guanxi.customers.transfer import views

urlpatterns: list[URLPattern] = [
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/preview/", views.import_preview, name="import_preview"),
    path("transfer-jobs/<int:pk>/file/", views.transfer_job_file, name="transfer_job_file"),
    path("export/", views.customer_export, name="export"),
]
