from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.accounts.services import notifications_mark_read, notify
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_bell_counts_unread_and_the_page_marks_them_read(client, org):
    notify(user=org.rep_a, title="Call 张三 today", url="/customers/")
    notify(user=org.rep_a, title="Second")
    notify(user=org.rep_b, title="Not yours")
    login(client, org.rep_a)
    assert 'data-unread="2"' in client.get(reverse("core:home")).content.decode()
    body = client.get(reverse("accounts:notifications")).content.decode()
    assert "Call 张三 today" in body and "Not yours" not in body
    assert 'data-unread="' not in client.get(reverse("core:home")).content.decode()


def test_mark_read_only_touches_the_actors_notifications(org):
    notify(user=org.rep_b, title="theirs")
    assert notifications_mark_read(actor=org.rep_a) == 0
    assert notifications_mark_read(actor=org.rep_b) == 1
