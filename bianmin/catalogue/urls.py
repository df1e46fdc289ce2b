from django.urls import path

from bianmin.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("items/", views.public_catalogue, name="public_list"),
    path("items/<str:code>/", views.public_item, name="public_item"),
    path("catalogue/", views.manage_list, name="manage_list"),
    path("catalogue/calendar/", views.calendar_manage, name="calendar"),
    path("catalogue/<str:code>/", views.manage_item, name="manage_item"),
]
