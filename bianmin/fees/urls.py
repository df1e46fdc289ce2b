from django.urls import URLPattern

app_name = "fees"

urlpatterns: list[URLPattern] = []
