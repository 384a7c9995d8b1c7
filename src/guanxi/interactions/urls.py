from __future__ import annotations

from django.urls import path

from guanxi.interactions import views

app_name = "interactions"
urlpatterns = [
    path("my-day/", views.my_day, name="my_day"),
    path("log/", views.interaction_list, name="list"),
    path("log/new/", views.interaction_create, name="create"),
    path("log/<int:pk>/", views.interaction_detail, name="detail"),
    path("log/<int:pk>/edit/", views.interaction_edit, name="edit"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("customers/pick/", views.customer_pick, name="customer_pick"),
    path("customers/<int:customer_id>/log/", views.customer_log, name="customer_log"),
    path("customers/<int:customer_id>/follow-ups/", views.customer_follow_ups, name="customer_follow_ups"),
    path(
        "customers/<int:customer_id>/follow-ups/new/",
        views.customer_follow_up_create,
        name="customer_follow_up_create",
    ),
    path("follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("follow-ups/new/", views.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/edit/", views.follow_up_edit, name="follow_up_edit"),
    path("follow-ups/<int:pk>/complete/", views.follow_up_complete, name="follow_up_complete"),
    path("follow-ups/<int:pk>/cancel/", views.follow_up_cancel, name="follow_up_cancel"),
    path("revisit-plans/", views.plan_list, name="plan_list"),
    path("revisit-plans/new/", views.plan_create, name="plan_create"),
    path("revisit-plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
]
