from django.urls import path

from bianmin.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/totp/", views.totp_view, name="totp"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("", views.home, name="home"),
]
