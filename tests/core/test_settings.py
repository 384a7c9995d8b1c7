"""Settings come only from GUANXI_* variables; production settings pass Django's deploy checks; SQLite runs in WAL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from guanxi import settings as guanxi_settings


def _guanxi(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GUANXI_", "DJANGO_"))}
    clean.update({"GUANXI_VAR_DIR": str(tmp_path / "var"), "GUANXI_STATIC_ROOT": str(tmp_path / "static"), **env})
    return subprocess.run(
        [sys.executable, "-m", "guanxi", *args], env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def test_passwords_are_hashed_with_argon2() -> None:
    assert guanxi_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_defaults_are_for_development() -> None:
    assert guanxi_settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _name in guanxi_settings.LANGUAGES] == ["zh-hans", "zh-hant", "en"]


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _guanxi(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "GUANXI_DEBUG": "false",
            "GUANXI_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
            "GUANXI_FIELD_KEY": "field-key-for-tests-0123456789",
            "GUANXI_ALLOWED_HOSTS": "crm.example.com",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_without_field_key_is_refused_by_deploy_check(tmp_path: Path) -> None:
    result = _guanxi(
        ["check", "--deploy"],
        {"GUANXI_DEBUG": "false", "GUANXI_SECRET_KEY": "y" * 60, "GUANXI_ALLOWED_HOSTS": "crm.example.com"},
        tmp_path,
    )
    assert result.returncode != 0
    assert "GUANXI_FIELD_KEY" in result.stderr + result.stdout


def test_production_without_secret_key_does_not_start(tmp_path: Path) -> None:
    result = _guanxi(["check"], {"GUANXI_DEBUG": "false"}, tmp_path)
    assert result.returncode != 0
    assert "GUANXI_SECRET_KEY" in result.stderr


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    db = tmp_path / "wal.sqlite3"
    code = (
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])\n"
    )
    result = _guanxi(["shell", "-c", code], {"GUANXI_DATABASE_URL": f"sqlite:///{db}"}, tmp_path)
    assert result.returncode == 0, result.stderr
    mode, timeout_ms = result.stdout.split()[-2:]
    assert mode == "wal"
    assert int(timeout_ms) >= 5000


@pytest.mark.skipif(not os.environ.get("GUANXI_DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL run only")
def test_postgres_url_selects_postgres() -> None:
    assert guanxi_settings.IS_POSTGRES
