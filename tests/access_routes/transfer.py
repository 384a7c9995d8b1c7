"""Routes of import and export (customers/transfer).

The export page (customers:export) shows, beside its options, the first rows of the file it would write — the same
selector (`transfer.selectors.export_queryset`, i.e. the list's scoped `customer_list`) — with data-customer-id, so the
matrix checks it like the list. The files themselves (CSV/XLSX from customers:export?format=… and api-1:customer_export)
are not HTML or JSON pages the matrix can read; tests/customers/transfer/test_export.py checks their rows per persona
against the same hand-written table of who sees whom.

Import and export jobs belong to the user who started them: everyone else gets 404 (tested in
tests/customers/transfer/test_import_views.py and test_api.py).
"""

from __future__ import annotations

from tests.access_specs import ListRoute, ObjectRoute, SearchRoute

SCOPED: dict[str, ListRoute | ObjectRoute | SearchRoute] = {
    "customers:export": ListRoute(query={"preview": 100}),
}
OWN_JOB = "the caller's own job: anyone else's answers 404 (tested in tests/customers/transfer)"
UNSCOPED: dict[str, str] = {
    "customers:import": "upload form; rows become customers owned within the caller's scope (owner column checked "
    "against the assignable owners, tested in tests/customers/transfer)",
    "customers:import_mapping": OWN_JOB,
    "customers:import_preview": OWN_JOB + "; a duplicate outside the scope shows only its owner's name",
    "customers:transfer_job_file": OWN_JOB,
    "api-1:customer_import_create": "creates an import job for the caller; rows are owned within the caller's scope",
    "api-1:customer_import_status": OWN_JOB,
    "api-1:customer_export": "a CSV/XLSX file of the caller's scoped customers; its rows are checked per persona in "
    "tests/customers/transfer/test_export.py",
    "api-1:customer_export_status": OWN_JOB,
    "api-1:customer_transfer_file": OWN_JOB,
}
