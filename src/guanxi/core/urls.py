from django.urls import path

from guanxi.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("jobs/<int:pk>/", views.job_status, name="job_status"),
    path("healthz", views.healthz, name="healthz"),
]
