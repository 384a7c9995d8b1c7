from django.urls import path

from guanxi.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
]
