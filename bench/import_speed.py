"""How fast does a customer import commit into PostgreSQL? Target: 100,000 rows in under 60 s. Compared with
django-import-export importing the same file.

The file: N rows of realistic customers from the demo generators (Chinese and English people and companies),
written as a user's spreadsheet would hold them — Chinese headings (客户名称, 类型, 手机, 邮箱), phone numbers as
"137 3070 3945", type as 个人/公司 — in UTF-8 with a BOM.

Each run gets a fresh database (dropped and created, then migrated) and a temporary GUANXI_VAR_DIR, then a child
process (Django set up, not timed):
- guanxi: uploads the file, maps it and times `customer_import_run` — the huey task's body: the whole commit with
  normalisation, the duplicate check per batch, digests, search keys, phone/email rows and audit entries;
- import-export: times `CustomerResource().import_data(dataset, dry_run=False, use_transactions=True)` with a
  ModelResource over the same four columns (name, kind, phone, email) and the same owner.

    .venv/bin/python bench/import_speed.py                   # 100,000 rows, 3 runs of each
    .venv/bin/python bench/import_speed.py --rows 20000 --repeat 5
    .venv/bin/python bench/import_speed.py --skip-import-export
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/guanxi_bench_import"


# --- the file ---------------------------------------------------------------------------------------------------------
def _spaced(phone: str) -> str:
    national = phone[3:] if phone.startswith("+86") else phone
    return f"{national[:3]} {national[3:7]} {national[7:]}" if len(national) == 11 else phone


def build_csv(path: Path, rows: int, seed: int) -> None:
    from guanxi.demo.generators import generate_customers

    kinds = {"person": "个人", "company": "公司"}
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["客户名称", "类型", "手机", "邮箱"])
        for row in generate_customers(rows, seed=seed, owners=[("bench", 1.0)], now=now):
            writer.writerow([row.name, kinds[row.kind], _spaced(row.phone), row.email])


# --- one measured import (child process) ------------------------------------------------------------------------------
def child(tool: str, csv_path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    django.setup()
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer

    user = User.objects.create_superuser("bench", "bench@example.com", "bench-password-123")
    if tool == "guanxi":
        from django.core.files.uploadedfile import SimpleUploadedFile

        from guanxi.customers.transfer import services

        upload = SimpleUploadedFile("customers.csv", Path(csv_path).read_bytes(), content_type="text/csv")
        job = services.customer_import_upload(actor=user, file=upload)
        job = services.customer_import_set_mapping(actor=user, job=job, mapping=job.params["mapping"])
        job = services.customer_import_start(actor=user, job=job, duplicates="skip")
        started, cpu = time.perf_counter(), time.process_time()
        job = services.customer_import_run(job_id=job.pk)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        counts = job.result["counts"]
    else:
        import tablib
        from import_export import fields, resources

        class CustomerResource(resources.ModelResource):
            name = fields.Field(attribute="name", column_name="客户名称")
            kind = fields.Field(attribute="kind", column_name="类型")
            phone = fields.Field(attribute="phone", column_name="手机")
            email = fields.Field(attribute="email", column_name="邮箱")

            class Meta:
                model = Customer
                fields = ("name", "kind", "phone", "email")
                import_id_fields: tuple[str, ...] = ()

            def before_import_row(self, row, **kwargs):  # type: ignore[no-untyped-def]
                row["类型"] = {"个人": "person", "公司": "company"}.get(row["类型"], "person")

            def before_save_instance(self, instance, row, **kwargs):  # type: ignore[no-untyped-def]
                instance.owner = user
                instance.created_by = user

        with open(csv_path, encoding="utf-8-sig") as handle:
            dataset = tablib.Dataset().load(handle.read(), format="csv")
        started, cpu = time.perf_counter(), time.process_time()
        result = CustomerResource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        counts = {"created": result.totals["new"], "rejected": result.totals["error"] + result.totals["invalid"]}
    counts["in_database"] = Customer.objects.count()
    counts["python_cpu_s"] = round(cpu, 1)  # the Django process's own CPU time (the database server's is not in it)
    print(json.dumps({"wall": wall, "counts": counts}))


def run_once(tool: str, csv_path: Path, db_url: str) -> tuple[float, dict[str, int]]:
    name = db_url.rsplit("/", 1)[1]
    host = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *host, "--if-exists", name], check=True)
    subprocess.run(["createdb", *host, name], check=True)
    with tempfile.TemporaryDirectory(prefix="guanxi-bench-") as tmp:
        env = {**os.environ, "GUANXI_VAR_DIR": tmp, "GUANXI_DATABASE_URL": db_url}
        env["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
        env.pop("GUANXI_REDIS_URL", None)
        subprocess.run([sys.executable, "-m", "guanxi", "migrate", "--no-input", "-v", "0"], env=env, check=True)
        done = subprocess.run(
            [sys.executable, __file__, "--child", tool, str(csv_path)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return float(answer["wall"]), answer["counts"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--skip-import-export", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    with tempfile.TemporaryDirectory(prefix="guanxi-bench-csv-") as tmp:
        csv_path = Path(tmp) / "customers.csv"
        build_csv(csv_path, args.rows, args.seed)
        print(
            f"customer import of {args.rows:,} rows ({csv_path.stat().st_size / 2**20:.1f} MB CSV) into a fresh "
            f"PostgreSQL database: {args.repeat} runs each, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
        )
        tools = ["guanxi"] if args.skip_import_export else ["guanxi", "import-export"]
        medians: dict[str, float] = {}
        for tool in tools:
            walls = []
            for run in range(1, args.repeat + 1):
                wall, counts = run_once(tool, csv_path, args.database)
                walls.append(wall)
                print(f"  {tool:13} run {run}: {wall:7.1f} s  {args.rows / wall:8,.0f} rows/s  {counts}")
            medians[tool] = statistics.median(walls)
        target = TARGET_SECONDS * args.rows / 100_000
        ours = medians["guanxi"]
        print(f"guanxi median {ours:.1f} s; target {target:.0f} s; ratio to target {ours / target:.2f}")
        if "import-export" in medians:
            theirs = medians["import-export"]
            print(f"django-import-export median {theirs:.1f} s; guanxi is {theirs / ours:.1f}× faster")


if __name__ == "__main__":
    main()
