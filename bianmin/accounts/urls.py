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
    path("staff/hours/", views.hours_view, name="hours"),
    path("staff/hours/<str:day>/delete/", views.hours_day_delete_view, name="hours_day_delete"),
    path("", views.home, name="home"),
]
