from django.urls import path

from bianmin.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/totp/", views.totp_view, name="totp"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("staff/", views.staff_list_view, name="staff_list"),
    path(
        "staff/<int:pk>/authorizations/",
        views.staff_authorizations_view,
        name="staff_authorizations",
    ),
    path("", views.home, name="home"),
]
