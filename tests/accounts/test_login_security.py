"""Sign-in security: lockout after repeated failures (django-axes) and the audit trail of sign-ins."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from guanxi.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory


def _login(client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_lockout_is_configured_with_axes():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_FAILURE_LIMIT == 5


def test_five_wrong_passwords_lock_the_account(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "rep_a", "wrong-password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    response = _login(client, "rep_a", "wrong-password")  # the 5th failure locks
    assert response.status_code == 429
    # The right password is refused now, with the locked page.
    response = _login(client, "rep_a", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("core:home")).status_code == 302  # still signed out


def test_lockout_is_per_account(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "rep_a", "wrong-password")
    response = _login(client, "rep_b", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(org.rep_b.pk)


def test_fewer_failures_then_success_signs_in(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "rep_a", "wrong-password")
    response = _login(client, "rep_a", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(org.rep_a.pk)


def test_failed_and_successful_logins_are_audited(client, org):
    _login(client, "rep_a", "wrong-password")
    failed = AuditEntry.objects.get(action="login_failed")
    assert failed.object_repr == "rep_a"
    assert failed.actor is None
    assert failed.ip == "127.0.0.1"
    assert not AuditEntry.objects.filter(action="login").exists()

    response = _login(client, "rep_a", PASSWORD)
    assert response.status_code == 302
    ok = AuditEntry.objects.get(action="login")
    assert ok.actor == org.rep_a
    assert ok.object_id == str(org.rep_a.pk)
    assert ok.ip == "127.0.0.1"


def test_locked_attempts_are_audited_as_failures(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "rep_a", "wrong-password")
    _login(client, "rep_a", PASSWORD)
    assert (
        AuditEntry.objects.filter(action="login_failed", object_repr="rep_a").count() == settings.AXES_FAILURE_LIMIT + 1
    )
    assert not AuditEntry.objects.filter(action="login").exists()
