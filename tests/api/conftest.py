from __future__ import annotations

import pytest

from tests.api.helpers import ApiClient


@pytest.fixture
def anon() -> ApiClient:
    """No credentials at all."""
    return ApiClient()
