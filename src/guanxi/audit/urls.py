from django.urls import path

from guanxi.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("object/<str:object_type>/<str:object_id>/", views.object_history, name="object_history"),
]
