"""Optional TOTP two-factor authentication: set-up on the profile page, the OTP sign-in step, turning it off."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("otp_middleware")]

PASSWORD = "correct-horse-battery"


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The device's code for now (or a later 30-second step: each code is accepted once, within ±1 step)."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def wait_out_throttle(device: TOTPDevice) -> None:
    """Each wrong code delays the next try (1 s, 2 s, 4 s…); pretend that time has passed."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1))


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def test_set_up_confirm_and_disable_from_the_profile(client, org):
    client.force_login(org.rep_a)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Set up two-factor authentication" in page

    response = client.post(reverse("accounts:otp_setup"))
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=org.rep_a)
    assert not device.confirmed
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "<svg" in page and "<path" in page  # the QR code, inline
    secret = base64.b32encode(device.bin_key).decode()
    assert re.search(rf'id="otp-secret">{secret}<', page)

    response = client.post(reverse("accounts:otp_confirm"), {"token": "000000"})
    assert response.status_code == 422
    assert 'data-field-error="token"' in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    wait_out_throttle(device)
    response = client.post(reverse("accounts:otp_confirm"), {"token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="update", object_id=str(org.rep_a.pk), detail="two-factor on").exists()
    # This session proved it holds the app: it keeps working.
    assert client.get(reverse("core:home")).status_code == 200

    response = client.post(reverse("accounts:otp_disable"), {"token": "123"})
    assert response.status_code == 422
    assert TOTPDevice.objects.filter(user=org.rep_a, confirmed=True).exists()
    wait_out_throttle(device)
    response = client.post(reverse("accounts:otp_disable"), {"token": code(device, steps_ahead=1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=org.rep_a).exists()
    assert AuditEntry.objects.filter(action="update", object_id=str(org.rep_a.pk), detail="two-factor off").exists()


def test_htmx_setup_answers_with_the_card(client, org):
    client.force_login(org.rep_a)
    response = client.post(reverse("accounts:otp_setup"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="otp-card"' in response.content
    assert b"<svg" in response.content


def test_sign_in_with_a_device_needs_the_otp_step(client, org):
    device = confirmed_device(org.rep_a)
    response = client.post(
        reverse("accounts:login") + "?next=/customers/",
        {"username": "rep_a", "password": PASSWORD, "next": "/customers/"},
    )
    assert response.status_code == 302
    # Every other page sends the user to the OTP step, remembering where they were going.
    response = client.get("/customers/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp"))
    assert "next=%2Fcustomers%2F" in response["Location"]
    assert client.get(reverse("accounts:profile")).status_code == 302
    htmx = client.get("/customers/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 401
    assert htmx["HX-Redirect"].startswith(reverse("accounts:otp"))
    # The session does not open the API either.
    assert client.get("/api/v1/customers/").status_code == 401

    page = client.get(reverse("accounts:otp") + "?next=/customers/")
    assert page.status_code == 200
    assert 'name="token"' in page.content.decode()

    wrong = client.post(reverse("accounts:otp"), {"token": "000000", "next": "/customers/"})
    assert wrong.status_code == 422
    assert AuditEntry.objects.filter(action="login_failed", detail="two-factor code", actor=org.rep_a).exists()
    assert client.get("/customers/").status_code == 302
    # Right after a wrong code even the right one is refused for a moment (brute force protection).
    too_soon = client.post(reverse("accounts:otp"), {"token": code(device), "next": "/customers/"})
    assert too_soon.status_code == 422
    assert "Too many wrong codes" in too_soon.content.decode()

    wait_out_throttle(device)
    right = client.post(reverse("accounts:otp"), {"token": code(device), "next": "/customers/"})
    assert right.status_code == 302
    assert right["Location"] == "/customers/"
    assert client.get("/customers/").status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_logout_stays_reachable_during_the_otp_step(client, org):
    confirmed_device(org.rep_a)
    client.post(reverse("accounts:login"), {"username": "rep_a", "password": PASSWORD})
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_users_without_a_device_are_not_asked(client, org):
    response = client.post(reverse("accounts:login"), {"username": "rep_b", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/customers/").status_code == 200
    # The OTP page itself sends them on.
    assert client.get(reverse("accounts:otp")).status_code == 302


def test_an_unconfirmed_device_does_not_block_sign_in(client, org):
    TOTPDevice.objects.create(user=org.rep_b, name="half set up", confirmed=False)
    client.post(reverse("accounts:login"), {"username": "rep_b", "password": PASSWORD})
    assert client.get("/customers/").status_code == 200


def test_a_used_code_cannot_be_replayed(client, org):
    device = confirmed_device(org.rep_a)
    token = code(device)
    client.post(reverse("accounts:login"), {"username": "rep_a", "password": PASSWORD})
    assert client.post(reverse("accounts:otp"), {"token": token}).status_code == 302
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": "rep_a", "password": PASSWORD})
    assert client.post(reverse("accounts:otp"), {"token": token}).status_code == 422


def test_codes_from_another_users_device_are_refused(client, org):
    confirmed_device(org.rep_a)
    other = confirmed_device(org.rep_b)
    client.post(reverse("accounts:login"), {"username": "rep_a", "password": PASSWORD})
    assert client.post(reverse("accounts:otp"), {"token": code(other)}).status_code == 422
    assert client.get("/customers/").status_code == 302
