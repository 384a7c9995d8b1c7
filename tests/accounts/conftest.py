"""Fixtures for the organisation tests: a manager who may manage accounts without being a superuser."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.accounts.models import User
from tests.factories import RoleFactory, UserFactory

OTP_MIDDLEWARE = "guanxi.accounts.middleware.OtpRequiredMiddleware"


@pytest.fixture
def manager(org) -> User:
    role = RoleFactory(name="Organisation manager", permissions=["accounts.manage"], data_scopes={})
    return UserFactory(username="manager", department=org.hq, roles=[role])


@pytest.fixture
def admin_client(client: Client, org) -> Client:
    client.force_login(org.admin)
    return client


@pytest.fixture
def otp_middleware(settings) -> None:
    """The OTP step is enforced by a middleware; make sure it is installed (settings.MIDDLEWARE lists it)."""
    if OTP_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("guanxi.accounts.middleware.LoginRequiredMiddleware") + 1, OTP_MIDDLEWARE)
        settings.MIDDLEWARE = middleware
