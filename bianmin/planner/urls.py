from django.urls import path

from bianmin.planner import views

app_name = "planner"

urlpatterns = [
    path("planner/", views.plan, name="plan"),
]
