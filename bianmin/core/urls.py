from django.urls import URLPattern

app_name = "core"

# The calendar page is served by the catalogue context's director screens (core knows no roles).
urlpatterns: list[URLPattern] = []
