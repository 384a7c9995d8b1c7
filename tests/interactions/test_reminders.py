"""Reminders: tasks due within the hour and tasks just overdue, by in-app notification and email, once per task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from guanxi.accounts.models import Notification
from guanxi.interactions import services, tasks
from guanxi.interactions.models import FollowUp
from tests.factories import CustomerFactory
from tests.factories_interactions import FollowUpFactory

pytestmark = pytest.mark.django_db


def test_due_soon_and_overdue_reminders_go_out_once(org, django_capture_on_commit_callbacks):
    now = timezone.now()
    customer = CustomerFactory(owner=org.rep_a, name="Hangzhou Tea Co.")
    soon = FollowUpFactory(customer=customer, due_at=now + dt.timedelta(minutes=40), title="Call about samples")
    late = FollowUpFactory(customer=customer, due_at=now - dt.timedelta(minutes=5), title="Send the quote")
    FollowUpFactory(customer=customer, due_at=now + dt.timedelta(hours=3))  # not yet
    FollowUpFactory(customer=customer, due_at=now - dt.timedelta(days=3))  # long overdue: already on "my day"
    FollowUpFactory(customer=customer, due_at=now - dt.timedelta(minutes=5), status=FollowUp.Status.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.follow_ups_send_reminders(now=now)
    assert sent == {"due": 1, "overdue": 1}
    titles = set(Notification.objects.filter(user=org.rep_a).values_list("title", "kind"))
    assert titles == {
        ("Due within the hour: Call about samples", "follow_up_due"),
        ("Overdue: Send the quote", "follow_up_overdue"),
    }
    body = Notification.objects.get(kind="follow_up_due").body
    assert "Hangzhou Tea Co." in body
    assert sorted(m.subject for m in mail.outbox) == [
        "Due within the hour: Call about samples",
        "Overdue: Send the quote",
    ]
    assert all(m.to == [org.rep_a.email] for m in mail.outbox)
    soon.refresh_from_db()
    late.refresh_from_db()
    assert soon.reminded_due_at == now and late.reminded_overdue_at == now

    with django_capture_on_commit_callbacks(execute=True):
        assert services.follow_ups_send_reminders(now=now + dt.timedelta(minutes=15)) == {"due": 0, "overdue": 0}
    assert Notification.objects.count() == 2 and len(mail.outbox) == 2

    # Once the first task's time passes it is overdue: that is a second kind, sent once too.
    later = now + dt.timedelta(minutes=45)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.follow_ups_send_reminders(now=later) == {"due": 0, "overdue": 1}
        assert services.follow_ups_send_reminders(now=later) == {"due": 0, "overdue": 0}
    assert Notification.objects.count() == 3


def test_reminders_speak_the_assignees_language(org, django_capture_on_commit_callbacks, monkeypatch):
    # The catalogues are completed by translators later; what matters here is the language active while writing.
    languages: list[str | None] = []
    real = services._

    def spy(message: str) -> str:
        languages.append(translation.get_language())
        return real(message)

    monkeypatch.setattr(services, "_", spy)
    org.rep_a.language = "zh-hant"
    org.rep_a.save(update_fields=["language"])
    FollowUpFactory(customer=CustomerFactory(owner=org.rep_a), due_at=timezone.now() - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_follow_up_reminders.call_local()
    assert Notification.objects.get().user == org.rep_a
    assert languages and set(languages) == {"zh-hant"}


def test_a_failing_mail_server_does_not_resend(org, settings, django_capture_on_commit_callbacks, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(services, "send_mail", broken)
    FollowUpFactory(customer=CustomerFactory(owner=org.rep_a), due_at=timezone.now() + dt.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.follow_ups_send_reminders() == {"due": 1, "overdue": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.follow_ups_send_reminders() == {"due": 0, "overdue": 0}
    assert Notification.objects.count() == 1
