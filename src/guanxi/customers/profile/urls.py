"""Routes of the customer record and its 360 page (names in the "customers" namespace)."""

from __future__ import annotations

from django.urls import path

from guanxi.customers.profile import views

urlpatterns = [
    path("<int:pk>/timeline/", views.customer_timeline, name="timeline"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:contact_id>/reveal/<str:field>/", views.contact_reveal, name="contact_reveal"),
    path("<int:pk>/phones/new/", views.phone_create, name="phone_create"),
    path("phones/<int:phone_id>/edit/", views.phone_edit, name="phone_edit"),
    path("phones/<int:phone_id>/delete/", views.phone_delete, name="phone_delete"),
    path("<int:pk>/emails/new/", views.email_create, name="email_create"),
    path("emails/<int:email_id>/edit/", views.email_edit, name="email_edit"),
    path("emails/<int:email_id>/delete/", views.email_delete, name="email_delete"),
    path("<int:pk>/addresses/new/", views.address_create, name="address_create"),
    path("addresses/<int:address_id>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", views.address_delete, name="address_delete"),
    path("<int:pk>/tags/add/", views.tag_add, name="tag_add"),
    path("<int:pk>/tags/<int:tag_id>/remove/", views.tag_remove, name="tag_remove"),
    path("<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("fields/", views.field_list, name="field_list"),
    path("fields/new/", views.field_create, name="field_create"),
    path("fields/<int:field_id>/edit/", views.field_edit, name="field_edit"),
]
