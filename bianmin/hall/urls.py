from django.urls import path

from bianmin.hall import views

app_name = "hall"

urlpatterns = [
    path("hall/voice/<str:number>/<int:window>.wav", views.voice, name="voice"),
]
