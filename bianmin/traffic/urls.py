from django.urls import path

from bianmin.traffic import views

app_name = "traffic"

urlpatterns = [
    path("kiosk/<str:center_code>/traffic/", views.kiosk, name="kiosk"),
]
