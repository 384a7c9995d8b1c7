"""Saved views: personal and shared visibility, one default per user, only the owner changes a view."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from guanxi.audit.models import AuditEntry
from guanxi.customers import selectors
from guanxi.customers.lists import services
from guanxi.customers.models import SavedView
from tests.conftest import login
from tests.factories_lists import SavedViewFactory

pytestmark = pytest.mark.django_db


def test_personal_views_are_private_and_shared_ones_are_for_everyone(org):
    private = SavedViewFactory(user=org.rep_a, name="Mine only")
    shared = SavedViewFactory(user=org.rep_a, name="Team view", shared=True)
    other = SavedViewFactory(user=org.rep_b, name="Rep B's")
    assert set(selectors.saved_views_for(actor=org.rep_a)) == {private, shared}
    assert set(selectors.saved_views_for(actor=org.rep_b)) == {shared, other}
    assert selectors.saved_view_get(actor=org.rep_b, pk=private.pk) is None


def test_create_validates_and_audits(org):
    data = services.SavedViewInput(name="  Hot   leads ", params={"lifecycle_stage": ["active"]}, columns=["name"])
    view = services.saved_view_create(actor=org.rep_a, data=data)
    assert view.name == "Hot leads" and view.user == org.rep_a
    assert AuditEntry.objects.filter(object_type="customers.savedview", object_id=str(view.pk)).exists()
    with pytest.raises(ValidationError) as caught:
        services.saved_view_create(actor=org.rep_a, data=data)
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.saved_view_create(
            actor=org.rep_a, data=services.SavedViewInput(name="Bad", params={"created_from": ["soon"]})
        )
    assert "params" in caught.value.message_dict


def test_one_default_per_user(org):
    first = services.saved_view_create(actor=org.rep_a, data=services.SavedViewInput(name="A", is_default=True))
    second = services.saved_view_create(actor=org.rep_a, data=services.SavedViewInput(name="B", is_default=True))
    other = services.saved_view_create(actor=org.rep_b, data=services.SavedViewInput(name="C", is_default=True))
    assert list(SavedView.objects.filter(is_default=True).order_by("pk")) == [second, other]
    services.saved_view_set_default(actor=org.rep_a, view=first)
    assert set(SavedView.objects.filter(is_default=True)) == {first, other}
    services.saved_view_set_default(actor=org.rep_a, view=None)
    assert set(SavedView.objects.filter(is_default=True)) == {other}


def test_only_the_owner_changes_or_deletes_a_shared_view(org):
    shared = SavedViewFactory(user=org.rep_a, name="Shared", shared=True)
    with pytest.raises(Http404):
        services.saved_view_delete(actor=org.rep_b, view=shared)
    with pytest.raises(Http404):
        services.saved_view_update(actor=org.rep_b, view=shared, data=services.SavedViewInput(name="Mine now"))
    with pytest.raises(Http404):
        services.saved_view_set_default(actor=org.rep_b, view=shared)
    services.saved_view_delete(actor=org.rep_a, view=shared)
    assert not SavedView.objects.exists()


def test_save_from_the_page_keeps_filters_and_columns(client, org):
    login(client, org.rep_a)
    response = client.post(
        reverse("customers:saved_view_save"),
        {"name": "Shenzhen", "query": "city=Shenzhen&sort=-name&after=abc", "cols": "name,city", "shared": "on"},
    )
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?view={view.pk}")
    assert view.params == {"city": ["Shenzhen"], "sort": ["-name"]} and view.columns == ["name", "city"]
    assert view.shared and view.user == org.rep_a
    # Update in place.
    client.post(
        reverse("customers:saved_view_save"),
        {"name": "", "query": "city=Wuhan", "cols": "name", "view": view.pk, "update": "1"},
    )
    view.refresh_from_db()
    assert view.name == "Shenzhen" and view.params == {"city": ["Wuhan"]}


def test_save_errors_answer_422_beside_the_name(client, org):
    login(client, org.rep_a)
    response = client.post(
        reverse("customers:saved_view_save"), {"name": "", "query": "city=X"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert 'data-field-error="name"' in response.content.decode()
    assert 'value="city=X"' in response.content.decode()


def test_someone_elses_view_routes_answer_404(client, org):
    view = SavedViewFactory(user=org.rep_a, shared=True)
    login(client, org.rep_b)
    assert client.post(reverse("customers:saved_view_delete", args=[view.pk])).status_code == 404
    assert client.post(reverse("customers:saved_view_default", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk, is_default=False).exists()
    login(client, org.rep_a)
    assert client.post(reverse("customers:saved_view_default", args=[view.pk])).status_code == 302
    assert SavedView.objects.get(pk=view.pk).is_default
    assert client.post(reverse("customers:saved_view_delete", args=[view.pk])).status_code == 302
    assert not SavedView.objects.exists()


def test_api_lists_own_and_shared_views(client, org):
    SavedViewFactory(user=org.rep_a, name="Private", params={"city": ["Xi'an"]})
    SavedViewFactory(user=org.rep_b, name="Shared", shared=True, params={"kind": ["company"]})
    SavedViewFactory(user=org.rep_b, name="Hidden")
    login(client, org.rep_a)
    body = client.get(reverse("api-1:customer_saved_views")).json()
    assert sorted(v["name"] for v in body) == ["Private", "Shared"]
    assert {v["name"]: v["query"] for v in body}["Shared"] == "kind=company"
