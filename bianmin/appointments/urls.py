from django.urls import path

from bianmin.appointments import views

app_name = "appointments"

urlpatterns = [
    # public (citizens, phone-first)
    path("appointments/<str:center_code>/book/", views.book, name="book"),
    path("appointments/<str:center_code>/c/<str:code>/", views.confirmation, name="confirmation"),
    path("appointments/<str:center_code>/manage/", views.manage, name="manage"),
    path("home-visits/<str:center_code>/request/", views.visit_request, name="visit_request"),
    # kiosk tiles
    path("kiosk/<str:center_code>/appointments/book/", views.kiosk_book, name="kiosk_book"),
    path(
        "kiosk/<str:center_code>/appointments/done/<str:code>/", views.kiosk_done, name="kiosk_done"
    ),
    path(
        "kiosk/<str:center_code>/appointments/check-in/",
        views.kiosk_check_in,
        name="kiosk_check_in",
    ),
    path("kiosk/<str:center_code>/appointments/cancel/", views.kiosk_cancel, name="kiosk_cancel"),
    # staff
    path("appointments/desk/", views.desk, name="desk"),
    path("appointments/settings/", views.settings_page, name="settings"),
    path("home-visits/", views.visits, name="visits"),
    path("home-visits/sheet/<int:team_id>/<str:day>.pdf", views.day_sheet, name="day_sheet"),
    path("home-visits/v/<str:number>/", views.visit_detail, name="visit_detail"),
    path("home-visits/v/<str:number>/on-site/", views.on_site, name="on_site"),
    path("home-visits/v/<str:number>/capture/", views.visit_capture, name="visit_capture"),
    path("home-visits/v/<str:number>/deliver/", views.visit_deliver, name="visit_deliver"),
]
